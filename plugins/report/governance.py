"""The governance record of a pathway version: four approval steps, in order, kept as an append-only history.

A step's decision is its latest entry (a correction is a new entry, never an edit). A step can be recorded
only once every step before it is approved, so the record cannot claim sign-off by a group that had nothing
approved to sign; "Signed off" needs all four approved.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .models import DECISIONS, STEPS, GovernanceEntry

NOTE_LIMIT = 2000


class GovernanceRefused(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class StepState:
    step: str
    label: str
    latest: GovernanceEntry | None

    @property
    def approved(self) -> bool:
        return self.latest is not None and self.latest.decision == "approved"


@dataclass(frozen=True)
class Record:
    steps: list[StepState]
    history: list[GovernanceEntry]

    @property
    def signed_off(self) -> bool:
        return all(s.approved for s in self.steps)

    @property
    def next_step(self) -> str | None:
        """The first step not yet approved: the only one that may be recorded besides corrections."""
        return next((s.step for s in self.steps if not s.approved), None)


def record_for(session, slug: str, version: str) -> Record:
    history = list(session.scalars(select(GovernanceEntry).where(
        GovernanceEntry.pathway_slug == slug, GovernanceEntry.version == version)
        .order_by(GovernanceEntry.recorded_at, GovernanceEntry.id)))
    latest = {entry.step: entry for entry in history}
    return Record([StepState(step, label, latest.get(step)) for step, label in STEPS.items()], history)


def add_entry(session, slug: str, version: str, user, form) -> GovernanceEntry:
    """Append a decision; refuses a step out of order, an unknown step or decision, or a bad date."""
    step, decision = (form.get("step") or "").strip(), (form.get("decision") or "").strip()
    note = (form.get("note") or "").strip()
    if step not in STEPS:
        raise GovernanceRefused("step", "Choose one of the four approval steps.")
    if decision not in DECISIONS:
        raise GovernanceRefused("decision", "Choose the decision: approved, changes requested or not approved.")
    try:
        decided_on = date.fromisoformat((form.get("decided_on") or "").strip())
    except ValueError:
        raise GovernanceRefused("decided_on", "Enter the date of the decision, like 2026-11-30.") from None
    if len(note) > NOTE_LIMIT:
        raise GovernanceRefused("note", f"Keep the note under {NOTE_LIMIT:,} characters (it has {len(note):,}).")
    record = record_for(session, slug, version)
    order = list(STEPS)
    earlier = [s for s in record.steps[:order.index(step)] if not s.approved]
    if earlier:
        raise GovernanceRefused("step", f"{STEPS[step]} cannot be recorded before {earlier[0].label} has "
                                        "approved this version.")
    previous = [s.latest.decided_on for s in record.steps[:order.index(step)] if s.latest]
    if previous and decided_on < max(previous):
        raise GovernanceRefused("decided_on", f"{STEPS[step]} cannot have decided before the step before it "
                                              f"({max(previous).strftime('%-d %B %Y')}).")
    entry = GovernanceEntry(pathway_slug=slug, version=version, step=step, decision=decision, decided_on=decided_on,
                            note=note, recorded_by_id=user.id, recorded_by=user.name)
    session.add(entry)
    return entry
