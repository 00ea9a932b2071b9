"""What CfSD's decision on a comment means, in a sentence a GP reads without knowing the triage statuses."""
from __future__ import annotations

OUTCOMES = {
    "accepted": "Accepted: the pathway will change as you suggested.",
    "partly-accepted": "Partly accepted: some of what you suggested will change, as CfSD explains below.",
    "not-accepted": "Not accepted: the pathway stays as it is, and CfSD explains why below.",
    "changed-in-next-version": "Changed in the next version: the next version of the pathway makes this change.",
    "acknowledged": "Read by CfSD: a decision has not been made yet.",
    "new": "Waiting to be read by CfSD.",
}


def outcome(status: str) -> str:
    return OUTCOMES.get(status, status.replace("-", " ").capitalize() + ".")
