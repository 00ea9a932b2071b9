"""'You said, we did': the answered responses of one consultation in the order the document reads, a page at
a time, whatever their number.

The number answered in each section is kept in the tally (dimension ``replied``), so a page knows which
sections it covers without counting them, and reads only its own rows: each section's slice comes from
ix_feedback_answered in submission order. The contents list names every answered section with the page it
starts on, so every answer stays two links away.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal_column, select

from .models import ANSWERED, Feedback
from .tally import FeedbackTally

PAGE_SIZE = 100
# models.REPLIED as conditions: values written out, not bound, so SQLite matches them to the partial index.
REPLIED = (Feedback.status.in_([literal_column(f"'{status}'") for status in ANSWERED]),
           Feedback.response.is_not(None), Feedback.response != literal_column("''"))
WHOLE_PATHWAY = "The whole pathway"


@dataclass(frozen=True)
class Section:
    id: str | None      # None: about the whole pathway
    heading: str
    anchor: str
    count: int
    start: int          # position of its first answer in the whole list

    @property
    def page(self) -> int:
        return self.start // PAGE_SIZE + 1


def sections(session, pv) -> list[Section]:
    """Every section with an answer, in the document's order; sections the version no longer has come last."""
    counts = {value or None: n for value, n in session.execute(
        select(FeedbackTally.value, FeedbackTally.count).where(
            FeedbackTally.pathway_slug == pv.slug, FeedbackTally.version == pv.version,
            FeedbackTally.dimension == "replied", FeedbackTally.count > 0))}
    known = [s.id for s in pv.sections if s.id in counts]
    gone = sorted(sid for sid in counts if sid is not None and pv.section(sid) is None)
    titles = dict(session.execute(select(Feedback.section_id, Feedback.section_title).where(
        Feedback.pathway_slug == pv.slug, Feedback.version == pv.version,
        Feedback.section_id.in_(gone)).distinct()).all()) if gone else {}
    found, start = [], 0
    for sid in ([None] if None in counts else []) + known + gone:
        section = pv.section(sid) if sid else None
        if sid is None:
            heading = WHOLE_PATHWAY
        elif section is not None:
            heading = section.title
        else:
            heading = f"{titles.get(sid) or sid} (a section no longer in this version)"
        found.append(Section(sid, heading, "about-" + (sid or "the-whole-pathway"), counts[sid], start))
        start += counts[sid]
    return found


def page_of(session, pv, every: list[Section], page: int) -> list[tuple[Section, list[Feedback]]]:
    """The sections on ``page`` with their answers on it, oldest first within a section."""
    first, last = (page - 1) * PAGE_SIZE, page * PAGE_SIZE
    shown = []
    for section in every:
        end = section.start + section.count
        if end <= first or section.start >= last:
            continue
        skip = max(first - section.start, 0)
        take = min(last, end) - section.start - skip
        where = Feedback.section_id.is_(None) if section.id is None else Feedback.section_id == section.id
        records = session.scalars(select(Feedback).where(
            Feedback.pathway_slug == pv.slug, Feedback.version == pv.version, where, *REPLIED)
            .order_by(Feedback.submitted_at, Feedback.id).limit(take).offset(skip)).all()
        if records:
            shown.append((section, records))
    return shown
