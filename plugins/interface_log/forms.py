"""Checking a new issue and a triage decision, for the web form and the JSON API alike.

Every problem names its field; nothing is applied until everything is right, so a rejected request
changes nothing.
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from pathway_review.plugin_api import Field, User, check_fields, describe_for_log, get_session, inputs, library

from .models import CATEGORIES, FINISHED, STATUSES, TRANSITIONS

log = logging.getLogger(__name__)

LABELS = {
    "category": "Category", "description": "What happened", "service": "Service or department",
    "pathway": "Pathway", "section": "Section", "patient_safety": "Patient safety",
    "status": "Status", "owner": "Owner", "resolution": "Resolution note",
    "lasting_change": "Lasting change", "lasting_change_detail": "What changed for good",
}
LIMITS = {"description": 5000, "service": 200, "resolution": 5000, "lasting_change_detail": 2000}


def _error(field: str, message: str) -> dict:
    return {"field": field, "message": message}


def _check_lengths(values: dict, errors: list) -> None:
    for field, limit in LIMITS.items():
        text = values.get(field) or ""
        if len(text) > limit:
            errors.append(_error(field, f"{LABELS[field]} must be {limit:,} characters or fewer "
                                        f"(it is {len(text):,})."))


def _check_identifiers(values: dict, fields: tuple[str, ...], errors: list) -> None:
    problems = check_fields(*(Field(name=f, label=LABELS[f], text=values.get(f) or "") for f in fields))
    if problems:
        log.info("interface issue rejected: %s", describe_for_log(problems))
        errors.extend(_error(p.field, p.message) for p in problems)


def section_choices(slug: str | None) -> list[tuple[str, str]]:
    pathway = library().get(slug) if slug else None
    if pathway is None:
        return []
    return [(s.id, ("— " if s.level > 2 else "") + s.title) for s in pathway.current.sections]


def check_issue(values: dict) -> list[dict]:
    """values: category, description, service, pathway, section (str, '' when absent), patient_safety (bool)."""
    errors = []
    if values["category"] not in CATEGORIES:
        errors.append(_error("category", "Choose the category that fits the issue best."))
    if not values["description"]:
        errors.append(_error("description", "Describe what happened between the services."))
    if not values["service"]:
        errors.append(_error("service", "Enter the service or department involved."))
    pathway = library().get(values["pathway"]) if values["pathway"] else None
    if values["pathway"] and pathway is None:
        errors.append(_error("pathway", "Choose a pathway from the list, or leave it blank."))
    if values["section"]:
        known = {s.id for v in pathway.versions for s in v.sections} if pathway else set()
        if pathway is None and not values["pathway"]:
            errors.append(_error("section", "Choose the pathway before the section."))
        elif pathway is not None and values["section"] not in known:
            errors.append(_error("section", "Choose a section of the pathway, or leave it blank."))
    if not isinstance(values["patient_safety"], bool):
        errors.append(_error("patient_safety", "Say whether a patient was, or could have been, put at risk."))
    _check_lengths(values, errors)
    _check_identifiers(values, ("description", "service"), errors)
    return errors


def board_user(board, value) -> User | None:
    """A user of the board, named by id (web form) or e-mail address (API)."""
    db = get_session()
    query = select(User).where(User.board_id == board.id, User.active.is_(True))
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        try:
            user_id = inputs.bounded_int(value, "owner", 1, inputs.MAX_ID)
        except inputs.InputError:
            return None  # not an id any user can have
        return db.scalar(query.where(User.id == user_id))
    if isinstance(value, str) and "@" in value:
        return db.scalar(query.where(User.email == value.strip().lower()))
    return None


def check_triage(issue, board, proposed: dict) -> tuple[list[dict], dict]:
    """Validate a triage decision; ``proposed`` holds only the fields being changed.

    Returns (errors, changes) where changes are ready to set on the issue.
    """
    errors: list[dict] = []
    changes: dict = {}
    after = {"status": issue.status, "owner_id": issue.owner_id, "resolution": issue.resolution or "",
             "lasting_change": issue.lasting_change, "lasting_change_detail": issue.lasting_change_detail or ""}
    if "status" in proposed:
        status = proposed["status"]
        if not isinstance(status, str) or status not in STATUSES:
            errors.append(_error("status", "Choose a status: new, in progress, resolved or closed."))
        elif status != issue.status and status not in TRANSITIONS[issue.status]:
            allowed = " or ".join(STATUSES[s].lower() for s in sorted(TRANSITIONS[issue.status]))
            errors.append(_error("status", f"A {STATUSES[issue.status].lower()} issue can move to {allowed}, "
                                           f"not back to {STATUSES[status].lower()}."))
        else:
            after["status"] = status
    if "owner" in proposed:
        value = proposed["owner"]
        if value in (None, ""):
            after["owner_id"] = None
        else:
            owner = board_user(board, value)
            if owner is None:
                errors.append(_error("owner", f"Choose an owner from {board.name}'s users."))
            else:
                after["owner_id"] = owner.id
    for field in ("resolution", "lasting_change_detail"):
        if field in proposed:
            if not isinstance(proposed[field], (str, type(None))):
                errors.append(_error(field, f"{LABELS[field]} must be text."))
            else:
                after[field] = (proposed[field] or "").strip()
    if "lasting_change" in proposed:
        if not any(proposed["lasting_change"] is choice for choice in (True, False, None)):
            errors.append(_error("lasting_change", "Say whether a lasting change was made: yes or no."))
        else:
            after["lasting_change"] = proposed["lasting_change"]
    if after["status"] in FINISHED and not after["resolution"]:
        verb = "resolved" if after["status"] == "resolved" else "closed"
        errors.append(_error("resolution", f"Enter a resolution note: what was done, or why the issue is {verb}."))
    if after["status"] == "resolved" and after["lasting_change"] is None:
        errors.append(_error("lasting_change", "Say whether a lasting change was made before resolving the issue."))
    if after["lasting_change"] and not after["lasting_change_detail"]:
        errors.append(_error("lasting_change_detail", "Say what changed for good, for example a letter template "
                                                      "rewritten or a prescribing rule changed."))
    _check_lengths(after, errors)
    _check_identifiers(after, ("resolution", "lasting_change_detail"), errors)
    if errors:
        return errors, {}
    if not after["lasting_change"]:
        after["lasting_change_detail"] = ""
    for key, value in after.items():
        new = None if value == "" else value
        if getattr(issue, key) != new:
            changes[key] = new
    return errors, changes
