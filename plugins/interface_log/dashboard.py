"""The board dashboard's figures: open issues, resolved per month, median days to resolve, by category."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from pathway_review.plugin_api import get_session, today

from .models import CATEGORIES, OPEN, InterfaceIssue

MONTHS = 12


@dataclass
class Dashboard:
    open_issues: list[InterfaceIssue]
    open_count: int
    open_safety: int
    resolved_count: int
    closed_count: int
    lasting_changes: int
    median_days: float | None
    resolved_per_month: list[tuple[str, int]]
    by_category: list[dict] = field(default_factory=list)


def month_starts(end: date, count: int = MONTHS) -> list[date]:
    """The first day of each of the ``count`` months up to and including ``end``'s, oldest first."""
    months, year, month = [], end.year, end.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def open_first(issues: list[InterfaceIssue]) -> list[InterfaceIssue]:
    # Safety-flagged issues first, then the longest waiting.
    return sorted(issues, key=lambda i: (not i.patient_safety, i.created, i.id))


def board_dashboard(board_id: int) -> Dashboard:
    issues = list(get_session().scalars(select(InterfaceIssue).where(InterfaceIssue.board_id == board_id)))
    return summarise(issues, today())


def summarise(issues: list[InterfaceIssue], day: date) -> Dashboard:
    open_issues = open_first([i for i in issues if i.status in OPEN])
    # An issue imported as resolved without a date cannot be placed in a month or timed.
    resolved = [i for i in issues if i.status == "resolved" and i.finished is not None]
    months = month_starts(day)
    per_month = {m: 0 for m in months}
    for issue in resolved:
        finished = issue.finished.date()
        key = date(finished.year, finished.month, 1)
        if key in per_month:
            per_month[key] += 1
    days = [i.days_to_resolve for i in resolved]
    by_category = []
    for key, label in CATEGORIES.items():
        mine = [i for i in issues if i.category == key]
        if mine:
            by_category.append({
                "category": key, "label": label, "total": len(mine),
                "open": sum(1 for i in mine if i.status in OPEN),
                "safety": sum(1 for i in mine if i.patient_safety),
                "resolved": sum(1 for i in mine if i.status == "resolved"),
            })
    by_category.sort(key=lambda row: (-row["open"], -row["total"], list(CATEGORIES).index(row["category"])))
    return Dashboard(
        open_issues=open_issues, open_count=len(open_issues),
        open_safety=sum(1 for i in open_issues if i.patient_safety),
        resolved_count=len(resolved), closed_count=sum(1 for i in issues if i.status == "closed"),
        lasting_changes=sum(1 for i in resolved if i.lasting_change),
        median_days=statistics.median(days) if days else None,
        resolved_per_month=[(m.strftime("%B %Y"), per_month[m]) for m in months],
        by_category=by_category)
