"""Saving feedback: the rules shared by the HTML forms and the JSON API.

Checking input, the consultation window, the patient-identifier guard, CfSD's triage, and the history
kept of every change. Each function writes the events its change causes (see ``events``) in the caller's
transaction; they are delivered after the caller commits.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from pathway_review.plugin_api import (Field, audit, check_fields, consultation_status, describe_for_log,
                                       library as pathway_library, ratelimit, render_markdown, utcnow)

from . import events
from .models import TRIAGE_STATUSES, TYPES, Feedback, FeedbackHistory
from .questions import clean_answers, questions_for

log = logging.getLogger("plugins.feedback")

TEXT_LIMIT = 10_000
RESPONSE_LIMIT = 10_000
THEME_LIMIT = 40
INPUT_FIELDS = ("section", "type", "text", "answers", "safety_concern", "anonymous", "hide_board")
FLAGS = ("safety_concern", "anonymous", "hide_board")


def library():
    return pathway_library()


# ---- the consultation window --------------------------------------------------------------------

def window_state(version) -> str:
    return consultation_status(version).state


def window_message(version, state: str | None = None) -> str | None:
    """Why feedback cannot be given on this version now, or None while its window is open."""
    state = state or window_state(version)
    if state == "open":
        return None
    if state == "upcoming":
        return (f"Feedback on version {version.version} opens on "
                f"{version.consultation_opens.strftime('%-d %B %Y')}. Nothing can be sent before then.")
    if state == "closed":
        return (f"Feedback on version {version.version} closed on "
                f"{version.consultation_closes.strftime('%-d %B %Y')}. Nothing more can be sent or changed.")
    return f"Version {version.version} of this pathway is not out for consultation, so it takes no feedback."


# ---- checking input -------------------------------------------------------------------------------

@dataclass
class Checked:
    values: dict
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def current_values(record: Feedback) -> dict:
    return {"section": record.section_id, "type": record.type, "text": record.text,
            "answers": record.answer_values, "safety_concern": record.safety_concern,
            "anonymous": record.anonymous, "hide_board": record.hide_board}


def check(version, raw: dict, submit: bool) -> Checked:
    """Clean ``raw`` (the fields of INPUT_FIELDS) for saving as a draft or submitting.

    Every problem names its field. The identifier guard runs whether or not the feedback is being
    submitted: a draft is stored too.
    """
    errors, values = [], {}

    section = raw.get("section")
    if section in (None, ""):
        values["section"] = None
    elif not isinstance(section, str) or version.section(section) is None:
        errors.append({"field": "section", "message": f"There is no section {str(section)[:80]!r} in version "
                                                      f"{version.version} of this pathway."})
    else:
        values["section"] = section

    kind = raw.get("type") or ""
    if not isinstance(kind, str):  # a list or object cannot be a dict key: check before looking it up
        errors.append({"field": "type", "message": "type must be text, one of: " + ", ".join(TYPES) + "."})
        kind = ""
    elif kind not in TYPES and (kind or submit):
        # Named by the labels the GP sees on the form; the API's schema lists the values.
        errors.append({"field": "type", "message": "Choose what your feedback is about: "
                                                   + ", ".join(TYPES.values()) + "."})
    values["type"] = kind if kind in TYPES else ""

    text = raw.get("text")
    if text is None:
        text = ""
    if not isinstance(text, str):
        errors.append({"field": "text", "message": "The feedback must be text."})
        text = ""
    elif len(text) > TEXT_LIMIT:
        errors.append({"field": "text", "message": f"Keep your feedback under {TEXT_LIMIT:,} characters: "
                                                   f"it has {len(text):,}."})
    elif submit and not text.strip():
        errors.append({"field": "text", "message": "Write your feedback before you submit it."})
    values["text"] = text.strip()
    # Rendered here, before any write transaction starts: a page view then costs no rendering either.
    values["text_html"] = render_markdown(values["text"]) if values["text"] else ""

    questions = questions_for(version)
    answers, answer_errors = clean_answers(questions, raw.get("answers"))
    errors.extend({"field": e.field, "message": e.message} for e in answer_errors)
    values["answers"] = answers

    for flag in FLAGS:
        value = raw.get(flag, False)
        if value is None:
            value = False
        if not isinstance(value, bool):
            errors.append({"field": flag, "message": f"{flag} must be true or false."})
        values[flag] = bool(value)

    labels = {q.id: q.label for q in questions}
    texts = [Field(name="text", label="Your feedback", text=text)]
    for qid, answer in answers.items():
        if isinstance(answer, str):
            texts.append(Field(name=f"answers.{qid}", label=labels[qid], text=answer))
    problems = check_fields(*texts)
    if problems:
        log.info("feedback not saved: %s", describe_for_log(problems))
        errors.extend({"field": p.field, "message": p.message} for p in problems)
    return Checked(values, errors)


def check_triage(raw: dict) -> Checked:
    """CfSD's triage: any of status, response and themes."""
    errors, values = [], {}
    if "status" in raw and raw["status"] not in (None, ""):
        if not isinstance(raw["status"], str) or raw["status"] not in TRIAGE_STATUSES:
            errors.append({"field": "status", "message": "Choose a status: " + ", ".join(TRIAGE_STATUSES) + "."})
        else:
            values["status"] = raw["status"]
    if "response" in raw and raw["response"] is not None:
        response = raw["response"]
        if not isinstance(response, str):
            errors.append({"field": "response", "message": "The response must be text."})
        elif len(response) > RESPONSE_LIMIT:
            errors.append({"field": "response", "message": f"Keep the response under {RESPONSE_LIMIT:,} "
                                                           f"characters: it has {len(response):,}."})
        else:
            values["response"] = response.strip()
            problems = check_fields(Field(name="response", label="The response", text=response))
            if problems:
                log.info("triage not saved: %s", describe_for_log(problems))
                errors.extend({"field": p.field, "message": p.message} for p in problems)
    if "themes" in raw and raw["themes"] is not None:
        themes = raw["themes"]
        if isinstance(themes, str):
            themes = themes.split(",")
        if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
            errors.append({"field": "themes", "message": "Themes must be a list of short tags."})
        else:
            cleaned = normalise_themes(themes)
            too_long = [t for t in cleaned if len(t) > THEME_LIMIT]
            if too_long:
                errors.append({"field": "themes", "message": f"Keep each theme under {THEME_LIMIT} characters."})
            values["themes"] = cleaned
    return Checked(values, errors)


def normalise_themes(themes) -> list[str]:
    # Lower case and single spaces, so "FIT access" and "fit  access" are one theme.
    found = {" ".join(t.split()).lower() for t in themes}
    return sorted(t for t in found if t)


# ---- saving ---------------------------------------------------------------------------------------

def _history(session, record, actor, action: str, changes: dict) -> None:
    session.add(FeedbackHistory(feedback_id=record.id, actor_id=getattr(actor, "id", None),
                                actor_name=getattr(actor, "name", "") or "", actor_role=getattr(actor, "role", ""),
                                action=action, changes=json.dumps(changes, default=str, sort_keys=True)))


def _apply(record: Feedback, version, values: dict) -> dict:
    """Set the GP's fields on a record and return what changed as {field: [old, new]}."""
    changes = {}
    before = current_values(record) if record.id is not None else {}
    section = version.section(values["section"]) if values["section"] else None
    record.section_id = values["section"]
    record.section_title = section.title if section else None
    # The section's text as it was read: a later version (or an edited file) can then be compared.
    record.section_fingerprint = section.fingerprint if section else None
    record.type = values["type"]
    record.text, record.text_html = values["text"], values["text_html"]
    record.answers = json.dumps(values["answers"], sort_keys=True)
    for flag in FLAGS:
        setattr(record, flag, values[flag])
    for key in INPUT_FIELDS:
        if before.get(key) != values[key]:
            changes[key] = [before.get(key), values[key]]
    return changes


RATE_LIMITED = ("You have started a lot of feedback in a short time. Wait a few minutes and send it again: "
                "nothing you typed has been lost.")


def within_rate_limit(session, user) -> bool:
    """New records per person are limited, so a runaway script cannot flood a consultation."""
    return ratelimit.count_in(session, f"feedback:create:{user.id}", current_app.config["FEEDBACK_RATE_LIMIT"])


def create(session, user, version, values: dict, submit: bool) -> Feedback:
    now = utcnow()
    record = Feedback(user_id=user.id, board_id=user.board_id, practice_code=user.practice_code,
                      pathway_slug=version.slug, version=version.version, text="", text_html="",
                      status="new" if submit else "draft", submitted_at=now if submit else None,
                      created_at=now, updated_at=now, themes="[]")
    changes = _apply(record, version, values)
    session.add(record)
    session.flush()
    # The author and board are the signed-in user's, already in memory: no query to read them back.
    set_committed_value(record, "author", user)
    set_committed_value(record, "board", user.board)
    changes["status"] = [None, record.status]
    _history(session, record, user, "submitted" if submit else "draft saved", changes)
    if submit:
        events.record_change(session, record, submitted=True)
    return record


def update(session, user, record: Feedback, version, values: dict, submit: bool) -> tuple[dict, bool]:
    """Save the GP's edit; returns the changes and whether this was the moment of submission."""
    changes = _apply(record, version, values)
    submitted_now = submit and record.status == "draft"
    if submitted_now:
        record.status, record.submitted_at = "new", utcnow()
        changes["status"] = ["draft", "new"]
    if changes:
        record.updated_at = utcnow()
        _history(session, record, user, "submitted" if submitted_now else "edited", changes)
        if record.status != "draft":
            events.record_change(session, record, submitted=submitted_now)
    return changes, submitted_now


def withdraw(session, user, record: Feedback) -> bool:
    """Withdraw submitted feedback (kept, marked withdrawn) or discard a draft; True if it was kept."""
    if record.status == "draft":
        session.delete(record)
        return False
    old = record.status
    record.status, record.updated_at = "withdrawn", utcnow()
    _history(session, record, user, "withdrawn", {"status": [old, "withdrawn"]})
    events.record_change(session, record)
    return True


def triage(session, actor, record: Feedback, values: dict) -> dict:
    changes = {}
    if "status" in values and values["status"] != record.status:
        changes["status"] = [record.status, values["status"]]
        record.status = values["status"]
    if "response" in values and (values["response"] or None) != record.response:
        changes["response"] = [record.response, values["response"] or None]
        record.response = values["response"] or None
    if "themes" in values and values["themes"] != record.theme_list:
        changes["themes"] = [record.theme_list, values["themes"]]
        record.themes = json.dumps(values["themes"])
    if changes:
        record.updated_at = utcnow()
        _history(session, record, actor, "triaged", changes)
        audit.record("feedback.triage", target=f"feedback:{record.id}", board_id=record.board_id,
                     session=session, actor=actor, **{k: v for k, v in changes.items() if k != "response"},
                     response_changed="response" in changes)
        events.record_change(session, record,
                             status_change=tuple(changes["status"]) if "status" in changes else None,
                             answered="response" in changes)
    return changes


def add_theme(themes: list[str], theme: str) -> list[str]:
    return normalise_themes([*themes, theme])
