"""The feedback JSON API: status codes, shapes, ownership, the window, bearer tokens, OpenAPI."""
from __future__ import annotations

import pytest

from tests.feedback_support import (CLOSED, DEFAULT_Q, OPEN, UPCOMING, api_body, fetch, history, insert, token)

API = f"/api/v1/pathways/{OPEN[0]}/feedback"


def test_create_returns_201_with_the_record(client, app):
    response = client.post(API, json=api_body(), headers=token(app, "gp"))
    assert response.status_code == 201
    record = response.get_json()
    assert isinstance(record["id"], int)
    assert response.headers["Location"].endswith(f"/api/v1/feedback/{record['id']}")
    assert {k: record[k] for k in ("pathway", "version", "section", "type", "status", "board")} == {
        "pathway": OPEN[0], "version": "3.0", "section": "key-messages", "type": "workload", "status": "new",
        "board": "lothian"}
    assert record["answers"] == {"fit-threshold-deliverable": "With changes", "fit-kits-per-month": 40}
    assert record["section_title"] == "Key messages" and record["submitted_at"]


def test_whole_pathway_feedback_and_drafts(client, app):
    headers = token(app, "gp")
    whole = client.post(API, json=api_body(section=None), headers=headers).get_json()
    assert whole["section"] is None and whole["section_title"] is None
    draft = client.post(API, json=api_body(text="", type=None, draft=True), headers=headers)
    assert draft.status_code == 201 and draft.get_json()["status"] == "draft"
    draft_id = draft.get_json()["id"]
    submitted = client.patch(f"/api/v1/feedback/{draft_id}", json={"text": "Done", "type": "other", "draft": False},
                             headers=headers)
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "new"
    back = client.patch(f"/api/v1/feedback/{draft_id}", json={"draft": True}, headers=headers)
    assert back.status_code == 422 and back.get_json()["errors"][0]["field"] == "draft"


@pytest.mark.parametrize("changes,field", [
    ({"text": ""}, "text"),
    ({"text": "y" * 10_001}, "text"),
    ({"type": "rumour"}, "type"),
    ({"section": "not-a-section"}, "section"),
    ({"version": "9.9"}, "version"),
    ({"answers": {"nonsense": "Yes"}}, "answers.nonsense"),
    ({"answers": {"fit-threshold-deliverable": "Perhaps"}}, "answers.fit-threshold-deliverable"),
    ({"answers": {"fit-kits-per-month": "many"}}, "answers.fit-kits-per-month"),
    ({"answers": {"fit-kits-per-month": True}}, "answers.fit-kits-per-month"),
    ({"answers": ["Yes"]}, "answers"),
    ({"safety_concern": "yes"}, "safety_concern"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_fields_give_422_naming_the_field(client, app, changes, field):
    response = client.post(API, json=api_body(**changes), headers=token(app, "gp"))
    assert response.status_code == 422
    body = response.get_json()
    assert field in [e["field"] for e in body["errors"]] and all(e["message"] for e in body["errors"])
    assert client.get("/api/v1/feedback", headers=token(app, "gp")).get_json()["count"] == 0


@pytest.mark.parametrize("answers,field", [
    ({"extra-gp-minutes": -1}, "answers.extra-gp-minutes"),
    ({"extra-gp-minutes": 601}, "answers.extra-gp-minutes"),
    ({"patients-a-year": 100_001}, "answers.patients-a-year"),
    ({"deliverable": "Maybe"}, "answers.deliverable"),
])
def test_default_questions_are_checked(client, app, answers, field):
    url = f"/api/v1/pathways/{DEFAULT_Q[0]}/feedback"
    response = client.post(url, json=api_body(version=DEFAULT_Q[1], section=None, answers=answers),
                           headers=token(app, "gp"))
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == field
    good = {"deliverable": "With changes", "extra-gp-minutes": 12.5, "patients-a-year": 300,
            "investigations-available": "FBC and ferritin"}
    ok = client.post(url, json=api_body(version=DEFAULT_Q[1], section=None, answers=good), headers=token(app, "gp"))
    assert ok.status_code == 201 and ok.get_json()["answers"] == good


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe", b"NaN"])
def test_a_body_that_is_not_json_gives_400(client, app, body):
    response = client.post(API, data=body, headers=token(app, "gp") | {"Content-Type": "application/json"})
    assert response.status_code == 400 and "not valid JSON" in response.get_json()["message"]


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"null"])
def test_json_that_is_not_an_object_gives_422(client, app, body):
    response = client.post(API, data=body, headers=token(app, "gp") | {"Content-Type": "application/json"})
    assert response.status_code == 422 and "JSON object" in response.get_json()["message"]


@pytest.mark.parametrize("slug_version", [UPCOMING, CLOSED, ("dyspepsia", "1.0")])
def test_409_outside_the_window(client, app, slug_version):
    slug, version = slug_version
    response = client.post(f"/api/v1/pathways/{slug}/feedback", json=api_body(version=version, section=None,
                                                                              answers={}),
                           headers=token(app, "gp"))
    assert response.status_code == 409 and response.get_json()["message"]


def test_unknown_pathway_is_404(client, app):
    assert client.post("/api/v1/pathways/no-such-pathway/feedback", json=api_body(),
                       headers=token(app, "gp")).status_code == 404


def test_list_is_own_for_a_gp_and_everything_submitted_for_cfsd(client, app):
    mine = client.post(API, json=api_body(), headers=token(app, "gp")).get_json()["id"]
    client.post(API, json=api_body(draft=True), headers=token(app, "gp"))
    theirs = insert(app, "gp-fife", *OPEN, safety_concern=True)
    gp_list = client.get("/api/v1/feedback", headers=token(app, "gp")).get_json()
    assert gp_list["count"] == 2 and mine in [r["id"] for r in gp_list["feedback"]]
    assert theirs not in [r["id"] for r in gp_list["feedback"]]
    staff = client.get("/api/v1/feedback", headers=token(app, "cfsd")).get_json()
    assert sorted(r["id"] for r in staff["feedback"]) == sorted([mine, theirs])  # no drafts
    assert [r["id"] for r in client.get("/api/v1/feedback?safety=yes&board=fife",
                                        headers=token(app, "cfsd")).get_json()["feedback"]] == [theirs]
    bad = client.get("/api/v1/feedback?status=lost", headers=token(app, "cfsd"))
    assert bad.status_code == 400 and bad.get_json()["errors"][0]["field"] == "status"
    assert client.get("/api/v1/feedback", headers=token(app, "board-admin")).status_code == 403


def test_read_patch_delete_only_your_own(client, app):
    theirs = insert(app, "gp-fife", *OPEN, text="Fife's own words")
    headers = token(app, "gp")
    assert client.get(f"/api/v1/feedback/{theirs}", headers=headers).status_code == 404
    assert client.patch(f"/api/v1/feedback/{theirs}", json={"text": "Mine now"}, headers=headers).status_code == 404
    assert client.delete(f"/api/v1/feedback/{theirs}", headers=headers).status_code == 404
    assert client.get("/api/v1/feedback/999999", headers=headers).status_code == 404
    assert fetch(app, theirs).text == "Fife's own words"
    assert client.get(f"/api/v1/feedback/{theirs}", headers=token(app, "cfsd")).status_code == 200
    assert client.patch(f"/api/v1/feedback/{theirs}", json={"text": "x"}, headers=token(app, "cfsd")).status_code == 403


def test_patch_keeps_history_and_delete_withdraws(client, app):
    headers = token(app, "gp")
    feedback_id = client.post(API, json=api_body(), headers=headers).get_json()["id"]
    changed = client.patch(f"/api/v1/feedback/{feedback_id}", json={"safety_concern": True}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["safety_concern"] is True
    assert history(app, feedback_id)[-1].change_values == {"safety_concern": [False, True]}
    moved = client.patch(f"/api/v1/feedback/{feedback_id}", json={"version": "2.0"}, headers=headers)
    assert moved.status_code == 422
    gone = client.delete(f"/api/v1/feedback/{feedback_id}", headers=headers)
    assert gone.status_code == 200 and gone.get_json()["status"] == "withdrawn"
    assert client.delete(f"/api/v1/feedback/{feedback_id}", headers=headers).status_code == 409
    assert client.patch(f"/api/v1/feedback/{feedback_id}", json={"text": "x"}, headers=headers).status_code == 409


def test_deleting_a_draft_removes_it(client, app):
    headers = token(app, "gp")
    draft_id = client.post(API, json=api_body(draft=True), headers=headers).get_json()["id"]
    assert client.delete(f"/api/v1/feedback/{draft_id}", headers=headers).status_code == 204
    assert fetch(app, draft_id) is None


def test_patch_after_the_window_closes_is_409(client, app):
    headers = token(app, "gp")
    feedback_id = client.post(API, json=api_body(), headers=headers).get_json()["id"]
    app.config["TODAY"] = "2027-03-01"
    assert client.patch(f"/api/v1/feedback/{feedback_id}", json={"text": "Late"}, headers=headers).status_code == 409
    assert client.delete(f"/api/v1/feedback/{feedback_id}", headers=headers).status_code == 409
    assert fetch(app, feedback_id).status == "new"


def test_session_cookie_api_calls_need_csrf(client, auth, app):
    auth.login("gp")
    response = client.post(API, json=api_body())
    assert response.status_code == 400
    assert client.get("/api/v1/feedback").get_json()["count"] == 0


def test_anonymous_callers_get_401(client):
    assert client.get("/api/v1/feedback").status_code == 401
    assert client.get("/api/v1/feedback/1").status_code == 401


def test_openapi_lists_every_feedback_endpoint(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/feedback/{feedback_id}"]) == {"get", "patch", "delete"}
    create = paths["/api/v1/pathways/{slug}/feedback"]["post"]
    assert {"201", "400", "409", "422"} <= set(create["responses"])
    assert "safety_concern" in create["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert "post" in paths["/api/v1/feedback/{feedback_id}/triage"] and "get" in paths["/api/v1/feedback"]


@pytest.fixture
def limited_app(tmp_path, database_url):
    from tests.conftest import make_app

    app = make_app(tmp_path, database_url, FEEDBACK_RATE_LIMIT="3/600")
    yield app
    app.extensions["pathway_review.db"].dispose()


def test_a_flood_of_new_feedback_is_refused_with_429_and_nothing_more_is_saved(limited_app):
    from tests.conftest import AuthActions

    client = limited_app.test_client()
    AuthActions(client).login("gp")
    token = client.get("/login", follow_redirects=True).get_data(as_text=True)
    csrf = token.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    body = {"version": "1.0", "section": None, "type": "workload", "text": "Too much to do.",
            "answers": {}, "safety_concern": False, "anonymous": False}
    codes = [client.post("/api/v1/pathways/headache-in-adults/feedback", json=body,
                         headers={"X-CSRFToken": csrf}).status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    listed = client.get("/api/v1/feedback").get_json()
    items = listed.get("feedback", listed.get("items", []))
    assert len(items) == 3
