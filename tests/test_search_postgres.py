"""The PostgreSQL backend: a change is searchable as it commits (no worker needed), a rolled-back one never is,
a failing in-transaction listener cannot stop a submission, and PostgreSQL search on SQLite is refused."""
import logging

import pytest
from sqlalchemy import select, text

from pathway_review import hookimpl, outbox, serving
from pathway_review.contracts import SearchDocument
from pathway_review.models import PluginFailure
from plugins.search.testing import ON_POSTGRES
from tests.feedback_support import OPEN, api_body, token
from tests.jobs_support import deliver_outbox, pending_events

API = f"/api/v1/pathways/{OPEN[0]}/feedback"
needs_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="needs PATHWAY_REVIEW_TEST_DATABASE_URL set to PostgreSQL")


class BrokenListener:
    """Fails inside the transaction with an SQL error, which on PostgreSQL aborts a transaction."""

    @hookimpl
    def events_recorded(self, session, events):
        session.execute(text("SELECT no_such_column FROM no_such_table"))


@pytest.fixture
def app_config():
    # No immediate queue: nothing is delivered by the worker unless the test runs its jobs.
    return {"QUEUE_IMMEDIATE": False, "PLUGINS": [BrokenListener()], "SEARCH_BACKEND": "postgres"}


def cfsd_search(client, app, q):
    response = client.get("/api/v1/search", query_string={"q": q}, headers=token(app, "cfsd"))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def build(runner):
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0 and "postgres" in result.output, result.output


@needs_postgres
def test_feedback_is_found_as_it_commits_before_any_worker_runs(app, client, runner):
    build(runner)
    response = client.post(API, json=api_body(text="Capybara clinics are never available locally."),
                           headers=token(app, "gp"))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert pending_events(app)  # the worker has delivered nothing
    found = cfsd_search(client, app, "capybara")
    assert found["total"] == 1 and "<mark>Capybara</mark>" in found["results"][0]["snippet"]
    assert deliver_outbox(app)  # the worker's later delivery changes nothing
    assert cfsd_search(client, app, "capybara")["total"] == 1


@needs_postgres
def test_a_rolled_back_change_never_reaches_search(app, client, runner):
    build(runner)
    database = app.extensions["pathway_review.db"]
    with pytest.raises(RuntimeError), app.app_context(), database.transaction() as session:
        outbox.record(session, "search_documents_changed", about="core:test", removed=[], documents=[
            SearchDocument(id="core:test", kind="section", title="Okapi", heading="Okapi", text="okapi okapi",
                           url="/pathways/okapi/", plugin="core")])
        session.commit()  # the listener writes; then the surrounding transaction fails
        raise RuntimeError("after the commit")
    assert cfsd_search(client, app, "okapi")["total"] == 1
    with pytest.raises(RuntimeError), app.app_context(), database.transaction() as session:
        outbox.record(session, "search_documents_changed", about="core:test2", removed=[], documents=[
            SearchDocument(id="core:test2", kind="section", title="Okapi two", heading="Tapir", text="tapir",
                           url="/pathways/okapi/", plugin="core")])
        session.flush()
        raise RuntimeError("before the commit")
    assert cfsd_search(client, app, "tapir")["total"] == 0


@needs_postgres
def test_a_failing_listener_in_the_transaction_cannot_stop_a_submission(app, client, runner):
    build(runner)
    response = client.post(API, json=api_body(text="Wombat referrals bounce between clinics."),
                           headers=token(app, "gp"))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert cfsd_search(client, app, "wombat")["total"] == 1
    with app.extensions["pathway_review.db"].sessions() as session:
        failed = session.scalars(select(PluginFailure.hook).where(PluginFailure.plugin == "broken_listener")).all()
    assert failed == ["events_recorded"]  # shown to admins on the plugins page


@pytest.mark.skipif(ON_POSTGRES, reason="the refusal is of PostgreSQL search on a SQLite database")
def test_postgres_search_on_sqlite_is_refused_with_the_reason(app, client, runner, caplog):
    serving.start(app)  # the app fixture has started it already: the log of its start says why
    logged = "\n".join(logging.Formatter().format(r) for r in caplog.get_records("setup") + caplog.records)
    assert "PostgreSQL full-text search needs PostgreSQL. Set SEARCH_BACKEND=whoosh" in logged
    response = client.get("/api/v1/search?q=haematuria", headers=token(app, "gp"))
    assert response.status_code == 503
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 1 and "SEARCH_BACKEND is postgres but DATABASE_URL is a SQLite" in result.output
