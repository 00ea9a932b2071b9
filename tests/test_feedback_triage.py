"""CfSD triage: statuses, responses, themes, bulk actions, history, the audit trail and the events."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from pathway_review.models import AuditEvent
from tests.feedback_support import OPEN, api_body, fetch, history, insert, token

API = f"/api/v1/pathways/{OPEN[0]}/feedback"
LISTENER = "tests.fixture_plugins.feedback_listener"


@pytest.fixture
def app_config():
    return {"PLUGINS": [LISTENER]}


def events(app, kind=None):
    heard = app.extensions.get("feedback_listener.events", [])
    return [e for e in heard if kind is None or e[0] == kind]


def test_triage_through_the_api(client, app):
    feedback_id = client.post(API, json=api_body(), headers=token(app, "gp")).get_json()["id"]
    response = client.post(f"/api/v1/feedback/{feedback_id}/triage", headers=token(app, "cfsd"),
                           json={"status": "partly-accepted", "response": "We will fund kits.",
                                 "themes": ["FIT access", "workload  shift"]})
    assert response.status_code == 200
    record = response.get_json()
    assert (record["status"], record["response"], record["themes"]) == (
        "partly-accepted", "We will fund kits.", ["fit access", "workload shift"])
    entry = history(app, feedback_id)[-1]
    assert entry.action == "triaged" and entry.actor_name == "CfSD Staff"
    assert entry.change_values["status"] == ["new", "partly-accepted"]
    with app.extensions["pathway_review.db"].sessions() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "feedback.triage")).all()
    assert [a.target for a in audit] == [f"feedback:{feedback_id}"]
    assert json.loads(audit[0].detail)["status"] == ["new", "partly-accepted"]


def test_a_gp_calling_triage_gets_403_and_nothing_changes(client, app):
    feedback_id = client.post(API, json=api_body(), headers=token(app, "gp")).get_json()["id"]
    response = client.post(f"/api/v1/feedback/{feedback_id}/triage", json={"status": "accepted"},
                           headers=token(app, "gp"))
    assert response.status_code == 403
    assert fetch(app, feedback_id).status == "new"


@pytest.mark.parametrize("body,code,field", [
    ({"status": "loved"}, 422, "status"), ({"themes": "not a list", "status": 3}, 422, "status"),
    ({"themes": [1, 2]}, 422, "themes"), ({"response": "x" * 10_001}, 422, "response"),
    ({}, 422, "status"), ({"verdict": "yes"}, 422, "verdict"),
])
def test_bad_triage_is_refused(client, app, body, code, field):
    feedback_id = insert(app, "gp", *OPEN)
    response = client.post(f"/api/v1/feedback/{feedback_id}/triage", json=body, headers=token(app, "cfsd"))
    assert response.status_code == code and field in [e["field"] for e in response.get_json()["errors"]]
    assert fetch(app, feedback_id).status == "new" and history(app, feedback_id) == []


def test_withdrawn_feedback_cannot_be_triaged(client, app):
    feedback_id = insert(app, "gp", *OPEN, status="withdrawn")
    response = client.post(f"/api/v1/feedback/{feedback_id}/triage", json={"status": "accepted"},
                           headers=token(app, "cfsd"))
    assert response.status_code == 409 and fetch(app, feedback_id).status == "withdrawn"


def test_triage_form_keeps_history_on_the_record_page(client, auth, app):
    feedback_id = insert(app, "gp", *OPEN, anonymous=True, hide_board=True)
    auth.login("cfsd")
    url = f"/consultations/responses/{feedback_id}/"
    page = client.get(url).get_data(as_text=True)
    assert "NHS Lothian" in page  # CfSD always sees the board, even for anonymous feedback
    assert auth.post(url, {"status": "acknowledged", "response": "", "themes": ""}).status_code == 302
    assert auth.post(url, {"status": "accepted", "response": "Changed in the draft.",
                           "themes": "wording, Wording , fit"}).status_code == 302
    record = fetch(app, feedback_id)
    assert (record.status, record.theme_list) == ("accepted", ["fit", "wording"])
    page = client.get(url).get_data(as_text=True)
    assert page.count("CfSD Staff") >= 2 and "New → Acknowledged" in page and "Acknowledged → Accepted" in page
    refused = auth.post(url, {"status": "bogus", "response": "Keep me", "themes": ""})
    assert refused.status_code == 422 and "Keep me" in refused.get_data(as_text=True)
    assert fetch(app, feedback_id).status == "accepted"


def test_theme_suggestions_come_from_existing_themes(client, auth, app):
    insert(app, "gp", *OPEN, themes=["rural access"])
    target = insert(app, "gp-fife", *OPEN)
    auth.login("cfsd")
    page = client.get(f"/consultations/responses/{target}/").get_data(as_text=True)
    assert '<datalist id="theme-suggestions"><option value="rural access">' in page


def test_bulk_triage_in_one_post(client, auth, app):
    ids = [insert(app, "gp", *OPEN) for _ in range(3)]
    untouched = insert(app, "gp-fife", *OPEN)
    auth.login("cfsd")
    response = auth.post(f"/consultations/{OPEN[0]}/{OPEN[1]}/responses/bulk",
                         {"ids": ids, "status": "acknowledged", "theme": "Test access", "back": "type=workload"})
    assert response.status_code == 302 and response.headers["Location"].endswith("responses?type=workload")
    for feedback_id in ids:
        record = fetch(app, feedback_id)
        assert (record.status, record.theme_list) == ("acknowledged", ["test access"])
        assert history(app, feedback_id)[-1].action == "triaged"
    assert fetch(app, untouched).status == "new"
    changed = events(app, "status")
    assert sorted(e[1]["id"] for e in changed) == sorted(ids)
    assert all((e[2], e[3]) == ("new", "acknowledged") for e in changed)


def test_bulk_with_a_bad_id_changes_nothing(client, auth, app):
    good = insert(app, "gp", *OPEN)
    other_round = insert(app, "gp", "visible-haematuria", "1.1")
    auth.login("cfsd")
    response = auth.post(f"/consultations/{OPEN[0]}/{OPEN[1]}/responses/bulk",
                         {"ids": [good, other_round], "status": "accepted"})
    assert response.status_code == 422
    assert fetch(app, good).status == "new" and fetch(app, other_round).status == "new"
    assert auth.post(f"/consultations/{OPEN[0]}/{OPEN[1]}/responses/bulk", {"ids": [good]}).status_code == 422


def test_responses_list_filters(client, auth, app):
    safety = insert(app, "gp", *OPEN, safety_concern=True, type="red-flags", section_id="red-flags")
    fife = insert(app, "gp-fife", *OPEN, answers={"fit-threshold-deliverable": "No"}, themes=["rural access"])
    auth.login("cfsd")
    base = f"/consultations/{OPEN[0]}/{OPEN[1]}/responses"

    def listed(query):
        page = client.get(f"{base}?{query}").get_data(as_text=True)
        return {i for i in (safety, fife) if f">FB-{i}<" in page}

    assert listed("") == {safety, fife}
    assert listed("safety=yes") == {safety}
    assert listed("board=fife") == {fife}
    assert listed("type=red-flags") == {safety}
    assert listed("section=red-flags") == {safety}
    assert listed("theme=rural+access") == {fife}
    assert listed("answers.fit-threshold-deliverable=No") == {fife}
    assert listed("q=comment&anonymous=no") == {safety, fife}
    assert listed("submitted_from=2099-01-01") == set()
    bad = client.get(f"{base}?submitted_to=yesterday")
    assert bad.status_code == 200 and "submitted_to must be a date" in bad.get_data(as_text=True)


def test_the_number_of_responses_shown_matches_the_list_under_each_filter(client, auth, app):
    import re

    insert(app, "gp", *OPEN, safety_concern=True, type="red-flags", section_id="red-flags")
    insert(app, "gp", *OPEN, status="accepted", type="red-flags")
    insert(app, "gp-fife", *OPEN, status="acknowledged", section_id="red-flags")
    insert(app, "gp-fife", *OPEN, status="withdrawn", type="red-flags", section_id="red-flags")
    insert(app, "gp-fife", *OPEN, status="draft", safety_concern=True)
    auth.login("cfsd")
    base = f"/consultations/{OPEN[0]}/{OPEN[1]}/responses"
    expected = {"": 3, "type=red-flags": 2, "section=red-flags": 2, "section=whole-pathway": 1,
                "status=accepted": 1, "status=withdrawn": 1, "safety=yes": 1, "safety=no": 2,
                "type=red-flags&status=new": 1, "type=other": 0}
    for query, number in expected.items():
        page = client.get(f"{base}?{query}").get_data(as_text=True)
        shown = int(re.search(r"<strong>([\d,]+) responses?</strong>", page).group(1))
        listed = len(re.findall(r">FB-\d+<", page))
        assert shown == listed == number, query


def test_the_list_pages_through_every_response_safety_concerns_first_then_newest(client, auth, app, monkeypatch):
    import re
    from datetime import datetime, timedelta, timezone

    from plugins.feedback import cfsd

    monkeypatch.setattr(cfsd, "PAGE_SIZE", 2)
    t0 = datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)
    ids = {n: insert(app, "gp", *OPEN, submitted_at=t0 + timedelta(hours=n), safety_concern=n in (1, 3))
           for n in (2, 0, 3, 4, 1)}
    insert(app, "gp", *OPEN, status="withdrawn", submitted_at=t0 + timedelta(hours=9))
    auth.login("cfsd")
    base = f"/consultations/{OPEN[0]}/{OPEN[1]}/responses"
    shown = [int(i) for n in (1, 2, 3)
             for i in re.findall(r">FB-(\d+)<", client.get(f"{base}?page={n}").get_data(as_text=True))]
    assert shown == [ids[n] for n in (3, 1, 4, 2, 0)]


def test_events_fire_after_commit(client, app):
    feedback_id = client.post(API, json=api_body(), headers=token(app, "gp")).get_json()["id"]
    submitted = events(app, "submitted")
    assert [e[1]["id"] for e in submitted] == [feedback_id] and submitted[0][1]["board"] == "lothian"
    search = events(app, "search")[-1]
    assert [d.id for d in search[1]] == [f"feedback:{feedback_id}"]
    assert search[1][0].roles == frozenset({"cfsd", "admin"}) and search[1][0].plugin == "feedback"
    client.post(f"/api/v1/feedback/{feedback_id}/triage", json={"status": "accepted"}, headers=token(app, "cfsd"))
    assert events(app, "status")[-1][2:] == ("new", "accepted")
    client.post(API, json=api_body(draft=True), headers=token(app, "gp"))
    assert len(events(app, "submitted")) == 1  # a draft is not a submission
    client.delete(f"/api/v1/feedback/{feedback_id}", headers=token(app, "gp"))
    assert events(app, "search")[-1][2] == [f"feedback:{feedback_id}"]


@pytest.mark.parametrize("app_config", [{"PLUGINS": [LISTENER], "FEEDBACK_LISTENER_RAISES": True}])
def test_a_failing_listener_loses_nothing(client, app, caplog):
    response = client.post(API, json=api_body(), headers=token(app, "gp"))
    assert response.status_code == 201
    feedback_id = response.get_json()["id"]
    assert fetch(app, feedback_id).status == "new"
    triaged = client.post(f"/api/v1/feedback/{feedback_id}/triage", json={"status": "accepted"},
                          headers=token(app, "cfsd"))
    assert triaged.status_code == 200 and fetch(app, feedback_id).status == "accepted"
    assert any("feedback_listener failed" in r.getMessage() for r in caplog.records)
