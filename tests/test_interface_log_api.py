"""The issue log's JSON API: the same rules as the pages, answered in JSON."""
from __future__ import annotations

import pytest

API = "/api/v1/boards/lothian/interface-issues"
NEW = {"category": "prescribing", "service": "Rheumatology",
       "description": "Requests to prescribe methotrexate arrive without the monitoring schedule.",
       "patient_safety": True, "pathway": "visible-haematuria"}


def token(runner, email):
    result = runner.invoke(args=["tokens", "create", email])
    assert result.exit_code == 0, result.output
    return {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}


@pytest.fixture
def tokens(runner):
    for board in ("lothian", "fife"):
        assert runner.invoke(args=["plugins", "enable", "interface_log", "--board", board]).exit_code == 0
    return {who: token(runner, email) for who, email in {
        "gp": "gp@lothian.example", "admin": "admin@lothian.example", "fife": "gp@fife.example",
        "fife-admin": "admin@fife.example", "cfsd": "staff@cfsd.example"}.items()}


def test_log_read_and_triage_an_issue(client, tokens):
    created = client.post(API, json=NEW, headers=tokens["gp"])
    assert created.status_code == 201
    issue = created.get_json()
    assert (issue["status"], issue["patient_safety"], issue["board"]) == ("new", True, "lothian")
    assert created.headers["Location"].endswith(f"{API}/{issue['id']}")
    one = f"{API}/{issue['id']}"

    assert client.get(one, headers=tokens["gp"]).get_json()["may_triage"] is False
    assert client.patch(one, json={"status": "in-progress"}, headers=tokens["gp"]).status_code == 403

    triaged = client.patch(one, json={"status": "in-progress", "owner": "admin@lothian.example"},
                           headers=tokens["admin"])
    assert triaged.status_code == 200
    assert triaged.get_json()["owner"] == {"name": "Lothian Admin", "email": "admin@lothian.example"}
    done = client.patch(one, json={"status": "resolved", "resolution": "Schedule now sent with every request.",
                                   "lasting_change": True,
                                   "lasting_change_detail": "Shared-care request form includes monitoring."},
                        headers=tokens["admin"]).get_json()
    assert (done["status"], done["lasting_change"], done["days_to_resolve"]) == ("resolved", True, 0)

    listed = client.get(API + "?status=resolved", headers=tokens["gp"]).get_json()
    assert listed["count"] == 1 and listed["issues"][0]["id"] == issue["id"]
    assert client.get(API + "?status=new", headers=tokens["gp"]).get_json()["count"] == 0


def test_another_boards_users_get_404(client, tokens):
    issue = client.post(API, json=NEW, headers=tokens["gp"]).get_json()
    for who in ("fife", "fife-admin"):
        assert client.get(API, headers=tokens[who]).status_code == 404
        assert client.post(API, json=NEW, headers=tokens[who]).status_code == 404
        assert client.get(f"{API}/{issue['id']}", headers=tokens[who]).status_code == 404
        assert client.patch(f"{API}/{issue['id']}", json={"status": "closed", "resolution": "x"},
                            headers=tokens[who]).status_code == 404
    # Nor can a Lothian issue be reached through Fife's address.
    assert client.get(f"/api/v1/boards/fife/interface-issues/{issue['id']}", headers=tokens["fife"]).status_code == 404
    assert client.get(f"{API}/{issue['id']}", headers=tokens["gp"]).get_json()["status"] == "new"


def test_national_staff_read_but_do_not_log(client, tokens):
    client.post(API, json=NEW, headers=tokens["gp"])
    assert client.get(API, headers=tokens["cfsd"]).get_json()["count"] == 1
    assert client.post(API, json=NEW, headers=tokens["cfsd"]).status_code == 403


@pytest.mark.parametrize("body, field", [
    (NEW | {"category": "gripes"}, "category"),
    (NEW | {"description": ""}, "description"),
    (NEW | {"description": 42}, "description"),
    (NEW | {"patient_safety": "maybe"}, "patient_safety"),
    (NEW | {"section": "not-a-section"}, "section"),
    (NEW | {"priority": "high"}, "priority"),
    (NEW | {"description": "Letter for 0211165794 was lost."}, "description"),
])
def test_bad_fields_are_named_and_nothing_is_saved(client, tokens, body, field, caplog):
    response = client.post(API, json=body, headers=tokens["gp"])
    assert response.status_code == 400
    assert field in [error["field"] for error in response.get_json()["errors"]]
    assert "0211165794" not in caplog.text
    assert client.get(API, headers=tokens["gp"]).get_json()["count"] == 0


@pytest.mark.parametrize("body, field", [
    ({"status": "resolved"}, "resolution"),
    ({"status": "resolved", "resolution": "Fixed."}, "lasting_change"),
    ({"status": "archived"}, "status"),
    ({"status": ["closed"]}, "status"),
    ({"owner": "gp@fife.example"}, "owner"),
    ({"lasting_change": "yes"}, "lasting_change"),
    ({"status": "closed", "resolution": "Spoke about 021116 5794."}, "resolution"),
])
def test_a_refused_triage_changes_nothing(client, tokens, body, field):
    issue = client.post(API, json=NEW, headers=tokens["gp"]).get_json()
    response = client.patch(f"{API}/{issue['id']}", json=body, headers=tokens["admin"])
    assert response.status_code == 400
    assert field in [error["field"] for error in response.get_json()["errors"]]
    after = client.get(f"{API}/{issue['id']}", headers=tokens["admin"]).get_json()
    assert (after["status"], after["owner"], after["resolution"]) == ("new", None, None)


def test_a_body_that_is_not_json_is_refused(client, tokens):
    response = client.post(API, data="category=prescribing", headers=tokens["gp"])
    assert response.status_code == 400 and "not valid JSON" in response.get_json()["message"]
    listed = client.post(API, json=["prescribing"], headers=tokens["gp"])
    assert listed.status_code == 422 and "JSON object" in listed.get_json()["message"]
    assert client.get(API + "?safety=perhaps", headers=tokens["gp"]).status_code == 400
    assert client.get(f"{API}/999", headers=tokens["gp"]).status_code == 404


def test_the_api_is_described_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/boards/{board}/interface-issues"]) == {"get", "post"}
    assert set(paths["/api/v1/boards/{board}/interface-issues/{issue_id}"]) == {"get", "patch"}


def test_a_board_without_the_log_has_no_api(client, runner):
    headers = token(runner, "gp@lothian.example")
    assert client.get(API, headers=headers).status_code == 404
