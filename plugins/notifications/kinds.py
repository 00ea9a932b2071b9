"""The kinds of mail people get, who gets each, and how they may choose to receive it."""
from __future__ import annotations

from dataclasses import dataclass

NOW, DIGEST, NEVER = "now", "digest", "never"
DELIVERY_LABELS = {NOW: "At once", DIGEST: "In a daily summary", NEVER: "Never"}


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    roles: frozenset[str]
    default: str = NOW
    choices: tuple[str, ...] = (NOW, DIGEST, NEVER)


BOARD_PEOPLE = frozenset({"gp", "board-admin"})
KINDS = {k.name: k for k in (
    Kind("feedback_receipt", "A receipt when you submit feedback", frozenset({"gp"})),
    Kind("feedback_answered", "CfSD answered your feedback", frozenset({"gp"})),
    Kind("consultation_closing", "A consultation you hold a draft in closes in 7 days", frozenset({"gp"})),
    Kind("consultation_opened", "A new consultation opened in a specialty you follow", frozenset({"gp"})),
    Kind("safety_concern", "A GP raised a patient-safety concern", frozenset({"cfsd"})),
    Kind("consultation_digest", "A daily digest of each open consultation", frozenset({"cfsd"}),
         default=DIGEST, choices=(DIGEST, NEVER)),
    Kind("review_reminder", "A pathway's review is due in 9 or 6 months", frozenset({"cfsd"})),
    Kind("interface_issue_assigned", "An interface issue was assigned to you", BOARD_PEOPLE),
    Kind("interface_issue_resolved", "An interface issue you raised was resolved", BOARD_PEOPLE),
)}
# The person's own daily summary of the items they asked to receive that way.
SUMMARY = "daily_summary"
# Invitations and password resets: the account's own security mail, sent whatever the person chose
# about other mail and never unsubscribed from (it only comes when someone asks for it).
ACCOUNT_LINK = "account_link"


def kinds_for(role: str) -> list[Kind]:
    return [kind for kind in KINDS.values() if role in kind.roles]
