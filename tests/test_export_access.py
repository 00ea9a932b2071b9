"""Who may export, and the audit trail every export leaves: who, when, which dataset, filters and rows."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from pathway_review import accounts
from pathway_review.models import AuditEvent, User
from tests.conftest import ACCOUNTS
from tests.fixture_plugins import export_dataset as fixture

PAGES = ["/export/", "/export/records/", "/export/records/download?format=csv"]
API = "/api/v1/export/records.csv"


@pytest.fixture
def app_config():
    return {"PLUGINS": ["tests.fixture_plugins.export_dataset"], "EXPORT_RATE_LIMIT": "1000/60"}


def events(app, action=None):
    with app.extensions["pathway_review.db"].sessions() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(session.scalars(query))


def token_for(app, who: str) -> str:
    with app.extensions["pathway_review.db"].transaction() as session:
        user = session.scalar(select(User).where(User.email == ACCOUNTS[who][0]))
        return accounts.create_token(session, user, "exports")


@pytest.mark.parametrize("who", ["cfsd", "admin"])
def test_cfsd_and_site_admins_can_export_from_the_pages_and_the_api(client, auth, who):
    auth.login(who)
    for url in PAGES + [API]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["gp", "gp-fife", "board-admin", "board-admin-fife"])
def test_everyone_else_is_refused_and_the_refusal_audited(app, client, auth, who):
    auth.login(who)
    for url in PAGES + [API]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Test records" not in response.data and b"=HYPERLINK" not in response.data
    denied = events(app, "permission.denied")
    assert len(denied) == len(PAGES) + 1
    assert {e.actor_email for e in denied} == {ACCOUNTS[who][0]}
    assert events(app, "export") == []


def test_signed_out_people_are_sent_to_sign_in_and_api_callers_told_401(client):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get(API)
    assert response.status_code == 401
    assert response.get_json()["message"]


def test_a_bearer_token_works_for_the_api(app, client):
    token = token_for(app, "cfsd")
    response = client.get(API + "?board=fife", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_data().count(b"\r\n") == 1 + sum(1 for r in fixture.source_rows() if r["board"] == "fife")
    gp_token = token_for(app, "gp")
    assert client.get(API, headers={"Authorization": f"Bearer {gp_token}"}).status_code == 403


def test_a_dataset_limited_to_some_roles_is_refused_to_the_others(client, auth):
    auth.login("cfsd")
    response = client.get("/api/v1/export/admin-only.json")
    assert response.status_code == 403
    assert "admin-only" not in client.get("/api/v1/export/nope.csv").get_json()["datasets"]
    assert b"Admin records" not in client.get("/export/").data
    auth.logout()
    auth.login("admin")
    document = client.get("/api/v1/export/admin-only.json").get_json()
    assert document["rows"] == [{"id": 1, "note": "for site admins only"}]


def test_each_export_is_audited_with_who_what_filters_and_rows(app, client, auth):
    auth.login("cfsd")
    response = client.get("/api/v1/export/records.xlsx?board=lothian&safety=no&pseudonymise=1")
    assert response.status_code == 200
    assert events(app, "export.completed") == [], "the rows are counted as they go out"
    response.get_data()
    started, = events(app, "export")
    assert started.actor_email == ACCOUNTS["cfsd"][0]
    assert started.target == "records"
    assert started.at is not None
    detail = json.loads(started.detail)
    assert detail["filters"] == {"board": "lothian", "safety": False}
    assert detail["format"] == "xlsx" and detail["pseudonymised"] is True and detail["via"] == "api"
    completed, = events(app, "export.completed")
    done = json.loads(completed.detail)
    assert done["export_id"] == detail["export_id"] == response.headers["X-Export-Id"]
    lothian_no_concern = [r for r in fixture.source_rows() if r["board"] == "lothian" and r["safety"] is False]
    assert done["rows"] == len(lothian_no_concern)
    assert completed.actor_email == ACCOUNTS["cfsd"][0]


def test_dates_in_audited_filters_are_readable(app, client, auth):
    auth.login("admin")
    client.get("/export/records/download?format=csv&submitted_from=2026-11-05")
    detail = json.loads(events(app, "export")[0].detail)
    assert detail["filters"] == {"submitted_from": "2026-11-05"} and detail["via"] == "web"


def test_a_download_abandoned_part_way_is_audited_as_incomplete(app, client, auth):
    auth.login("cfsd")
    response = client.get(API, buffered=False)
    response.close()
    outcome, = events(app, "export.incomplete")
    assert json.loads(outcome.detail)["export_id"] == response.headers["X-Export-Id"]
    assert events(app, "export.completed") == []


def test_a_dataset_that_fails_gets_an_error_page_and_an_audit_line(app, client, auth):
    auth.login("cfsd")
    response = client.get("/api/v1/export/broken.csv")
    assert response.status_code == 500
    assert b"could not be read" not in response.data, "no exception details reach the page"
    failed, = events(app, "export.failed")
    assert json.loads(failed.detail)["error"] == "RuntimeError"


@pytest.mark.parametrize("app_config", [{"PLUGINS": ["tests.fixture_plugins.export_dataset"],
                                         "EXPORT_RATE_LIMIT": "2/600"}])
def test_exports_are_rate_limited_per_person(app, client, auth):
    auth.login("cfsd")
    assert client.get(API).status_code == 200
    assert client.get(API).status_code == 200
    response = client.get(API)
    assert response.status_code == 429
    assert len(events(app, "export.rate_limited")) == 1
    assert len(events(app, "export")) == 2
