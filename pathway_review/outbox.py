"""The transactional outbox: events written in the same transaction as the change they tell of.

A service function calls :func:`record` before its caller commits; if the transaction rolls back, the
event never existed. After the commit the database hands the new rows to the job queue (see
``db.hand_over_events``), and a worker delivers them through the event hooks with :func:`deliver_pending`.
A periodic sweep delivers any row the queue never received, so a process killed at any moment loses
nothing. Delivery is at least once: every listener may take ``event_id`` to notice a repeat.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, text, update

from .contracts import SearchDocument
from .models import OutboxEvent, as_utc, utcnow

log = logging.getLogger(__name__)

BATCH = 500
# How often a batch is tried before it is set aside as failed (shown on Admin → Background work).
MAX_ATTEMPTS = 8
_DOCUMENT = "__search_document__"


def record(session, name: str, about: str | None = None, **payload: Any) -> OutboxEvent:
    """Write event ``name`` in ``session``'s transaction; listeners get ``payload`` as keyword arguments.

    ``about`` names the record the event concerns (e.g. ``"feedback:12"``): events about one record are
    delivered in the order they were written. Values must be JSON-able; a
    :class:`~pathway_review.contracts.SearchDocument` and sets are converted both ways.
    """
    now = utcnow()
    row = OutboxEvent(name=name, key=(about or name)[:200], payload=encode(payload), created_at=now,
                      available_at=now, attempts=0)
    # Written as the transaction commits, every event of it in one statement (see write_recorded).
    session.info.setdefault("pr_outbox_new", []).append(row)
    session.info.setdefault("pr_outbox", []).append(row)
    return row


_WRITTEN = ("name", "key", "payload", "created_at", "available_at", "attempts")
_INSERT = OutboxEvent.__table__.insert().returning(OutboxEvent.__table__.c.id)


def write_recorded(session) -> None:
    """Insert the events recorded in ``session``'s transaction in one statement, and give each its id.

    The ORM would insert them one by one (SQLite offers it no way to match returned ids to rows).
    Ids rise in the order the rows are listed, on SQLite and PostgreSQL alike.
    """
    rows = session.info.pop("pr_outbox_new", None)
    if not rows:
        return
    values = [{name: getattr(row, name) for name in _WRITTEN} for row in rows]
    if len(rows) == 1:
        ids = [session.execute(_INSERT, values[0]).scalar_one()]
    else:
        ids = sorted(session.execute(_INSERT, values).scalars())  # one statement: insertmanyvalues
    for row, event_id in zip(rows, ids):
        row.id = event_id


def encode(payload: dict) -> str:
    def convert(value):
        if isinstance(value, SearchDocument):
            return {_DOCUMENT: value.to_dict()}
        if isinstance(value, (set, frozenset)):
            return sorted(value)
        raise TypeError(f"an event's payload must be JSON-able, not {type(value).__name__}")

    return json.dumps(payload, default=convert, sort_keys=True)


def decode(payload: str) -> dict:
    def restore(value: dict):
        return SearchDocument.from_dict(value[_DOCUMENT]) if _DOCUMENT in value else value

    return json.loads(payload, object_hook=restore)


# ---- in the transaction ----------------------------------------------------------------------------

def init_app(app) -> None:
    """Have ``events_recorded`` listeners hear each transaction's events before it commits."""
    app.extensions["pathway_review.db"].events_recording = lambda session, rows: _recorded(app, session, rows)


def _recorded(app, session, rows: list[OutboxEvent]) -> None:
    plugins = app.extensions.get("pathway_review.plugins")
    if plugins is None or not plugins.implemented("events_recorded"):
        return
    rows = [row for row in rows if row.delivered_at is None and row.attempts == 0]  # not retries
    if not rows:
        return
    session.flush()  # every row has its id
    events = [{"id": row.id, "name": row.name, "about": row.key, "payload": decode(row.payload)} for row in rows]
    # A savepoint per listener: one that fails (even with an SQL error, which on PostgreSQL would
    # abort the whole transaction) has only its own writes undone, and the change still commits. The
    # connection's savepoint, not the session's: releasing a session savepoint fires the session's
    # commit events, which would hand the events to the queue before the transaction commits.
    connection = session.connection()
    plugins.call("events_recorded", app=app, session=session, events=events, around=connection.begin_nested)


# ---- delivery (in the worker) -------------------------------------------------------------------------

def deliver_pending(app, limit: int = BATCH) -> int:
    """Deliver every event that can be delivered now, a batch at a time; returns how many were."""
    delivered = 0
    while True:
        token = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        rows = _claim(app, token, limit)
        if not rows:
            return delivered
        if _deliver(app, token, rows):
            delivered += len(rows)


def _claim(app, token: str, limit: int) -> list[OutboxEvent]:
    """Take the oldest deliverable rows for this worker alone.

    A row waits while an earlier row about the same record is held by another worker or is backing off,
    so events about one record are never delivered out of order, whatever the number of workers.
    """
    database = app.extensions["pathway_review.db"]
    lease = timedelta(seconds=float(app.config.get("QUEUE_CLAIM_SECONDS", 120)))
    # Most jobs find their event delivered already, by a batch that took it along: say so without
    # taking the write lock the web requests need.
    with database.sessions() as session:
        now = utcnow()
        if session.scalar(select(OutboxEvent.id).where(
                OutboxEvent.delivered_at.is_(None), OutboxEvent.failed_at.is_(None), OutboxEvent.available_at <= now,
                or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until <= now)).limit(1)) is None:
            return []
    with database.transaction() as session:
        if not database.is_sqlite:
            # Claims are brief; taking them one at a time keeps two workers from splitting a record's events.
            session.execute(text("SELECT pg_advisory_xact_lock(72010001)"))
        now = utcnow()
        candidates = session.execute(
            select(OutboxEvent.id, OutboxEvent.key, OutboxEvent.claimed_until, OutboxEvent.available_at)
            .where(OutboxEvent.delivered_at.is_(None), OutboxEvent.failed_at.is_(None))
            .order_by(OutboxEvent.id).limit(limit)).all()
        blocked, take = set(), []
        for row in candidates:
            held = row.claimed_until is not None and as_utc(row.claimed_until) > now
            if held or as_utc(row.available_at) > now or row.key in blocked:
                blocked.add(row.key)
                continue
            take.append(row.id)
        if not take:
            return []
        session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(take)).values(
            claimed_by=token, claimed_until=now + lease, attempts=OutboxEvent.attempts + 1))
        return list(session.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(take)).order_by(OutboxEvent.id)))


def _deliver(app, token: str, rows: list[OutboxEvent]) -> bool:
    plugins = app.extensions["pathway_review.plugins"]
    ids = [row.id for row in rows]
    try:
        with app.app_context():
            for row in rows:
                caller = getattr(plugins.hook, row.name, None)
                if caller is None:
                    log.warning("outbox event %s names no hook (%s); nobody listens to it", row.id, row.name)
                    continue
                payload = decode(row.payload)
                if row.name == "plugin_enablement_changed":
                    from .boards import deliver_switch

                    deliver_switch(app, event_id=row.id, **payload)  # the plugin concerned hears it first
                else:
                    plugins.notify(row.name, app=app, event_id=row.id, **payload)
            # Listeners that gathered the batch (the search index) apply it now, before it counts as delivered.
            # Not isolated: a listener that raises has the whole batch delivered again.
            plugins.call("events_delivered", app=app, event_ids=ids)
    except Exception as exc:
        log.exception("outbox events %s..%s could not be delivered; they will be tried again", ids[0], ids[-1])
        _set_back(app, rows, exc)
        return False
    with app.extensions["pathway_review.db"].transaction() as session:
        session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(ids)).values(
            delivered_at=utcnow(), claimed_by=None, claimed_until=None, last_error=None))
    return True


def _set_back(app, rows: list[OutboxEvent], exc: Exception) -> None:
    now = utcnow()
    with app.extensions["pathway_review.db"].transaction() as session:
        for row in rows:
            values = {"claimed_by": None, "claimed_until": None, "last_error": repr(exc)[:2000]}
            if row.attempts >= MAX_ATTEMPTS:
                values["failed_at"] = now
            else:
                values["available_at"] = now + timedelta(seconds=min(300, 2 ** row.attempts))
            session.execute(update(OutboxEvent).where(OutboxEvent.id == row.id).values(**values))


# ---- the sweep and the admin page ---------------------------------------------------------------------

def sweep(app) -> int:
    """Deliver events the queue never received (a process died between commit and hand-over, the queue
    was down); forget delivered events after ``OUTBOX_KEEP_DAYS``."""
    database = app.extensions["pathway_review.db"]
    cutoff = utcnow() - timedelta(seconds=float(app.config.get("QUEUE_SWEEP_AFTER", 30)))
    with database.sessions() as session:
        forgotten = session.scalar(select(func.count(OutboxEvent.id)).where(
            OutboxEvent.delivered_at.is_(None), OutboxEvent.failed_at.is_(None), OutboxEvent.created_at <= cutoff))
    delivered = deliver_pending(app) if forgotten else 0
    keep = utcnow() - timedelta(days=float(app.config.get("OUTBOX_KEEP_DAYS", 7)))
    with database.transaction() as session:
        session.execute(delete(OutboxEvent).where(OutboxEvent.delivered_at < keep))
    return delivered


def counts(session) -> dict[str, int]:
    pending = session.scalar(select(func.count(OutboxEvent.id)).where(
        OutboxEvent.delivered_at.is_(None), OutboxEvent.failed_at.is_(None)))
    failed = session.scalar(select(func.count(OutboxEvent.id)).where(OutboxEvent.failed_at.is_not(None)))
    return {"pending": pending or 0, "failed": failed or 0}


def failed_events(session, limit: int = 50) -> list[OutboxEvent]:
    return list(session.scalars(select(OutboxEvent).where(OutboxEvent.failed_at.is_not(None))
                                .order_by(OutboxEvent.id).limit(limit)))


def retry(session, event_ids: list[int] | None = None) -> int:
    """Put failed events back in line (all of them, or these); the caller commits, then the queue has them."""
    query = select(OutboxEvent).where(OutboxEvent.failed_at.is_not(None))
    if event_ids is not None:
        query = query.where(OutboxEvent.id.in_(event_ids))
    rows = list(session.scalars(query))
    now = utcnow()
    for row in rows:
        row.failed_at, row.attempts, row.available_at, row.last_error = None, 0, now, None
    # Handed over after the commit like a new event, so the retry does not wait for the sweep.
    session.info.setdefault("pr_outbox", []).extend(rows)
    return len(rows)
