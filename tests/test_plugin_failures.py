"""A plugin's failures are recorded in the database, so every worker's Admin → Plugins shows them."""
import json

import pytest
from sqlalchemy import select

from pathway_review import create_app
from pathway_review.models import PluginEnablement, PluginFailure
from tests.conftest import SAMPLE_PATHWAYS, TODAY, AuthActions, make_app

FIXTURES = "tests.fixture_plugins."
COLORECTAL = "/pathways/suspected-colorectal-cancer/"


def worker(tmp_path, database_url, *plugins):
    """Another process of the same site: a new app object on the same database, migrated by someone else."""
    return create_app({"TESTING": True, "INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": database_url,
                       "PATHWAYS_DIR": str(SAMPLE_PATHWAYS), "TODAY": TODAY, "SECRET_KEY": "test-secret",
                       "LIBRARY_CHECK_INTERVAL": 0,
                       "PLUGINS": [FIXTURES + p for p in plugins]})


@pytest.fixture
def apps():
    built = []
    yield built
    for app in built:
        app.extensions["pathway_review.db"].dispose()


def sign_in(app, who):
    client = app.test_client()
    assert AuthActions(client).login(who).status_code == 302
    return client


def listed(app):
    result = app.test_cli_runner().invoke(args=["plugins", "list", "--json"])
    assert result.exit_code == 0, result.output
    return {row["name"]: row for row in json.loads(result.stdout)}


def stored(app):
    with app.extensions["pathway_review.db"].sessions() as session:
        return {(f.plugin, f.hook): f for f in session.scalars(select(PluginFailure))}


def test_a_failure_in_one_worker_is_shown_by_another(tmp_path, database_url, apps):
    first = make_app(tmp_path, database_url, PLUGINS=[FIXTURES + "fails_in_panels_and_events"])
    apps.append(first)
    page = sign_in(first, "gp").get(COLORECTAL)
    assert page.status_code == 200 and "Red flags" in page.get_data(as_text=True)

    second = worker(tmp_path, database_url)  # never loaded the plugin, never drew the page
    apps.append(second)
    admin_page = sign_in(second, "admin").get("/admin/plugins").get_data(as_text=True)
    row = admin_page[admin_page.index("<code>fails_in_panels_and_events</code>"):][:1500]
    assert "Failed" in row and "Not loaded by this server" in row
    assert "in <code>section_panels</code>: NoteUnreadable at fails_in_panels_and_events.py:" in row
    failure = listed(second)["fails_in_panels_and_events"]["failures"][0]
    assert failure["hook"] == "section_panels" and failure["count"] > 1  # once per section drawn
    assert failure["first_seen"] <= failure["last_seen"]
    # The exception quoted the GP's address; neither the page nor the record does.
    assert "gp@lothian.example" not in admin_page
    assert all("@" not in f.message for f in stored(second).values())


def test_a_failure_during_a_saving_request_is_recorded_without_waiting_on_the_request(tmp_path, database_url,
                                                                                       apps):
    app = make_app(tmp_path, database_url, PLUGINS=[FIXTURES + "fails_in_panels_and_events",
                                                    FIXTURES + "board_banner"])
    apps.append(app)
    auth = AuthActions(app.test_client())
    auth.login("board-admin")
    # On SQLite this POST holds the write lock until its session closes; the failure is written after.
    response = auth.post("/admin/boards/lothian/plugins", {"plugin": "board_banner", "action": "enable"},
                         follow_redirects=True)
    assert response.status_code == 200 and "Board banner is now on" in response.get_data(as_text=True)
    with app.extensions["pathway_review.db"].sessions() as session:
        assert session.scalar(select(PluginEnablement.enabled)) is True
    failure = stored(app)[("fails_in_panels_and_events", "plugin_enablement_changed")]
    assert failure.count == 1 and failure.message.startswith("NoteUnreadable at")
    auth.post("/admin/boards/lothian/plugins", {"plugin": "board_banner", "action": "disable"})
    assert stored(app)[("fails_in_panels_and_events", "plugin_enablement_changed")].count == 2


def test_a_plugin_that_fails_to_import_is_recorded_once_the_database_exists(tmp_path, database_url, apps):
    early = worker(tmp_path, database_url, "raises_on_import")  # no tables yet
    apps.append(early)
    assert early.test_client().get("/login").status_code == 200  # recording fails quietly, the page works
    assert early.extensions["pathway_review.plugins"].info[FIXTURES + "raises_on_import"].failure

    result = early.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    failure = stored(early)[(FIXTURES + "raises_on_import", "loading")]
    assert "not-installed" in failure.message

    other = worker(tmp_path, database_url)
    apps.append(other)
    row = listed(other)[FIXTURES + "raises_on_import"]
    assert row["source"] == "not loaded here" and "import failed" in row["failures"][0]["message"]
    text = other.test_cli_runner().invoke(args=["plugins", "list"]).output
    assert "raises_on_import" in text and "failed in loading: import failed" in text
