"""Who finds what: feedback only for CfSD and admins, a board's records only for that board, and
nothing from a plugin the user's board has not switched on."""
import pytest

from pathway_review import boards
from tests.fixture_plugins import search_board_notes, search_staff_notes

BOARD_PLUGIN = search_board_notes.NAME


@pytest.fixture
def app_config():
    return {"PLUGINS": ["tests.fixture_plugins.search_staff_notes", "tests.fixture_plugins.search_board_notes",
                        "tests.fixture_plugins.search_closed"]}


def enable(app, board_slug, enabled=True):
    with app.app_context(), app.extensions["pathway_review.db"].transaction() as session:
        boards.set_plugin_enabled(session, BOARD_PLUGIN, boards.get_board(session, board_slug), enabled)


def found_ids(client, q):
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 200
    return {r["id"] for r in response.get_json()["results"]}


@pytest.mark.parametrize("who", ["gp", "gp-fife", "board-admin"])
def test_feedback_is_not_found_by_gps_or_board_admins(client, auth, who):
    auth.login(who)
    for q in ("ultrasound access", "haematuria", "twelve weeks", "quokkaphobia"):
        assert not any(i.startswith(search_staff_notes.NAME) for i in found_ids(client, q))
    page = client.get("/search?q=quokkaphobia").get_data(as_text=True)
    assert "0 results" in page and "clinic has a long wait" not in page


@pytest.mark.parametrize("who", ["cfsd", "admin"])
def test_cfsd_and_admins_find_feedback(client, auth, who):
    auth.login(who)
    assert {f"{search_staff_notes.NAME}:1", f"{search_staff_notes.NAME}:2"} <= found_ids(client, "ultrasound access")
    assert found_ids(client, "quokkaphobia") == {f"{search_staff_notes.NAME}:1"}


def test_spelling_suggestions_never_reveal_words_from_hidden_records(client, auth):
    auth.login("gp")
    found = client.get("/api/v1/search", query_string={"q": "quokkaphobic"}).get_json()
    assert found["total"] == 0 and found["suggestion"] is None


def test_a_board_finds_its_own_records_and_not_another_boards(app, client, auth):
    enable(app, "lothian")
    enable(app, "fife")
    auth.login("gp")
    assert found_ids(client, "urgent haematuria clinic") & {f"{BOARD_PLUGIN}:lothian", f"{BOARD_PLUGIN}:fife"} == \
        {f"{BOARD_PLUGIN}:lothian"}
    assert found_ids(client, "platypusology") == set()
    auth.logout()
    auth.login("gp-fife")
    assert found_ids(client, "platypusology") == {f"{BOARD_PLUGIN}:fife"}
    assert found_ids(client, "wombatology") == set()


def test_a_board_that_has_not_enabled_the_plugin_does_not_find_its_records(app, client, auth):
    enable(app, "fife")
    auth.login("gp")
    assert found_ids(client, "wombatology") == set()
    enable(app, "lothian")
    assert found_ids(client, "wombatology") == {f"{BOARD_PLUGIN}:lothian"}
    enable(app, "lothian", False)
    assert found_ids(client, "wombatology") == set()


def test_national_staff_find_every_boards_records(client, auth):
    auth.login("cfsd")
    assert found_ids(client, "wombatology OR platypusology") == {f"{BOARD_PLUGIN}:lothian", f"{BOARD_PLUGIN}:fife"}


def test_search_needs_a_signed_in_user(client):
    api = client.get("/api/v1/search?q=haematuria")
    assert api.status_code == 401 and "results" not in api.get_json()
    page = client.get("/search?q=haematuria")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_plugin_can_close_search_to_someone_through_the_permission_hook(client, auth):
    auth.login("board-admin-fife")
    assert client.get("/search?q=haematuria").status_code == 403
    assert client.get("/api/v1/search?q=haematuria").status_code == 403
    auth.logout()
    auth.login("board-admin")
    assert client.get("/api/v1/search?q=haematuria").status_code == 200


def test_the_api_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "specialty", "status", "all_versions", "page"}
    assert {"200", "400", "401", "503"} <= set(operation["responses"])
