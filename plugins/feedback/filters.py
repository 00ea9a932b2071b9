"""Filtering feedback by any of its fields: one set of rules for CfSD's pages, the API and the export."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from pathway_review.plugin_api import Board, inputs

from .models import STATUSES, SUBMITTED, TYPES, Feedback

TRUE, FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}
KEYS = ("pathway", "version", "round", "section", "type", "status", "board", "safety", "anonymous", "theme",
        "submitted_from", "submitted_to", "q")


class FilterError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def as_bool(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise FilterError(field, f"{field} must be yes or no")


def as_date(value, field: str) -> date:
    if isinstance(value, datetime):
        value = value.date()
    try:
        return inputs.bounded_date(value, field)
    except inputs.InputError as exc:
        raise FilterError(field, exc.message) from None


def _choices(labels: dict) -> str:
    # The label people read on the page, with the value the API takes.
    return ", ".join(f"{label} ({value})" for value, label in labels.items())


def parse(args, allow_drafts: bool = False) -> dict:
    """Filters from query-string values; blank ones are left out. Raises FilterError naming the field."""
    filters = {}
    for key in KEYS:
        value = args.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        value = value.strip() if isinstance(value, str) else value
        if key == "type" and value not in TYPES:
            raise FilterError(key, "type must be one of " + _choices(TYPES))
        if key == "status" and (value not in STATUSES or (value == "draft" and not allow_drafts)):
            shown = {s: label for s, label in STATUSES.items() if allow_drafts or s != "draft"}
            raise FilterError(key, "status must be one of " + _choices(shown))
        if key == "round" and "/" not in str(value):
            raise FilterError(key, "round must be written pathway/version, e.g. suspected-colorectal-cancer/3.0")
        if key in ("safety", "anonymous"):
            value = as_bool(value, key)
        elif key in ("submitted_from", "submitted_to"):
            value = as_date(value, key)
        filters[key] = value
    return filters


def _like_token(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def conditions(filters: dict, answers: dict | None = None, default_statuses=SUBMITTED) -> list:
    """SQL conditions for already-parsed filters (the export plugin hands over validated ones).

    Without a status filter only ``default_statuses`` count: by default, feedback that was submitted and
    not withdrawn. ``None`` means every status (a GP listing their own).
    """
    found = []
    if "round" in filters:
        slug, _, version = str(filters["round"]).partition("/")
        found += [Feedback.pathway_slug == slug, Feedback.version == version]
    if "pathway" in filters:
        found.append(Feedback.pathway_slug == filters["pathway"])
    if "version" in filters:
        found.append(Feedback.version == str(filters["version"]))
    if "section" in filters:
        section = filters["section"]
        found.append(Feedback.section_id.is_(None) if section in ("", "whole-pathway") else
                     Feedback.section_id == section)
    for key, column in (("type", Feedback.type), ("status", Feedback.status)):
        if key in filters:
            found.append(column == filters[key])
    if "board" in filters:
        found.append(Feedback.board_id == select(Board.id).where(Board.slug == filters["board"]).scalar_subquery())
    if "safety" in filters:
        found.append(Feedback.safety_concern.is_(as_bool(filters["safety"], "safety")))
    if "anonymous" in filters:
        found.append(Feedback.anonymous.is_(as_bool(filters["anonymous"], "anonymous")))
    if "theme" in filters:
        theme = " ".join(str(filters["theme"]).split()).lower()
        found.append(Feedback.themes.like(_like_token(json.dumps(theme)), escape="\\"))
    if "submitted_from" in filters:
        start = datetime.combine(as_date(filters["submitted_from"], "submitted_from"), time.min, timezone.utc)
        found.append(Feedback.submitted_at >= start)
    if "submitted_to" in filters:
        end = datetime.combine(as_date(filters["submitted_to"], "submitted_to") + timedelta(days=1), time.min,
                               timezone.utc)
        found.append(Feedback.submitted_at < end)
    if "q" in filters:
        found.append(Feedback.text.ilike(_like_token(str(filters["q"])), escape="\\"))
    for qid, value in (answers or {}).items():
        # Answers are stored as sorted JSON, so a chosen answer reads exactly '"id": "value"'.
        found.append(Feedback.answers.like(_like_token(f"{json.dumps(qid)}: {json.dumps(value)}"), escape="\\"))
    if "status" not in filters and default_statuses is not None:
        found.append(Feedback.status.in_(default_statuses))
    return found
