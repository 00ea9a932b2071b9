"""Where a pathway version stands today: open for feedback, opening later, closed, or simply published.

A document's ``status: consultation`` only says it is a draft out for consultation; whether feedback is
open depends on its dates and today. Every page, filter, the API and the feedback plugin ask here, so
none of them can call a closed consultation "open".
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .clock import today
from .document import PathwayVersion

# Fewer days left than this and the tag counts them down, so nobody misses the closing date.
CLOSING_SOON_DAYS = 14

# The choices of the catalogue's status filter: consultation states, then the other lifecycle statuses.
FILTERS = {
    "open": "Open for feedback",
    "upcoming": "Opening for feedback later",
    "closed": "Feedback closed",
    "published": "Published",
    "draft": "Draft",
    "superseded": "Superseded",
}
CONSULTATION_STATES = ("open", "upcoming", "closed")

_LIFECYCLE = {
    "draft": ("Draft", "nhsuk-tag--grey"),
    "published": ("Published", "nhsuk-tag--green"),
    "superseded": ("Superseded", "nhsuk-tag--white"),
    "consultation": ("Consultation", "nhsuk-tag--grey"),
}


@dataclass(frozen=True)
class ConsultationStatus:
    key: str  # open | upcoming | closed, or the document's status when it is not out for consultation
    label: str  # the words on its tag
    tone: str  # the tag's NHS colour class
    days_left: int | None = None  # while open: days until it closes (0 on the closing day)

    @property
    def is_open(self) -> bool:
        return self.key == "open"

    @property
    def state(self) -> str:
        """open, upcoming or closed; "not-consultation" for a version not out for consultation."""
        return self.key if self.key in CONSULTATION_STATES else "not-consultation"


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def consultation_status(pv: PathwayVersion, day: dt.date | None = None) -> ConsultationStatus:
    """The version's status on DAY (default: today by the app's clock)."""
    day = today() if day is None else day
    state = pv.consultation_state(day)
    if state == "open":
        left = pv.days_left(day)
        if left == 0:
            return ConsultationStatus("open", "Closes today", "nhsuk-tag--orange", left)
        if left <= CLOSING_SOON_DAYS:
            return ConsultationStatus("open", f"Closes in {left} day{'' if left == 1 else 's'}",
                                      "nhsuk-tag--orange", left)
        return ConsultationStatus("open", "Open", "nhsuk-tag--blue", left)
    if state == "upcoming":
        return ConsultationStatus("upcoming", f"Opens on {_long_date(pv.consultation_opens)}", "nhsuk-tag--purple")
    if state == "closed":
        return ConsultationStatus("closed", f"Closed on {_long_date(pv.consultation_closes)}", "nhsuk-tag--grey")
    label, tone = _LIFECYCLE.get(pv.status, (pv.status.capitalize(), "nhsuk-tag--grey"))
    return ConsultationStatus(pv.status, label, tone)
