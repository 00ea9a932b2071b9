"""Per-consultation counts kept current as feedback is written, so the dashboard reads a few hundred rows
whatever the number of responses.

Every flush that adds, changes or removes a feedback row adds what the row now counts for and takes away
what it counted for before (by section, type, board, status, answer, day of submission, answered sections
for "You said, we did", and per GP), in the same transaction.
Counting at the model, not in the service functions, means no way of writing feedback can miss it.
The GP rows also keep the extra GP hours a year from that GP's latest response that estimated them.
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String, and_, case, event, inspect, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from pathway_review.plugin_api import Base, as_utc

from .models import ANSWERED, SUBMITTED, Feedback
from .questions import MINUTES_ID, PATIENTS_ID

FIELDS = ("pathway_slug", "version", "status", "safety_concern", "section_id", "type", "board_id", "user_id",
          "answers", "submitted_at", "id", "response")


class FeedbackTally(Base):
    """How many counted responses to one consultation fall under one value of one dimension."""
    __tablename__ = "feedback_tally"
    # Written beside the feedback rows it counts, which already move the version's cache mark.
    __table_args__ = {"info": {"page_scope": "ignore"}}
    pathway_slug: Mapped[str] = mapped_column(String(128), primary_key=True)
    version: Mapped[str] = mapped_column(String(16), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[float | None] = mapped_column(Float, nullable=True)            # GP rows: hours a year
    latest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def hours(answers: dict) -> float | None:
    minutes, patients = answers.get(MINUTES_ID), answers.get(PATIENTS_ID)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (minutes, patients)):
        return minutes * patients / 60
    return None


def counts_for(row: dict) -> Counter:
    """What one feedback row (as a dict of FIELDS) counts for: nothing unless it is a response."""
    if row["status"] not in SUBMITTED:
        return Counter()
    found = Counter({("total", ""): 1, ("section", row["section_id"] or ""): 1, ("type", row["type"] or ""): 1,
                     ("board", str(row["board_id"] or "")): 1, ("status", row["status"]): 1,
                     ("gp", str(row["user_id"])): 1})
    if row["safety_concern"]:
        found[("safety", "")] += 1
    if row["submitted_at"] is not None:  # the day in UTC, whichever database handed the time back
        found[("day", as_utc(row["submitted_at"]).date().isoformat())] += 1
    if replied(row):  # shown on "You said, we did", which pages through them section by section
        found[("replied", row["section_id"] or "")] += 1
    for qid, value in _answers(row).items():
        if value is None:
            continue
        found[("answered", qid[:200])] += 1
        for choice in value if isinstance(value, list) else [value]:
            if isinstance(choice, str):
                found[("answer", f"{qid}={choice}"[:200])] += 1
    return found


def replied(row: dict) -> bool:
    """Answered by CfSD with a reply the GPs can read (what models.REPLIED selects in SQL)."""
    return row["status"] in ANSWERED and row.get("response") not in (None, "")


def _answers(row: dict) -> dict:
    try:
        found = json.loads(row["answers"] or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _state(obj, before: bool) -> dict:
    state, out = inspect(obj), {}
    for name in FIELDS:
        history = state.attrs[name].history
        values = (history.deleted or history.unchanged) if before else (history.added or history.unchanged)
        out[name] = values[0] if values else None
    return out


_UPSERTS: dict = {}


def upsert(dialect: str):
    """One statement adding counts (run with a list of rows: compiled once, sent as one executemany)."""
    found = _UPSERTS.get(dialect)
    if found is not None:
        return found
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = FeedbackTally.__table__
    statement = insert(table)
    new = statement.excluded
    later = and_(new.amount.is_not(None), or_(table.c.latest_at.is_(None), new.latest_at >= table.c.latest_at))
    found = _UPSERTS[dialect] = statement.on_conflict_do_update(
        index_elements=[table.c.pathway_slug, table.c.version, table.c.dimension, table.c.value],
        set_={"count": table.c.count + new.count,
              "amount": case((later, new.amount), else_=table.c.amount),
              "latest_at": case((later, new.latest_at), else_=table.c.latest_at)})
    return found


def _recount_hours(session: Session, slug: str, version: str, user_id: int) -> None:
    """The GP's estimate from their latest response that has one, after a response left or changed."""
    latest, at = None, None
    for answers, submitted_at in session.execute(
            select(Feedback.answers, Feedback.submitted_at).where(
                Feedback.pathway_slug == slug, Feedback.version == version, Feedback.user_id == user_id,
                Feedback.status.in_(SUBMITTED)).order_by(Feedback.submitted_at.desc(), Feedback.id.desc())):
        latest = hours(_answers({"answers": answers}))
        if latest is not None:
            at = submitted_at
            break
    session.execute(update(FeedbackTally).where(
        FeedbackTally.pathway_slug == slug, FeedbackTally.version == version, FeedbackTally.dimension == "gp",
        FeedbackTally.value == str(user_id)).values(amount=latest, latest_at=at))


@event.listens_for(Session, "after_flush")
def _count(session: Session, _context) -> None:
    changed = [o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, Feedback)]
    if not changed:
        return
    deltas: Counter = Counter()
    estimates: dict[tuple, tuple] = {}
    recount: set[tuple] = set()
    for obj in changed:
        is_new, gone = obj in session.new, obj in session.deleted
        if not (is_new or gone or session.is_modified(obj)):
            continue
        before = None if is_new else _state(obj, before=True)
        after = None if gone else _state(obj, before=False)
        old, new = (counts_for(before) if before else Counter()), (counts_for(after) if after else Counter())
        for (dimension, value), n in old.items():
            deltas[(before["pathway_slug"], before["version"], dimension, value)] -= n
        for (dimension, value), n in new.items():
            deltas[(after["pathway_slug"], after["version"], dimension, value)] += n
        old_hours = hours(_answers(before)) if old else None
        new_hours = hours(_answers(after)) if new else None
        if old_hours is not None or (old and new and old_hours != new_hours):
            recount.add((before["pathway_slug"], before["version"], before["user_id"]))
        elif new_hours is not None:
            key = (after["pathway_slug"], after["version"], "gp", str(after["user_id"]))
            at = as_utc(after["submitted_at"])
            if key not in estimates or (at and estimates[key][1] and at >= estimates[key][1]):
                estimates[key] = (new_hours, at)
    rows = [{"pathway_slug": slug, "version": version, "dimension": dimension, "value": value, "count": n,
             "amount": estimates.get((slug, version, dimension, value), (None, None))[0],
             "latest_at": estimates.get((slug, version, dimension, value), (None, None))[1]}
            for (slug, version, dimension, value), n in sorted(deltas.items())
            if n or (slug, version, dimension, value) in estimates]
    if rows:
        session.execute(upsert(session.get_bind().dialect.name), rows)
    for slug, version, user_id in sorted(recount):
        _recount_hours(session, slug, version, user_id)


def _totals(rows, dimensions=None) -> list[dict]:
    """The tally rows that ``rows`` (feedback as dicts of FIELDS, any order) count for, ready to upsert;
    only those of ``dimensions`` when given."""
    totals: Counter = Counter()
    latest: dict[tuple, tuple] = {}
    for row in rows:
        for (dimension, value), n in counts_for(row).items():
            if dimensions is None or dimension in dimensions:
                totals[(row["pathway_slug"], row["version"], dimension, value)] += n
        estimate = hours(_answers(row)) if row["status"] in SUBMITTED else None
        if dimensions is not None and "gp" not in dimensions:
            estimate = None
        if estimate is not None:  # a later estimate of the same GP replaces an earlier one
            key = (row["pathway_slug"], row["version"], "gp", str(row["user_id"]))
            at = as_utc(row["submitted_at"])
            if key not in latest or (at and latest[key][1] and at >= latest[key][1]):
                latest[key] = (estimate, at)
    return [{"pathway_slug": k[0], "version": k[1], "dimension": k[2], "value": k[3], "count": n,
             "amount": latest.get(k, (None, None))[0], "latest_at": latest.get(k, (None, None))[1]}
            for k, n in sorted(totals.items())]


def backfill(connection, dimensions=None) -> None:
    """Count every stored response once (the migration that adds the tally runs this; a migration adding a
    dimension counts only ``dimensions``)."""
    table = Feedback.__table__
    rows = connection.execute(select(*(table.c[name] for name in FIELDS))
                              .where(table.c.status.in_(SUBMITTED))).mappings()
    batch = _totals(rows, dimensions)
    for start in range(0, len(batch), 1000):
        connection.execute(FeedbackTally.__table__.insert(), batch[start:start + 1000])


def count_inserted(session: Session, rows: list[dict]) -> None:
    """Count feedback written with a bulk insert, which no flush sees (the demo generator's)."""
    batch = _totals(rows)
    if batch:
        session.execute(upsert(session.get_bind().dialect.name), batch)
