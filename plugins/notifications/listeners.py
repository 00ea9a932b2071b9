"""Events to mails. Each listener composes its mails and sends nothing itself; the mails of a whole batch
of events are written to the mail outbox in one transaction when the batch is delivered.

Events arrive from the job-queue worker in batches, at least once: the idempotency key (the event's
``event_id`` when it carries one, else the record, kind and state) makes a repeated delivery write
nothing new. One transaction per batch rather than per event: in a busy consultation the worker would
otherwise take the database's write lock once per submission, beside the GPs' own writes.
"""
from __future__ import annotations

import dataclasses
import hashlib
from typing import Callable

from flask import g

from pathway_review.plugin_api import User, database

from .compose import Message, link, queue_many, users, users_with_role


@dataclasses.dataclass
class _Mail:
    """One mail to compose for each person named (by id, or everyone active with ``role``) when the batch is
    written."""
    message: Message
    key: Callable[[User], str]
    user_ids: tuple = ()
    role: str | None = None


def _later(message: Message, key: Callable[[User], str], user_ids=(), role: str | None = None) -> None:
    # Kept on the app context the batch is delivered in: gone with it if the batch fails before it is written.
    g.setdefault("pr_notification_mails", []).append(_Mail(message, key, tuple(i for i in user_ids if i), role))


def write_batch() -> int:
    """Write the mails the batch's events asked for, in one transaction; returns how many were written."""
    mails = g.pop("pr_notification_mails", None)
    if not mails:
        return 0
    with database().transaction() as session:
        people = {user.id: user for user in users(session, {i for mail in mails for i in mail.user_ids})}
        by_role = {role: users_with_role(session, role) for role in {mail.role for mail in mails if mail.role}}
        wanted = []
        for mail in mails:
            for user in [people[i] for i in mail.user_ids if i in people] + by_role.get(mail.role, []):
                # A copy per person: composing a mail redacts the copy it is given.
                wanted.append((user, dataclasses.replace(mail.message), mail.key(user)))
        return queue_many(session, wanted)


def _key(event_id: int | None, fallback: str, user_id: int) -> str:
    # The fallback names the record, the kind and the state, so two kinds of mail from one event stay apart.
    return f"event:{event_id}:{fallback}:{user_id}" if event_id else f"{fallback}:{user_id}"


def _pathway_title(app, slug: str) -> str:
    pathway = app.extensions["pathway_review.library"].get(slug)
    return pathway.title if pathway else slug


def _where(feedback: dict) -> str:
    return feedback.get("section_title") or "The whole pathway"


def _author_for_cfsd(feedback: dict) -> str:
    """How CfSD's alert names the GP: never by name when the feedback is anonymous."""
    board = feedback.get("board_name")
    if feedback.get("anonymous"):
        return f"A GP in {board}" if board else "Anonymous GP"
    name = (feedback.get("author") or {}).get("name") or "A GP"
    return f"{name}, {board}" if board else name


def feedback_submitted(app, feedback: dict, event_id: int | None = None) -> None:
    title = _pathway_title(app, feedback["pathway"])
    record_url = link("feedback.record", feedback_id=feedback["id"])
    author_id = (feedback.get("author") or {}).get("id")
    _later(Message(
        kind="feedback_receipt",
        subject=f"Feedback received: {title} {feedback['version']} (FB-{feedback['id']})",
        heading="Your feedback was received",
        paragraphs=[f"Thank you. CfSD reads every response to the consultation on {title}, version "
                    f"{feedback['version']}. Your reference is FB-{feedback['id']}.",
                    "You can change or withdraw it until the consultation closes."],
        quotes=[("Your feedback", feedback.get("text") or "")],
        facts=[("About", _where(feedback))], action=("See your feedback", record_url)),
        lambda user: _key(event_id, f"feedback:{feedback['id']}:receipt:{feedback.get('status')}", user.id),
        user_ids=[author_id])
    if feedback.get("safety_concern"):
        alert_url = link("consultations.response", feedback_id=feedback["id"])
        _later(Message(
            kind="safety_concern", subject=f"Patient-safety concern: {title} {feedback['version']}",
            heading="A GP raised a patient-safety concern",
            paragraphs=[f"Feedback FB-{feedback['id']} on {title}, version {feedback['version']}, is "
                        "flagged as a patient-safety concern."],
            quotes=[("The feedback", feedback.get("text") or "")],
            facts=[("From", _author_for_cfsd(feedback)), ("About", _where(feedback))],
            action=("Triage this response", alert_url)),
            lambda user: _key(event_id, f"feedback:{feedback['id']}:safety:{feedback.get('status')}", user.id),
            role="cfsd")


def feedback_answered(app, feedback: dict, event_id: int | None = None) -> None:
    title = _pathway_title(app, feedback["pathway"])
    response = feedback.get("response") or ""
    # The answer's own fingerprint: a changed answer is news, the same answer delivered twice is not.
    digest = hashlib.sha256(response.encode()).hexdigest()[:16]
    author_id = (feedback.get("author") or {}).get("id")
    _later(Message(
        kind="feedback_answered", subject=f"CfSD answered your feedback on {title} (FB-{feedback['id']})",
        heading="CfSD answered your feedback",
        paragraphs=[f"CfSD has answered your feedback FB-{feedback['id']} on {title}, version "
                    f"{feedback['version']}."],
        quotes=[("CfSD's answer", response), ("Your feedback", feedback.get("text") or "")],
        facts=[("Status", str(feedback.get("status", "")).replace("-", " ").capitalize()),
               ("About", _where(feedback))],
        action=("Read the answer", link("feedback.record", feedback_id=feedback["id"]))),
        lambda user: _key(event_id, f"feedback:{feedback['id']}:answered:{digest}", user.id), user_ids=[author_id])


def interface_issue_changed(app, issue: dict, changes: dict, event_id: int | None = None) -> None:
    issue_url = link("interface_log.issue", board=issue["board"], issue_id=issue["id"])
    owner = changes.get("owner_id")
    if owner and owner[1] is not None:
        _later(Message(
            kind="interface_issue_assigned", subject=f"Interface issue {issue['id']} assigned to you",
            heading="An interface issue was assigned to you",
            paragraphs=[f"Interface issue {issue['id']} ({issue['category_label']}) is now yours to follow up."],
            quotes=[("The issue", issue.get("description") or "")],
            facts=[("Service", issue.get("service") or ""), ("Status", issue["status"].replace("-", " "))]
            + ([("Patient safety", "Flagged as a patient-safety issue")] if issue.get("patient_safety") else []),
            action=("Open the issue", issue_url)),
            lambda user: _key(event_id, f"interface_issue:{issue['id']}:assigned:{owner[1]}:{issue['updated_at']}",
                              user.id), user_ids=[owner[1]])
    status = changes.get("status")
    if status and status[1] == "resolved":
        _later(Message(
            kind="interface_issue_resolved", subject=f"Interface issue {issue['id']} was resolved",
            heading="An interface issue you raised was resolved",
            paragraphs=[f"The interface issue you raised ({issue['category_label']}, "
                        f"{issue.get('service') or 'no service given'}) was resolved."],
            quotes=[("Resolution", issue.get("resolution") or "")]
            + ([("Lasting change", issue["lasting_change_detail"])]
               if issue.get("lasting_change") and issue.get("lasting_change_detail") else []),
            action=("Open the issue", issue_url)),
            lambda user: _key(event_id, f"interface_issue:{issue['id']}:resolved:{issue['updated_at']}", user.id),
            user_ids=[issue.get("reported_by_id")])
