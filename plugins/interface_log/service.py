"""Logging and triaging issues, shared by the pages and the JSON API, and how an issue looks in JSON."""
from __future__ import annotations

from flask import url_for

from pathway_review.plugin_api import audit, get_session, outbox, utcnow

from .models import FINISHED, InterfaceIssue


def changed(session, about: str, documents=(), removed=()) -> None:
    """Tell the search index of changed issues, in the transaction that changes them."""
    outbox.record(session, "search_documents_changed", about=about, documents=list(documents),
                  removed=list(removed))


def create_issue(board, values: dict, user) -> InterfaceIssue:
    from .data import issue_document

    db = get_session()
    issue = InterfaceIssue(board_id=board.id, category=values["category"], description=values["description"],
                           service=values["service"], pathway=values["pathway"] or None,
                           section_id=values["section"] or None, patient_safety=values["patient_safety"],
                           status="new", reported_by_id=user.id)
    db.add(issue)
    db.flush()  # the issue's id, for the audit trail
    # Categories and flags only: free text stays out of the audit trail, as it may hold what the guard missed.
    audit.record("interface_issue.logged", target=f"interface_issue:{issue.id}", board_id=board.id,
                 category=issue.category, patient_safety=issue.patient_safety)
    changed(db, f"interface_issue:{issue.id}", documents=[issue_document(issue)])
    outbox.record(db, "interface_issue_changed", about=f"interface_issue:{issue.id}", issue=event_json(issue),
                  old_status=None, new_status=issue.status, fields=[])
    db.commit()
    db.refresh(issue)
    return issue


def apply_triage(issue: InterfaceIssue, changes: dict) -> None:
    from .data import issue_document

    if not changes:
        return
    old_status = issue.status
    for key, value in changes.items():
        setattr(issue, key, value)
    now = utcnow()
    issue.updated_at = now
    if issue.status in FINISHED and old_status not in FINISHED:
        issue.finished_at = now
    elif issue.status not in FINISHED:
        issue.finished_at = None
    audit.record("interface_issue.triaged", target=f"interface_issue:{issue.id}", board_id=issue.board_id,
                 old_status=old_status, new_status=issue.status, fields=sorted(changes))
    db = get_session()
    # Flushed before the commit so the change is seen as new data by every worker's page cache,
    # which watches flushes; a commit's own flush comes too late for it.
    db.flush()
    db.refresh(issue)  # the new owner, read through its relationship for the events below
    changed(db, f"interface_issue:{issue.id}", documents=[issue_document(issue)])
    outbox.record(db, "interface_issue_changed", about=f"interface_issue:{issue.id}", issue=event_json(issue),
                  old_status=old_status, new_status=issue.status, fields=sorted(changes))
    db.commit()
    db.refresh(issue)


def person(user) -> dict | None:
    return {"name": user.name, "email": user.email} if user is not None else None


def event_json(issue: InterfaceIssue) -> dict:
    """The issue as the API shows it, plus who owns and who raised it (for mail to them)."""
    return {**issue_json(issue), "owner_id": issue.owner_id, "reported_by_id": issue.reported_by_id}


def issue_json(issue: InterfaceIssue) -> dict:
    return {
        "id": issue.id, "board": issue.board.slug, "category": issue.category,
        "category_label": issue.category_label, "description": issue.description, "service": issue.service,
        "pathway": issue.pathway, "section": issue.section_id, "patient_safety": issue.patient_safety,
        "status": issue.status, "owner": person(issue.owner),
        "reported_by": {"name": issue.reported_by.name} if issue.reported_by else None,
        "resolution": issue.resolution, "lasting_change": issue.lasting_change,
        "lasting_change_detail": issue.lasting_change_detail,
        "created_at": issue.created.isoformat(), "updated_at": issue.updated.isoformat(),
        "finished_at": issue.finished.isoformat() if issue.finished else None,
        "days_to_resolve": issue.days_to_resolve,
        "url": url_for("interface_log.issue", board=issue.board.slug, issue_id=issue.id),
    }
