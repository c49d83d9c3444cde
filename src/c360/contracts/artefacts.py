"""Where published builds are recorded, for the engines that build in place."""

import json
from pathlib import Path

from c360.config import Paths

PUBLISHED_BUILD = "build_info.json"  # in <home>/<target>/ for engines built in place


def published_marker(paths: Paths, target: str) -> Path:
    """For engines built in place (Spark, Snowflake): the file naming the published build."""
    return paths.home / target / PUBLISHED_BUILD


def read_published_build(paths: Paths, target: str) -> dict | None:
    """The published build's id, kind and as-of date (Spark, Snowflake); None if none."""
    marker = published_marker(paths, target)
    return json.loads(marker.read_text()) if marker.exists() else None
