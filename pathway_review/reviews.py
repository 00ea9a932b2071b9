"""When a published pathway version is due for review, decided in one place.

National pathways are reviewed every 3 years, with reminders 9 and then 6 months before the date in their
front matter (``next_review``). The reviews page, a board's view of the pathways its notes depend on and the
reminder mail all read this, so they never disagree about what is due.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from .clock import today as _today

REVIEW_MONTHS = (9, 6)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier, kept to the end of a shorter month (31 Aug − 6 months = 28 Feb)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReviewStatus:
    key: str            # overdue | due-6 | due-9 | later | none
    label: str
    tone: str           # the NHS tag colour class
    months: int | None  # the reminder that is due (6 or 9), while the date is still ahead
    next_review: dt.date | None

    @property
    def is_due(self) -> bool:
        return self.key in ("overdue", "due-6", "due-9")


def review_status(version, day: dt.date | None = None) -> ReviewStatus:
    """Where a version stands against its review date on DAY (default: today by the app's clock). Only a
    published version is reviewed: drafts, consultations and superseded versions answer ``none``."""
    day = day or _today()
    review = version.next_review
    if version.status != "published" or not review:
        return ReviewStatus("none", "No review date", "nhsuk-tag--grey", None, review)
    if day >= review:
        return ReviewStatus("overdue", "Review overdue", "nhsuk-tag--red", None, review)
    # The nearest reminder that has come: a version 5 months away is in its 6-month window, not both.
    due = [m for m in REVIEW_MONTHS if day >= months_before(review, m)]
    if due:
        months = min(due)
        return ReviewStatus(f"due-{months}", f"Review due within {months} months",
                            "nhsuk-tag--orange" if months == 6 else "nhsuk-tag--yellow", months, review)
    return ReviewStatus("later", "Not yet due", "nhsuk-tag--green", None, review)
