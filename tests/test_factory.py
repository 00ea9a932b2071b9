"""The app factory, as in Flask's tutorial: it builds an app from typed settings and does nothing else."""
from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from pathway_review import create_app
from pathway_review.config import CORE_SETTINGS, ConfigError
from tests.conftest import ROOT, SAMPLE_PATHWAYS


@pytest.fixture
def environment(monkeypatch):
    """Set PATHWAY_REVIEW_* variables for one test (and no others a developer may have exported)."""
    import os

    for key in list(os.environ):
        if key.startswith("PATHWAY_REVIEW_") and key != "PATHWAY_REVIEW_TEST_DATABASE_URL":
            monkeypatch.delenv(key)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    def set_(**values):
        for name, value in values.items():
            monkeypatch.setenv(f"PATHWAY_REVIEW_{name}", value)
    return set_


def build(tmp_path, **config):
    return create_app({"INSTANCE_PATH": tmp_path / "instance", "PATHWAYS_DIR": str(SAMPLE_PATHWAYS), **config})


def test_config(tmp_path, environment):
    assert not build(tmp_path).testing
    assert build(tmp_path, TESTING=True).testing


def test_environment_values_are_typed(tmp_path, environment):
    environment(PRODUCTION="false", SECRET_KEY="1e5", SESSION_IDLE_TIMEOUT="600",
                PLUGINS='["tests.fixture_plugins.board_banner"]',
                SEARCH_LOCK_TIMEOUT="2", TODAY="2026-11-21")
    app = build(tmp_path)
    assert app.config["PRODUCTION"] is False
    assert app.config["SECRET_KEY"] == "1e5"  # text stays text, even when it reads as a number
    assert app.config["SESSION_IDLE_TIMEOUT"] == 600
    assert app.config["PLUGINS"] == ["tests.fixture_plugins.board_banner"]
    assert app.config["SEARCH_LOCK_TIMEOUT"] == 2.0  # declared by the search plugin
    assert app.config["TODAY"] == "2026-11-21"
    assert "board_banner" in app.extensions["pathway_review.plugins"].info


def test_production_true_is_on(tmp_path, environment):
    environment(PRODUCTION="true", SECRET_KEY="a-long-shared-secret", PSEUDONYM_KEY="another-shared-secret")
    app = build(tmp_path)
    assert app.config["PRODUCTION"] is True
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["PSEUDONYM_KEY"] == "another-shared-secret"


@pytest.mark.parametrize("name, value, message", [
    ("PRODUCTION", "yes", "PRODUCTION (environment variable PATHWAY_REVIEW_PRODUCTION) must be true or false"),
    ("SESSION_IDLE_TIMEOUT", "half an hour", "SESSION_IDLE_TIMEOUT (environment variable "
                                             "PATHWAY_REVIEW_SESSION_IDLE_TIMEOUT) must be a whole number"),
    ("LOGIN_RATE_LIMIT", "10 per minute", 'LOGIN_RATE_LIMIT (environment variable PATHWAY_REVIEW_LOGIN_RATE_LIMIT) '
                                          'must be a rate "COUNT/SECONDS"'),
    ("EXPORT_RATE_LIMIT", "lots", "EXPORT_RATE_LIMIT"),
    ("TODAY", "21/11/2026", "must be a date YYYY-MM-DD"),
])
def test_ill_typed_values_are_refused_by_name(tmp_path, environment, name, value, message):
    environment(**{name: value})
    with pytest.raises(ConfigError, match=re.escape(message)):
        build(tmp_path)


def test_unknown_variables_are_refused_by_name(tmp_path, environment):
    environment(PRODUCTON="true")  # a typo would otherwise leave production off without a word
    with pytest.raises(ConfigError, match="PATHWAY_REVIEW_PRODUCTON is not a setting"):
        build(tmp_path)


@pytest.mark.parametrize("given, message", [
    ({}, "PRODUCTION is on but no SECRET_KEY and no PSEUDONYM_KEY is set: set PATHWAY_REVIEW_SECRET_KEY and "
         "PATHWAY_REVIEW_PSEUDONYM_KEY"),
    ({"PSEUDONYM_KEY": "shared-pseudonyms"}, "PRODUCTION is on but no SECRET_KEY is set: set "
                                             "PATHWAY_REVIEW_SECRET_KEY (or SECRET_KEY in instance/config.py)"),
    ({"SECRET_KEY": "shared-cookies"}, "PRODUCTION is on but no PSEUDONYM_KEY is set: set "
                                       "PATHWAY_REVIEW_PSEUDONYM_KEY"),
])
def test_production_without_both_shared_keys_is_refused(tmp_path, environment, given, message):
    # A key the instance folder made for itself differs on every host: sessions and pseudonyms would too.
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("this-folder-only")
    environment(PRODUCTION="true", **given)
    with pytest.raises(ConfigError, match=re.escape(message)):
        build(tmp_path)


def test_without_production_pseudonyms_are_keyed_as_before(tmp_path, environment):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("this-folder-only")
    app = build(tmp_path)
    assert app.config["PSEUDONYM_KEY"] == app.config["SECRET_KEY"] == "this-folder-only"
    environment(PSEUDONYM_KEY="shared-pseudonyms")
    assert build(tmp_path).config["PSEUDONYM_KEY"] == "shared-pseudonyms"


def test_unprefixed_database_url_works_and_the_prefixed_one_wins(tmp_path, environment, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://reader@db.example/pathways")
    assert build(tmp_path).config["DATABASE_URL"] == "postgresql+psycopg://reader@db.example/pathways"
    environment(DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite3'}")
    assert build(tmp_path).config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'other.sqlite3'}"


def test_the_instance_file_is_read_and_checked_too(tmp_path, environment):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text('SESSION_IDLE_TIMEOUT = 900\nLOGIN_RATE_LIMIT = "5/60"\n')
    app = build(tmp_path)
    assert (app.config["SESSION_IDLE_TIMEOUT"], app.config["LOGIN_RATE_LIMIT"]) == (900, "5/60")
    environment(SESSION_IDLE_TIMEOUT="1200")  # the environment overrides the file
    assert build(tmp_path).config["SESSION_IDLE_TIMEOUT"] == 1200
    (tmp_path / "instance" / "config.py").write_text('PRODUCTION = "false"\n')
    with pytest.raises(ConfigError, match="PRODUCTION .* must be true or false, not 'false'"):
        build(tmp_path)


def test_test_only_knobs_are_not_settings(tmp_path, environment):
    environment(FAST_PASSWORD_HASHING="true")
    with pytest.raises(ConfigError, match="PATHWAY_REVIEW_FAST_PASSWORD_HASHING is not a setting"):
        build(tmp_path)


def test_building_an_app_writes_nothing_connects_nowhere_and_starts_no_thread(tmp_path, environment):
    threads = threading.active_count()
    app = build(tmp_path, SEARCH_INDEX_DIR=str(tmp_path / "index"))
    assert not (tmp_path / "instance").exists()
    assert list(tmp_path.iterdir()) == []
    assert app.extensions["pathway_review.db"].engine.pool.checkedout() == 0
    assert threading.active_count() == threads
    assert len(app.config["SECRET_KEY"]) >= 32  # a key for this process only, until `init` writes one


def test_the_instance_key_is_used_once_init_has_written_it(tmp_path, environment):
    first, second = build(tmp_path), build(tmp_path)
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]
    result = first.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    key = (tmp_path / "instance" / "secret_key").read_text().strip()
    assert build(tmp_path).config["SECRET_KEY"] == build(tmp_path).config["SECRET_KEY"] == key
    first.extensions["pathway_review.db"].dispose()


def test_readme_lists_every_setting(tmp_path, environment):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    app = build(tmp_path)
    names = [setting.name for setting in app.extensions["pathway_review.settings"]]
    assert {s.name for s in CORE_SETTINGS} <= set(names) and "SEARCH_LOCK_TIMEOUT" in names
    missing = [name for name in names if f"`PATHWAY_REVIEW_{name}`" not in readme]
    assert not missing, f"README.md's configuration table does not list {missing}"
    table = app.test_cli_runner().invoke(args=["config", "--markdown"]).output
    assert table in readme, "README.md's table is out of date: paste `pathway-review config --markdown` into it"


def test_wsgi_module_builds_the_app(tmp_path, environment, monkeypatch):
    monkeypatch.setenv("PATHWAY_REVIEW_INSTANCE_PATH", str(tmp_path / "instance"))
    import runpy

    app = runpy.run_path(str(Path(ROOT) / "wsgi.py"))["app"]
    assert app.instance_path == str(tmp_path / "instance")
    assert not (tmp_path / "instance").exists()


def test_start_up_work_runs_once_and_only_when_serving_starts(tmp_path, environment):
    from pathway_review import hookimpl, serving

    started = []

    class Warmup:
        @hookimpl
        def app_started(self, app):
            started.append(app)

    app = build(tmp_path)
    app.extensions["pathway_review.plugins"].pm.register(Warmup(), name="warmup")
    assert started == []
    serving.start(app)
    serving.start(app)
    assert started == [app]
