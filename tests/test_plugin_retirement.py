"""A plugin with tables leaves the site: `init` keeps working and keeps its data; `plugins retire` drops it."""
import pytest
from sqlalchemy import inspect, text

from pathway_review import create_app
from tests.conftest import SAMPLE_PATHWAYS, TODAY, AuthActions, make_app

# Every built-in plugin but the interface issue log, as if its package had been uninstalled.
WITHOUT_INTERFACE_LOG = ["plugins.feedback", "plugins.search", "plugins.export", "plugins.local_notes"]
KEPT = ("plugin interface_log is not installed; its tables are kept (revision interface_log_0001). "
        "`pathway-review plugins retire interface_log` drops them.")


@pytest.fixture
def apps():
    built = []
    yield built
    for app in built:
        app.extensions["pathway_review.db"].dispose()


@pytest.fixture
def installed(tmp_path, database_url, apps):
    app = make_app(tmp_path, database_url)
    apps.append(app)
    result = app.test_cli_runner().invoke(args=["interface-log", "demo"])
    assert result.exit_code == 0, result.output
    assert issue_count(app) > 0
    return app


@pytest.fixture
def uninstalled(installed, tmp_path, database_url, apps):
    app = create_app({"TESTING": True, "INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": database_url,
                      "PATHWAYS_DIR": str(SAMPLE_PATHWAYS), "TODAY": TODAY, "SECRET_KEY": "test-secret",
                      "LIBRARY_CHECK_INTERVAL": 0,
                      "LOAD_ENTRY_POINTS": False, "PLUGINS": WITHOUT_INTERFACE_LOG})
    apps.append(app)
    assert not app.extensions["pathway_review.plugins"].pm.has_plugin("interface_log")
    return app


def issue_count(app):
    with app.extensions["pathway_review.db"].engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM interface_issue")).scalar()


def recorded_revisions(app):
    with app.extensions["pathway_review.db"].engine.connect() as conn:
        return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def tables(app):
    return set(inspect(app.extensions["pathway_review.db"].engine).get_table_names())


def cli(app, *args, **kwargs):
    return app.test_cli_runner().invoke(args=list(args), **kwargs)


def test_init_keeps_the_tables_of_an_uninstalled_plugin_and_says_so(installed, uninstalled):
    issues = issue_count(installed)
    for _ in range(2):  # and running it again is as harmless as ever
        result = cli(uninstalled, "init")
        assert result.exit_code == 0, result.output
        assert KEPT in result.output.splitlines()
        assert "Database ready" in result.output
    assert issue_count(uninstalled) == issues
    assert "interface_log_0001" in recorded_revisions(uninstalled)
    client = uninstalled.test_client()
    AuthActions(client).login("gp")
    assert client.get("/").status_code == 200


def test_retiring_an_uninstalled_plugin_forgets_its_revision_and_explains_its_tables_stay(installed, uninstalled):
    refused = cli(uninstalled, "plugins", "retire", "interface_log", input="n\n")
    assert refused.exit_code != 0 and "its migrations are not installed" in refused.output
    assert "interface_log_0001" in recorded_revisions(uninstalled)

    result = cli(uninstalled, "plugins", "retire", "interface_log", input="y\n")
    assert result.exit_code == 0, result.output
    assert "revision interface_log_0001 is no longer recorded; its tables are still there" in result.output
    assert "interface_log_0001" not in recorded_revisions(uninstalled)
    assert "interface_issue" in tables(uninstalled)
    again = cli(uninstalled, "init")
    assert again.exit_code == 0 and "interface_log" not in again.output


def test_retiring_an_installed_plugin_drops_its_tables(installed):
    result = cli(installed, "plugins", "retire", "interface_log", "--yes")
    assert result.exit_code == 0, result.output
    assert "plugin interface_log: its tables and their records are dropped." in result.output
    assert "still installed" in result.output
    assert "interface_issue" not in tables(installed)
    assert "interface_log_0001" not in recorded_revisions(installed)
    assert any(r.startswith("core_") for r in recorded_revisions(installed))  # the core's branch is untouched

    assert cli(installed, "init").exit_code == 0  # still installed: init creates its tables again, empty
    assert issue_count(installed) == 0


def test_retiring_an_installed_plugin_works_while_another_is_uninstalled(installed, uninstalled, tmp_path):
    # The interface log is gone from this site's code, so its revision is unknown; local notes retires fine.
    assert cli(uninstalled, "init").exit_code == 0
    result = cli(uninstalled, "plugins", "retire", "local_notes", "--yes")
    assert result.exit_code == 0, result.output
    assert "local_note" not in tables(uninstalled)
    assert "interface_log_0001" in recorded_revisions(uninstalled)  # set aside, then put back


def test_retire_refuses_the_core_and_names_it_does_not_know(installed):
    result = cli(installed, "plugins", "retire", "core", "--yes")
    assert result.exit_code != 0 and "The core cannot be retired" in result.output
    result = cli(installed, "plugins", "retire", "formulary", "--yes")
    assert result.exit_code != 0 and "No tables are recorded for a plugin called 'formulary'" in result.output
    assert "interface_issue" in tables(installed)
