"""What a consultation found, for its report (the ``consultation_findings`` contract) and for the
dashboard's chart of responses per day.

The counts come from the same queries as the dashboard, so a report and the dashboard agree. Text leaves
this plugin anonymised and with anything that looks like a CHI or NHS number replaced.
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import distinct, func, select

from pathway_review.plugin_api import ConsultationFindings, find_identifiers, today

from .models import Feedback
from .stats import figures, order_case, round_conditions
from .tally import FeedbackTally
from .workload import workload

REMOVED = "[number removed]"


def without_identifiers(text: str) -> str:
    # Replaced from the end so earlier positions stay valid.
    for match in reversed(find_identifiers(text or "")):
        text = text[:match.start] + REMOVED + text[match.end:]
    return text


def per_day(session, version) -> list[tuple[str, int]]:
    """Responses submitted on each day (UTC) of the consultation (days without any count as 0), from the tally."""
    counts = {date.fromisoformat(day): n for day, n in session.execute(
        select(FeedbackTally.value, FeedbackTally.count).where(
            FeedbackTally.pathway_slug == version.slug, FeedbackTally.version == version.version,
            FeedbackTally.dimension == "day", FeedbackTally.count > 0))}
    start = version.consultation_opens or min(counts, default=None)
    end = min(filter(None, [version.consultation_closes, today()]), default=None)
    if counts:
        end = max(end or max(counts), max(counts))
        start = min(start or min(counts), min(counts))
    if not start or not end or end < start:
        return []
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return [(day.isoformat(), counts.get(day, 0)) for day in days]


def item(record: Feedback) -> dict:
    return {"reference": f"FB-{record.id}", "section": record.section_title or "The whole pathway",
            "type": record.type_label, "attribution": record.attribution(for_cfsd=False),
            "submitted": record.submitted_at.date().isoformat() if record.submitted_at else "",
            "text": without_identifiers(record.text), "status": record.status_label,
            "answer": without_identifiers(record.response or ""), "safety": bool(record.safety_concern)}


def reach(session, version) -> ConsultationFindings:
    """Only the four reach counts, in one query."""
    responses, respondents, boards, practices = session.execute(select(
        func.count(), func.count(distinct(Feedback.user_id)), func.count(distinct(Feedback.board_id)),
        func.count(distinct(Feedback.practice_code))).where(*round_conditions(version))).one()
    return ConsultationFindings(responses=responses, respondents=respondents, boards=boards, practices=practices)


def findings(session, version) -> ConsultationFindings:
    where = round_conditions(version)
    shown = figures(session, version)
    counted = reach(session, version)
    boards, practices = counted.boards, counted.practices
    estimate = workload(session, version.slug, version.version)
    themes: Counter = Counter()
    items = []
    for record in session.scalars(select(Feedback).where(*where)
                                  .order_by(order_case(version), Feedback.submitted_at, Feedback.id)
                                  .execution_options(yield_per=500)):
        themes.update(json.loads(record.themes or "[]"))
        items.append(item(record))
    return ConsultationFindings(
        responses=shown.total, respondents=shown.respondents, boards=boards, practices=practices,
        by_board=[(name, n) for name, n, _ in shown.by_board],
        by_section=[(title, n) for _, title, n, _ in shown.by_section],
        per_day=per_day(session, version),
        safety=[i for i in items if i["safety"]],
        questions=[(q.label, tally, answered) for q, tally, answered in shown.answers],
        workload={"respondents": estimate.respondents, "total_hours": estimate.total_hours,
                  "median_hours": estimate.median_hours, "method": estimate.method},
        themes=sorted(themes.items(), key=lambda t: (-t[1], t[0])),
        items=items)
