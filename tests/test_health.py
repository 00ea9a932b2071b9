"""/healthz and /readyz for load balancers, and pages when the database or Redis cannot be reached.

The unreachable services are real addresses nobody listens on (a loopback port just found free), so the
drivers fail as they would against a stopped server: no fake connection, no patched driver.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pathway_review import create_app
from pathway_review.models import AuditEvent, LoginSession
from tests.conftest import SAMPLE_PATHWAYS, make_app
from tests.feedback_support import OPEN, api_body, token
from tests.fixture_plugins import formulary_service
from tests.jobs_support import pending_events


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free once the socket closes: connections to it are refused


@pytest.fixture
def app_without_database(tmp_path):
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/pathway_review"
    app = create_app({"TESTING": True, "INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": url,
                      "PATHWAYS_DIR": str(SAMPLE_PATHWAYS), "SECRET_KEY": "test-secret", "QUEUE_IMMEDIATE": True})
    yield app
    app.extensions["pathway_review.db"].dispose()


@pytest.fixture
def app_without_redis(tmp_path, database_url):
    app = make_app(tmp_path, database_url, QUEUE_IMMEDIATE=False,
                   QUEUE_URL=f"redis://127.0.0.1:{closed_port()}/0", QUEUE_NAME="pathway-review-unreachable")
    yield app
    app.extensions["pathway_review.db"].dispose()


def bookkeeping(app) -> tuple[int, int]:
    with app.extensions["pathway_review.db"].sessions() as session:
        return (session.scalar(select(func.count()).select_from(AuditEvent)),
                session.scalar(select(func.count()).select_from(LoginSession)))


def test_both_answer_without_sign_in_and_leave_no_trace(app, client):
    before = bookkeeping(app)
    health = client.get("/healthz")
    assert (health.status_code, health.get_json()) == (200, {"status": "ok"})
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.get_json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["queue"] == {"ok": True, "waiting": 0}
    for response in (health, ready):
        assert "Set-Cookie" not in response.headers, "no session is started for a probe"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert bookkeeping(app) == before, "no audit event and no session row for a probe"


def test_readyz_says_which_search_backend_answers(app, client):
    search = client.get("/readyz").get_json()["checks"]["search"]
    assert search["ok"] is True
    expected = "whoosh" if app.config["DATABASE_URL"].startswith("sqlite") else "postgres"
    assert search["backend"] == expected


def test_both_are_in_the_openapi_document_as_public(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths["/healthz"]["get"]["security"] == [] and paths["/readyz"]["get"]["security"] == []
    assert {"200", "503"} <= paths["/readyz"]["get"]["responses"].keys()


def test_healthz_touches_no_database_and_readyz_names_it(app_without_database):
    client = app_without_database.test_client()
    assert client.get("/healthz").status_code == 200
    with client.session_transaction() as session:
        session["sid"] = "a session cookie sent along with the probe"
    assert client.get("/healthz").status_code == 200, "the session is not looked up for a probe"
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["Retry-After"].isdigit()
    body = ready.get_json()
    # PostgreSQL's search is rows in that same database, so it is named too.
    assert body["status"] == "not ready" and body["failing"] == ["database", "search"]
    assert body["checks"]["database"] == {"ok": False, "problem": "unreachable (OperationalError)"}
    assert body["checks"]["queue"]["ok"] is True
    assert "127.0.0.1" not in ready.get_data(as_text=True), "a public page does not say where the database is"


def test_pages_that_need_the_database_answer_503_with_retry_after(app_without_database):
    client = app_without_database.test_client()
    with client.session_transaction() as session:
        session["sid"] = "a session from before the database went away"
    page = client.get(f"/pathways/{OPEN[0]}/")
    assert page.status_code == 503
    assert page.headers["Retry-After"].isdigit()
    text = page.get_data(as_text=True)
    assert "Sorry, the service is unavailable" in text and "What you saved before is safe" in text
    assert "nhsuk-header" in text and "Traceback" not in text and "OperationalError" not in text
    api = client.get("/api/v1/pathways", headers={"Authorization": "Bearer prt_whatever"})
    assert api.status_code == 503 and api.headers["Retry-After"].isdigit()
    assert api.get_json()["error"] == "Sorry, the service is unavailable"


def test_signing_in_while_the_database_is_away_is_a_503_not_a_500(app_without_database):
    client = app_without_database.test_client()
    login = client.get("/login")
    assert login.status_code == 200  # the form needs no database
    token_ = login.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.post("/login", data={"email": "gp@lothian.example", "password": "whatever",
                                         "csrf_token": token_})
    assert answer.status_code == 503 and answer.headers["Retry-After"].isdigit()


def test_readyz_names_the_queue_when_redis_is_away_and_nothing_submitted_is_lost(app_without_redis):
    client = app_without_redis.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    body = ready.get_json()
    assert body["failing"] == ["queue"]
    assert body["checks"]["queue"] == {"ok": False, "problem": "unreachable (ConnectionError)"}
    assert body["checks"]["database"] == {"ok": True}
    # Submitting needs the database, not the queue: the event waits in the outbox for the sweep.
    submitted = client.post(f"/api/v1/pathways/{OPEN[0]}/feedback", json=api_body(text="Saved while Redis is away"),
                            headers=token(app_without_redis, "gp"))
    assert submitted.status_code == 201
    assert "feedback_submitted" in [event.name for event in pending_events(app_without_redis)]


@pytest.mark.parametrize("answer, problem", [
    ("the formulary answers 502", "the formulary answers 502"),
    (ConnectionRefusedError("formulary.internal:443"), "unreachable (ConnectionRefusedError)"),
])
def test_a_plugins_readiness_check_is_named_when_it_fails(tmp_path, database_url, answer, problem):
    app = make_app(tmp_path, database_url, PLUGINS=["tests.fixture_plugins.formulary_service"])
    client = app.test_client()
    try:
        assert client.get("/readyz").get_json()["checks"]["formulary"] == {"ok": True}
        formulary_service.STATE["answer"] = answer
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.get_json()["failing"] == ["formulary"]
        assert ready.get_json()["checks"]["formulary"] == {"ok": False, "problem": problem}
    finally:
        formulary_service.STATE["answer"] = None
        app.extensions["pathway_review.db"].dispose()


def test_a_worker_without_redis_says_so_in_one_line(app_without_redis):
    config = app_without_redis.config
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PATHWAY_REVIEW_") and key != "DATABASE_URL"}
    env.update(PATHWAY_REVIEW_INSTANCE_PATH=config["INSTANCE_PATH"], PATHWAY_REVIEW_DATABASE_URL=config["DATABASE_URL"],
               PATHWAY_REVIEW_PATHWAYS_DIR=config["PATHWAYS_DIR"], PATHWAY_REVIEW_QUEUE_URL=config["QUEUE_URL"])
    result = subprocess.run([str(Path(sys.executable).parent / "pathway-review"), "worker"], env=env, timeout=120,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        "Error: the job queue cannot be reached (ConnectionError: Error 111 connecting to 127.0.0.1:")
