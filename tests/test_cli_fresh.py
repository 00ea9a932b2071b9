"""The command line on a fresh clone: harmless commands stay harmless, the others say to run init first.

These run ``pathway-review`` as a separate process, as a newcomer would, with an instance folder of their own.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pathway_review.testing.apps import postgres_url
from tests.conftest import ROOT, SAMPLE_PATHWAYS

CLI = str(Path(sys.executable).parent / "pathway-review")


@pytest.fixture
def fresh(tmp_path, database_url):
    """Run a command against an instance folder nobody has used (and, on PostgreSQL, an empty schema)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PATHWAY_REVIEW_") and key != "DATABASE_URL"}
    env.update(PATHWAY_REVIEW_INSTANCE_PATH=str(tmp_path / "instance"),
               PATHWAY_REVIEW_PATHWAYS_DIR=str(SAMPLE_PATHWAYS))
    if postgres_url():
        env["PATHWAY_REVIEW_DATABASE_URL"] = database_url

    def run(*args, **extra_env):
        return subprocess.run([CLI, *args], cwd=ROOT, env={**env, **extra_env}, capture_output=True, text=True,
                              timeout=120)
    run.folder = tmp_path
    return run


def listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@pytest.mark.parametrize("args", [["check"], ["--help"], ["config"]])
def test_harmless_commands_create_nothing_and_print_no_traceback(fresh, args):
    before = listing(fresh.folder)
    result = fresh(*args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "ERROR" not in result.stderr
    assert listing(fresh.folder) == before


def test_check_lints_the_library(fresh):
    assert "no problems found" in fresh("check").stdout


@pytest.mark.parametrize("args", [["plugins", "list"], ["demo", "accounts"], ["feedback", "demo", "3"],
                                  ["run", "--port", "0"]])
def test_commands_that_need_the_database_say_to_run_init(fresh, args):
    result = fresh(*args)
    assert result.returncode == 1
    assert 'run "pathway-review init" first' in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_init_on_a_fresh_instance_is_clean_and_then_everything_works(fresh):
    result = fresh("init")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "14 boards added" in result.stdout
    assert (fresh.folder / "instance" / "secret_key").exists()
    listed = fresh("plugins", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {"feedback", "search", "export"} <= {row["name"] for row in json.loads(listed.stdout)}
    again = fresh("init")
    assert again.returncode == 0 and "0 boards added" in again.stdout


def test_a_bad_setting_is_one_line_and_exit_status_1(fresh):
    for args in (["--help"], ["check"]):
        result = fresh(*args, PATHWAY_REVIEW_PRODUCTION="yes please")
        assert result.returncode == 1
        assert result.stderr.strip() == ("Error: PRODUCTION (environment variable PATHWAY_REVIEW_PRODUCTION) must be "
                                         "true or false, not 'yes please'")
    typo = fresh("config", PATHWAY_REVIEW_SEARCH_LOCK_TIMOUT="1")
    assert typo.returncode == 1 and "PATHWAY_REVIEW_SEARCH_LOCK_TIMOUT is not a setting" in typo.stderr


@pytest.mark.parametrize("keys, missing", [({}, "no SECRET_KEY and no PSEUDONYM_KEY is set"),
                                           ({"PATHWAY_REVIEW_SECRET_KEY": "shared"}, "no PSEUDONYM_KEY is set")])
def test_gunicorn_refuses_to_boot_with_the_message(fresh, keys, missing):
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    result = subprocess.run([gunicorn, "--config", "gunicorn.conf.py", "--bind", "127.0.0.1:0", "wsgi:app"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PATHWAY_REVIEW_INSTANCE_PATH": str(fresh.folder / "i"),
                                 "PATHWAY_REVIEW_PRODUCTION": "true", **keys})
    assert result.returncode != 0
    assert f"PRODUCTION is on but {missing}" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_command_line_refuses_production_without_a_pseudonym_key(fresh):
    for args in (["check"], ["run", "--port", "0"], ["worker"]):
        result = fresh(*args, PATHWAY_REVIEW_PRODUCTION="true", PATHWAY_REVIEW_SECRET_KEY="shared")
        assert result.returncode == 1, args
        assert result.stdout == ""
        assert result.stderr.strip() == (
            "Error: PRODUCTION is on but no PSEUDONYM_KEY is set: set PATHWAY_REVIEW_PSEUDONYM_KEY (or PSEUDONYM_KEY "
            "in instance/config.py) to a long random value shared by every host")


def test_check_names_the_keys_that_are_this_instances_own(fresh):
    shown = fresh("check").stdout
    assert "SECRET_KEY is this instance's own (this process only (run init))" in shown
    assert "PSEUDONYM_KEY is this instance's own (SECRET_KEY, from this process only (run init))" in shown
    assert "set PATHWAY_REVIEW_PSEUDONYM_KEY to one value on every host" in shown
    shared = fresh("check", PATHWAY_REVIEW_SECRET_KEY="shared-cookies")
    assert shared.returncode == 0
    assert "instance's own" not in shared.stdout, "a pseudonym key following a shared secret key is shared too"
    assert "no problems found" in shared.stdout


def test_config_shows_every_setting_with_secrets_masked(app, runner):
    shown = runner.invoke(args=["config"]).output
    assert "test-secret" not in shown
    assert any(line.startswith("SECRET_KEY") and "********" in line for line in shown.splitlines())
    rows = {row["name"]: row for row in json.loads(runner.invoke(args=["config", "--json"]).output)}
    assert rows["SECRET_KEY"]["value"] == "********" and rows["SECRET_KEY"]["secret"]
    assert (rows["SESSION_IDLE_TIMEOUT"]["value"], rows["SESSION_IDLE_TIMEOUT"]["source"]) == (1800, "default")
    assert (rows["TODAY"]["value"], rows["TODAY"]["source"]) == ("2026-11-21", "test")
    assert (rows["EXPORT_RATE_LIMIT"]["owner"], rows["EXPORT_RATE_LIMIT"]["type"]) == ("export", "rate")
    assert rows["PRODUCTION"]["value"] is False


def test_config_hides_a_password_in_a_database_url(tmp_path):
    from pathway_review import create_app

    app = create_app({"INSTANCE_PATH": tmp_path, "DATABASE_URL": "postgresql://reviewer:hunter2@db.example/pr"})
    shown = app.test_cli_runner().invoke(args=["config"]).output
    assert "hunter2" not in shown
    assert "postgresql+psycopg://reviewer:********@db.example/pr" in shown
