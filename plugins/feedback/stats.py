"""The figures on CfSD's consultation dashboard, read from the per-consultation counts kept as feedback is
written (see ``tally``): a few hundred rows, however many responses there are."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from sqlalchemy import case, select

from pathway_review.plugin_api import Board

from .anchoring import section_order
from .models import SUBMITTED, TRIAGE_STATUSES, TYPES, Feedback
from .questions import MINUTES_ID, PATIENTS_ID, questions_for
from .tally import FeedbackTally


@dataclass
class Estimate:
    """Extra GP hours a year: each respondent's minutes × patients / 60, from their latest response."""
    respondents: int = 0
    total_hours: float = 0.0
    median_hours: float | None = None
    asked: bool = True


@dataclass
class Figures:
    total: int = 0
    respondents: int = 0
    safety: int = 0
    by_section: list = field(default_factory=list)   # (section id or None, title, count, gone?)
    by_type: list = field(default_factory=list)      # (label, count)
    by_board: list = field(default_factory=list)     # (board name, count, bar percentage)
    by_status: list = field(default_factory=list)    # (label, count)
    answers: list = field(default_factory=list)      # (question, [(choice, count)], answered)
    estimate: Estimate = field(default_factory=Estimate)


def bar(count: int, most: int) -> int:
    """Bar length in steps of 5%, matching the pr-bar--NN classes (a non-zero count always shows)."""
    if not most or not count:
        return 0
    return max(5, round(count * 20 / most) * 5)


def round_conditions(version):
    return (Feedback.pathway_slug == version.slug, Feedback.version == version.version,
            Feedback.status.in_(SUBMITTED))


def figures(session, version) -> Figures:
    tallies: dict[str, dict[str, int]] = {}
    hours = []
    for dimension, value, count, amount in session.execute(
            select(FeedbackTally.dimension, FeedbackTally.value, FeedbackTally.count, FeedbackTally.amount).where(
                FeedbackTally.pathway_slug == version.slug, FeedbackTally.version == version.version,
                FeedbackTally.count > 0)):
        tallies.setdefault(dimension, {})[value] = count
        if dimension == "gp" and amount is not None:
            hours.append(amount)
    out = Figures()
    out.total = tallies.get("total", {}).get("", 0)
    out.respondents = len(tallies.get("gp", {}))
    out.safety = tallies.get("safety", {}).get("", 0)

    counts = {section_id or None: n for section_id, n in tallies.get("section", {}).items()}
    titles = _gone_titles(session, version, counts)
    out.by_section = [(None, "The whole pathway", counts.pop(None, 0), False)]
    out.by_section += [(s.id, s.title, counts.pop(s.id, 0), False) for s in version.sections]
    # Sections the version's file no longer has (it was edited during the consultation).
    out.by_section += [(sid, titles.get(sid) or sid, n, True) for sid, n in sorted(counts.items())]

    counts = tallies.get("type", {})
    out.by_type = [(label, counts.get(key, 0)) for key, label in TYPES.items()]

    counts = {int(board_id) if board_id else None: n for board_id, n in tallies.get("board", {}).items()}
    boards = session.execute(select(Board.id, Board.name).where(Board.kind == "territorial")
                             .order_by(Board.name)).all()
    rows = [(name, counts.pop(board_id, 0)) for board_id, name in boards]
    if counts:  # national accounts, or a board that is not territorial
        rows.append(("Other or national", sum(counts.values())))
    most = max((n for _, n in rows), default=0)
    out.by_board = [(name, n, bar(n, most)) for name, n in rows]

    counts = tallies.get("status", {})
    out.by_status = [(label, counts.get(key, 0)) for key, label in TRIAGE_STATUSES.items()]

    _answers(version, tallies, hours, out)
    return out


def _gone_titles(session, version, counts) -> dict:
    """Titles of sections this version's file no longer has, as the feedback recorded them."""
    gone = [sid for sid in counts if sid is not None and version.section(sid) is None]
    if not gone:
        return {}
    return dict(session.execute(select(Feedback.section_id, Feedback.section_title).where(
        *round_conditions(version), Feedback.section_id.in_(gone)).distinct()).all())


def _answers(version, tallies, hours, out: Figures) -> None:
    questions = questions_for(version)
    chosen, answered = tallies.get("answer", {}), tallies.get("answered", {})
    choice_questions = [q for q in questions if q.kind in ("choice", "multiple")]
    out.answers = [(q, [(choice, chosen.get(f"{q.id}={choice}", 0)) for choice in q.choices],
                    answered.get(q.id, 0)) for q in choice_questions]
    ids = {q.id for q in questions}
    out.estimate.asked = MINUTES_ID in ids and PATIENTS_ID in ids
    out.estimate.respondents = len(hours)
    out.estimate.total_hours = sum(hours)
    out.estimate.median_hours = statistics.median(hours) if hours else None


def order_case(version):
    """An SQL expression ordering comments as the document reads: whole pathway, sections, then the rest."""
    order = section_order(version)
    if not order:
        return case((Feedback.section_id.is_(None), -1), else_=0)
    return case((Feedback.section_id.is_(None), -1), else_=case(order, value=Feedback.section_id,
                                                                  else_=len(order)))
