"""The README's two commands are the real entry points, and CI runs the test one."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    block = re.search(
        r"## Two commands.*?```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S
    )
    assert block, "README must have a 'Two commands' section with a bash block"
    return [line.split("#")[0].strip() for line in block.group(1).strip().splitlines()]


def test_readme_has_exactly_two_commands_and_ci_runs_the_test_one():
    run, test = readme_commands()
    assert run == "make run"
    assert test == "make test"
    ci_lines = (ROOT / ".ci/run").read_text().splitlines()
    assert test in [line.strip() for line in ci_lines]


def test_makefile_defines_both_targets():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test"):
        assert re.search(rf"^{target}:", makefile, re.M), target
