"""The outbox: events are written with their change, delivered after the commit, in order per record,
at least once with ids a listener can use, found by the sweep when the queue never got them, and set
aside (and retried from the admin page) when they keep failing."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from pathway_review import outbox
from pathway_review.contracts import SearchDocument
from pathway_review.models import OutboxEvent, utcnow
from tests.feedback_support import OPEN, api_body, token
from tests.fixture_plugins import event_ledger
from tests.jobs_support import pending_events

API = f"/api/v1/pathways/{OPEN[0]}/feedback"


@pytest.fixture
def app_config():
    # The whoosh index is fed by the worker, so what the sweep delivers shows in search (PostgreSQL search
    # is written with the change itself; see tests/test_search_postgres.py).
    return {"PLUGINS": ["tests.fixture_plugins.event_ledger", "tests.fixture_plugins.feedback_listener"],
            "QUEUE_SWEEP_AFTER": 0, "SEARCH_BACKEND": "whoosh"}


def db(app):
    return app.extensions["pathway_review.db"]


def submit(client, app, text="The FIT threshold moves work onto practices.") -> int:
    response = client.post(API, json=api_body(text=text), headers=token(app, "gp"))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def events(app, name=None) -> list[OutboxEvent]:
    with db(app).sessions() as session:
        query = select(OutboxEvent).order_by(OutboxEvent.id)
        return list(session.scalars(query.where(OutboxEvent.name == name) if name else query))


def heard(app) -> list:
    return app.extensions.get("feedback_listener.events", [])


def test_a_submission_is_delivered_after_its_commit_with_its_event_id(app, client):
    feedback_id = submit(client, app)
    [event] = events(app, "feedback_submitted")
    assert event.delivered_at is not None and event.key == f"feedback:{feedback_id}"
    assert event_ledger.acted_on(app) == [(event.id, feedback_id)]
    assert [e[1]["id"] for e in heard(app) if e[0] == "submitted"] == [feedback_id]


def test_an_event_rolled_back_with_its_change_never_happens(app):
    with db(app).sessions() as session:
        outbox.record(session, "feedback_submitted", about="feedback:1", feedback={"id": 1})
        session.flush()
        session.rollback()
    assert events(app) == [] and heard(app) == []


def test_search_documents_travel_as_json_and_come_back_whole():
    doc = SearchDocument(id="x:1", kind="note", title="T", heading="H", text="body", url="/x/1",
                         roles=frozenset({"cfsd", "admin"}), board="fife", plugin="x")
    assert outbox.decode(outbox.encode({"documents": [doc], "removed": ["x:2"]})) == {
        "documents": [doc], "removed": ["x:2"]}
    with pytest.raises(TypeError):
        outbox.encode({"when": object()})


def test_the_sweep_delivers_what_a_web_process_committed_but_never_handed_over(app, client, auth):
    # As if the web process were killed between its commit and putting the job on the queue.
    auth.login("cfsd")
    assert client.get("/api/v1/search?q=wombat").get_json()["total"] == 0  # the index is built
    db(app).events_committed = None
    feedback_id = submit(client, app, text="Wombat clinics are far away.")
    assert event_ledger.acted_on(app) == []
    assert client.get("/api/v1/search?q=wombat").get_json()["total"] == 0
    assert {e.name for e in pending_events(app)} == {"feedback_submitted", "search_documents_changed"}

    assert outbox.sweep(app) == 2
    assert [feedback for _, feedback in event_ledger.acted_on(app)] == [feedback_id]
    assert client.get("/api/v1/search?q=wombat").get_json()["total"] == 1
    assert pending_events(app) == []


def test_events_about_one_record_wait_for_an_earlier_one_held_by_another_worker(app):
    db(app).events_committed = None
    with db(app).transaction() as session:
        first = outbox.record(session, "feedback_submitted", about="feedback:1", feedback={"id": 1})
        outbox.record(session, "feedback_submitted", about="feedback:2", feedback={"id": 2})
        outbox.record(session, "feedback_submitted", about="feedback:1", feedback={"id": 11})
    with db(app).transaction() as session:  # another worker is delivering the first, right now
        session.execute(update(OutboxEvent).where(OutboxEvent.id == first.id).values(
            claimed_by="elsewhere", claimed_until=utcnow() + timedelta(minutes=1)))
    assert outbox.deliver_pending(app) == 1
    assert [feedback for _, feedback in event_ledger.acted_on(app)] == [2]

    with db(app).transaction() as session:  # that worker died: its hold lapses
        session.execute(update(OutboxEvent).where(OutboxEvent.id == first.id).values(
            claimed_until=utcnow() - timedelta(seconds=1)))
    assert outbox.deliver_pending(app) == 2
    assert [feedback for _, feedback in event_ledger.acted_on(app)] == [2, 1, 11]


def test_a_repeat_delivery_reaches_the_listener_with_the_same_id(app, client):
    feedback_id = submit(client, app)
    with db(app).transaction() as session:  # as if the worker died before marking the batch delivered
        session.execute(update(OutboxEvent).values(delivered_at=None))
    assert outbox.deliver_pending(app) == 2
    deliveries = (event_ledger.ledger(app).parent / "deliveries.txt").read_text().split()
    assert len(deliveries) == 2 and len(set(deliveries)) == 1
    assert [feedback for _, feedback in event_ledger.acted_on(app)] == [feedback_id]


def test_a_batch_that_keeps_failing_is_set_aside_and_retried_from_the_admin_page(app, client, auth):
    app.config["EVENT_LEDGER_FAIL_BATCHES"] = True
    submit(client, app)
    [submitted] = [e for e in pending_events(app) if e.name == "feedback_submitted"]
    assert submitted.attempts == 1 and "target is down" in submitted.last_error
    for _ in range(outbox.MAX_ATTEMPTS):
        with db(app).transaction() as session:
            session.execute(update(OutboxEvent).values(available_at=utcnow()))
        outbox.deliver_pending(app)
    assert all(e.failed_at is not None for e in pending_events(app))

    auth.login("admin")
    page = client.get("/admin/background").get_data(as_text=True)
    assert 'id="outbox-failed">2<' in page and "target is down" in page and "core.outbox_sweep" in page
    app.config["EVENT_LEDGER_FAIL_BATCHES"] = False
    response = auth.post("/admin/background/retry", data={"event": "all"}, follow_redirects=True)
    assert "2 events put back in the queue" in response.get_data(as_text=True)
    assert pending_events(app) == [] and len(event_ledger.acted_on(app)) == 1


def test_a_retry_without_the_form_token_is_refused(app, client, auth):
    app.config["WTF_CSRF_ENABLED"] = True
    auth.login("admin")
    assert client.post("/admin/background/retry", data={"event": "all"}).status_code == 400


def test_events_committed_during_a_delivery_go_out_in_its_next_round_not_a_nested_one(app, client, monkeypatch):
    # A burst must not split into one small batch per commit: a job that finds a delivery running asks it
    # to go round again instead of delivering beside it.
    real, depth, deepest, rounds = outbox.deliver_pending, [0], [0], []

    def delivering(app_, limit=outbox.BATCH):
        depth[0] += 1
        deepest[0] = max(deepest[0], depth[0])
        try:
            if not rounds:  # a commit with an event lands while the first round is delivering
                with db(app).transaction() as session:
                    outbox.record(session, "feedback_submitted", about="feedback:99", feedback={"id": 99})
            rounds.append(real(app_, limit))
            return rounds[-1]
        finally:
            depth[0] -= 1

    monkeypatch.setattr(outbox, "deliver_pending", delivering)
    feedback_id = submit(client, app)
    assert deepest[0] == 1 and len(rounds) >= 2
    assert sorted(feedback for _, feedback in event_ledger.acted_on(app)) == [feedback_id, 99]
    assert pending_events(app) == []
