"""Choosing the engine: --target / C360_TARGET, and one set of Spark settings."""

from pathlib import Path

import jinja2
import pytest
import yaml
from typer.testing import CliRunner

from c360.cli import app
from c360.config import Paths, TargetError, resolve_target
from c360.warehouse.spark import spark_conf, spark_env

PROFILES = Path(__file__).resolve().parents[2] / "dbt" / "profiles.yml"


def test_target_defaults_to_duckdb_and_follows_the_environment(monkeypatch):
    monkeypatch.delenv("C360_TARGET", raising=False)
    assert resolve_target() == "duckdb"
    monkeypatch.setenv("C360_TARGET", "Spark")
    assert resolve_target() == "spark"
    assert resolve_target("duckdb") == "duckdb"  # an explicit choice wins


def test_an_unknown_target_is_one_clear_line(monkeypatch, tmp_path):
    with pytest.raises(TargetError, match="choose one of duckdb, spark, snowflake"):
        resolve_target("postgres")
    monkeypatch.setenv("C360_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["build", "--target", "postgres"])
    assert result.exit_code != 0
    assert "unknown target 'postgres'" in result.output


def render_profile_output(name: str, env: dict[str, str]) -> dict:
    """An output of dbt/profiles.yml rendered the way dbt renders it (env_var only)."""
    output = yaml.safe_load(PROFILES.read_text())["c360"]["outputs"][name]

    def env_var(key: str, default: str | None = None) -> str:
        if key in env:
            return env[key]
        if default is None:
            raise KeyError(key)
        return default

    def render(value):
        if isinstance(value, dict):
            return {k: render(v) for k, v in value.items()}
        if isinstance(value, str):
            return jinja2.Template(value).render(env_var=env_var)
        return value

    return render(output)


def test_python_opens_spark_with_the_settings_dbt_uses(tmp_path):
    """dbt-spark and c360 share one session (or one metastore): the settings must agree."""
    paths = Paths(tmp_path)
    profile = render_profile_output("spark", spark_env(paths))
    assert profile["method"] == "session"
    expected = spark_conf(paths.spark_home)
    # dbt-spark adds this one itself; c360 sets it explicitly
    assert expected.pop("spark.sql.ansi.enabled") == "false"
    assert profile["server_side_parameters"] == expected


def test_snowflake_is_configured_only_from_the_environment():
    env = {
        "SNOWFLAKE_ACCOUNT": "acme-xy12345",
        "SNOWFLAKE_USER": "ANALYST",
        "SNOWFLAKE_ROLE": "C360_ROLE",
        "SNOWFLAKE_WAREHOUSE": "C360_WH",
        "SNOWFLAKE_DATABASE": "ANALYTICS",
        "SNOWFLAKE_PRIVATE_KEY_PATH": "/keys/rsa_key.p8",
    }
    profile = render_profile_output("snowflake", env)
    assert {k: profile[k] for k in ("account", "user", "role", "warehouse", "database")} == {
        "account": "acme-xy12345",
        "user": "ANALYST",
        "role": "C360_ROLE",
        "warehouse": "C360_WH",
        "database": "ANALYTICS",
    }
    assert profile["private_key_path"] == "/keys/rsa_key.p8"
    assert profile["password"] == ""  # unset: dbt-snowflake ignores empty credentials
    literal = yaml.safe_load(PROFILES.read_text())["c360"]["outputs"]["snowflake"]
    secrets = ("account", "user", "password", "private_key_path", "private_key_passphrase")
    assert all("env_var(" in literal[key] for key in secrets)
