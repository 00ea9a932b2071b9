"""The figures on CfSD's consultation dashboard, computed in the database where SQL can, and in one
streamed pass over the answers where it cannot (they are JSON)."""
from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field

from sqlalchemy import case, distinct, func, select

from pathway_review.plugin_api import Board

from .anchoring import section_order
from .models import SUBMITTED, TRIAGE_STATUSES, TYPES, Feedback
from .questions import MINUTES_ID, PATIENTS_ID, questions_for


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
    where = round_conditions(version)
    out = Figures()
    out.total, out.respondents, out.safety = session.execute(
        select(func.count(), func.count(distinct(Feedback.user_id)),
               func.coalesce(func.sum(case((Feedback.safety_concern.is_(True), 1), else_=0)), 0)).where(*where)).one()

    counts, titles = {}, {}
    for section_id, title, count in session.execute(
            select(Feedback.section_id, func.max(Feedback.section_title), func.count()).where(*where)
            .group_by(Feedback.section_id)):
        counts[section_id], titles[section_id] = count, title
    out.by_section = [(None, "The whole pathway", counts.pop(None, 0), False)]
    out.by_section += [(s.id, s.title, counts.pop(s.id, 0), False) for s in version.sections]
    # Sections the version's file no longer has (it was edited during the consultation).
    out.by_section += [(sid, titles[sid] or sid, n, True) for sid, n in sorted(counts.items())]

    counts = dict(session.execute(select(Feedback.type, func.count()).where(*where).group_by(Feedback.type)).all())
    out.by_type = [(label, counts.get(key, 0)) for key, label in TYPES.items()]

    counts = dict(session.execute(select(Feedback.board_id, func.count()).where(*where)
                                  .group_by(Feedback.board_id)).all())
    boards = session.execute(select(Board.id, Board.name).where(Board.kind == "territorial")
                             .order_by(Board.name)).all()
    rows = [(name, counts.pop(board_id, 0)) for board_id, name in boards]
    if counts:  # national accounts, or a board that is not territorial
        rows.append(("Other or national", sum(counts.values())))
    most = max((n for _, n in rows), default=0)
    out.by_board = [(name, n, bar(n, most)) for name, n in rows]

    counts = dict(session.execute(select(Feedback.status, func.count()).where(*where)
                                  .group_by(Feedback.status)).all())
    out.by_status = [(label, counts.get(key, 0)) for key, label in TRIAGE_STATUSES.items()]

    _answers(session, version, where, out)
    return out


def _answers(session, version, where, out: Figures) -> None:
    questions = questions_for(version)
    choice_questions = [q for q in questions if q.kind in ("choice", "multiple")]
    tallies = {q.id: dict.fromkeys(q.choices, 0) for q in choice_questions}
    answered = dict.fromkeys(tallies, 0)
    ids = {q.id for q in questions}
    out.estimate.asked = MINUTES_ID in ids and PATIENTS_ID in ids
    latest: dict[int, float] = {}
    rows = session.execute(select(Feedback.user_id, Feedback.answers).where(*where)
                           .order_by(Feedback.submitted_at, Feedback.id).execution_options(yield_per=2000))
    for user_id, raw in rows:
        answers = json.loads(raw or "{}")
        for qid, tally in tallies.items():
            value = answers.get(qid)
            if value is None:
                continue
            answered[qid] += 1
            for choice in value if isinstance(value, list) else [value]:
                if choice in tally:
                    tally[choice] += 1
        minutes, patients = answers.get(MINUTES_ID), answers.get(PATIENTS_ID)
        if isinstance(minutes, (int, float)) and isinstance(patients, (int, float)):
            latest[user_id] = minutes * patients / 60  # a later response replaces an earlier estimate
    out.answers = [(q, list(tallies[q.id].items()), answered[q.id]) for q in choice_questions]
    hours = list(latest.values())
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
