"""How one value becomes one spreadsheet cell, without ever becoming a live formula.

Spreadsheet programs treat a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula, and tab
or carriage return can smuggle one past a naive check (OWASP "CSV injection"). Text formats get an
apostrophe in front of such a cell, the prefix Excel and LibreOffice themselves use to mean "this is
text". An apostrophe already at the start gets one too, so the rule can be undone exactly: remove one
leading apostrophe from any cell that starts with one.
"""
from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from pathway_review.plugin_api import as_utc

TRIGGERS = frozenset("=+-@\t\r")
ESCAPED = TRIGGERS | {"'"}
LIST_SEPARATOR = "; "


def neutralise(text: str) -> str:
    """Text as it must appear in a CSV cell: prefixed when it could be read as a formula."""
    if text and text[0] in ESCAPED:
        return "'" + text
    return text



def flat_text(value: Any) -> str:
    """A multiple-choice answer or other structure as one readable string."""
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return LIST_SEPARATOR.join("" if item is None else str(item) for item in items)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return str(value)


def csv_value(value: Any) -> Any:
    """Anything other than a plain string or None (those are handled inline, for speed)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else ""
    if isinstance(value, datetime):
        # Written without "T" or offset so spreadsheets read it as a date and time (UTC).
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat(" ", "seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return neutralise(value)
    return neutralise(flat_text(value))


def json_value(value: Any) -> Any:
    """``json`` default hook: what JSON cannot hold natively, written the way ISO 8601 says."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def json_safe(value: Any) -> Any:
    """Non-finite numbers have no JSON spelling; they become null rather than invalid output."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
