"""Checking what an editor typed into a local note: every problem named by its field, nothing lost."""
from __future__ import annotations

import logging

from pathway_review.plugin_api import Field, check_fields, describe_for_log

from .models import KINDS

log = logging.getLogger(__name__)

TEXT_LIMIT = 5000
REASON_LIMIT = 2000
LABELS = {"kind": "Type of note", "text": "Local note", "reason": "Reason for the local variation",
          "pathway": "Pathway", "section": "Section"}


def read_note(form) -> dict:
    return {
        "kind": (form.get("kind") or "").strip(),
        "text": (form.get("text") or "").strip(),
        "reason": (form.get("reason") or "").strip(),
    }


def check_note(values: dict) -> list[dict]:
    errors = []
    if values["kind"] not in KINDS:
        errors.append({"field": "kind", "message": "Choose the type of local note."})
    if not values["text"]:
        errors.append({"field": "text", "message": "Enter the local note."})
    elif len(values["text"]) > TEXT_LIMIT:
        errors.append({"field": "text", "message": f"The local note must be {TEXT_LIMIT:,} characters or fewer "
                                                   f"(it is {len(values['text']):,})."})
    if values["kind"] == "variation" and not values["reason"]:
        errors.append({"field": "reason", "message": "Enter the reason for the local variation."})
    elif len(values["reason"]) > REASON_LIMIT:
        errors.append({"field": "reason", "message": f"The reason must be {REASON_LIMIT:,} characters or fewer."})
    problems = check_fields(*(Field(name=name, label=LABELS[name], text=values[name])
                                  for name in ("text", "reason")))
    if problems:
        log.info("local note rejected: %s", describe_for_log(problems))
        errors.extend({"field": p.field, "message": p.message} for p in problems)
    return errors


def field_errors(errors: list[dict]) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in errors:
        found.setdefault(error["field"], error["message"])
    return found
