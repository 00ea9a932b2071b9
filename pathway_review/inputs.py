"""Reading what arrives from outside: JSON bodies, numbers, dates and text, each within bounds.

Every value a person or a script sends is checked here before any view, query or database sees it,
so out-of-range input is a clear 4xx naming the field, never an overflow deep in a driver (a 500).
Plugins read their JSON bodies, page numbers and date filters through these helpers too.
"""
from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any, Iterable, Mapping
from urllib.parse import unquote

from flask import current_app, request

# PostgreSQL's integer columns hold up to 2^31-1; an id or count beyond that cannot exist.
MAX_ID = 2**31 - 1
MAX_INT = 2**31 - 1
MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 16
MAX_JSON_ITEMS = 1000  # entries in any one JSON array or object
MAX_JSON_STRING = 100_000
MAX_KEY = 200
FIRST_YEAR, LAST_YEAR = 2000, 2100
SHOWN_FIELDS = 5  # an error lists this many unknown fields at most, so its size does not grow with the input
SHOWN_CHARS = 64
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class InputError(Exception):
    """Input that cannot be used: answered with ``status`` and a JSON or HTML message naming the field."""

    def __init__(self, status: int, message: str, field: str | None = None, errors: list[dict] | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
        self.errors = errors if errors is not None else ([{"field": field, "message": message}] if field else [])


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A value fit to quote back in a message: at most ``limit`` characters, repr-quoted."""
    text = value if isinstance(value, str) else str(value)
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


# ---- text -----------------------------------------------------------------------------------------

def text_problem(value: str) -> str | None:
    """Why a string cannot be stored (a NUL byte, a lone surrogate), or None when it is fine."""
    if "\x00" in value:
        return "contains a NUL character (\\0), which cannot be stored; remove it and try again"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired surrogate (broken Unicode), which cannot be stored"
    return None


def check_texts(values: Iterable[tuple[str, str]]) -> list[dict]:
    errors = []
    for name, value in values:
        problem = text_problem(name) or text_problem(value)
        if problem:
            errors.append({"field": _clean_name(name), "message": f"{_clean_name(name)} {problem}."})
            if len(errors) >= SHOWN_FIELDS:
                break
    return errors


def _clean_name(name: str) -> str:
    safe = name.replace("\x00", "\\0").encode("utf-8", "backslashreplace").decode("utf-8")
    return safe[:SHOWN_CHARS]


def _has_form() -> bool:
    return request.method not in ("GET", "HEAD", "OPTIONS") and request.mimetype in (
        "application/x-www-form-urlencoded", "multipart/form-data")


def check_request_text() -> None:
    """Before every request: query-string and form values must be text a database can store.

    A form view marked with :func:`shows_text_problems` checks its own form fields, so it can show
    the message at the field with everything else that was typed.
    """
    req = request._get_current_object()
    has_form = _has_form()
    if not has_form and not req.query_string:
        return  # nothing typed to check: most page views
    pairs = list(req.args.items(multi=True))
    view = current_app.view_functions.get(req.endpoint or "")
    if has_form and not getattr(view, "shows_text_problems", False):
        pairs += list(request.form.items(multi=True))
    errors = check_texts(pairs)
    if errors:
        raise InputError(422, errors[0]["message"], errors=errors)


def shows_text_problems(view):
    """Mark a form view that calls :func:`form_text_errors` and re-renders its form with them."""
    view.shows_text_problems = True
    return view


def form_text_errors() -> list[dict]:
    """Problems with the posted form's text, one per field: ``[{field, message}]``."""
    if not _has_form():
        return []
    # The form comes back through storable(), so the message says what was taken out.
    return [{"field": e["field"], "message": "This had characters that cannot be stored (a NUL character "
                                             "or broken Unicode). They have been taken out: check the text "
                                             "and send it again."}
            for e in check_texts(request.form.items(multi=True))]


def storable(value: Any) -> Any:
    """``value`` (a string, or lists and dicts of them) without NUL characters or lone surrogates,
    to show a form back as typed, minus what could never be saved."""
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")
    if isinstance(value, list):
        return [storable(v) for v in value]
    if isinstance(value, dict):
        return {k: storable(v) for k, v in value.items()}
    return value


# ---- JSON bodies ----------------------------------------------------------------------------------

def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def json_object(allowed: Iterable[str] | None = None) -> dict:
    """The request's body as a JSON object, every value within bounds.

    400 when it is not JSON; 413 when too large or too deep; 422 when it is not an object, a string
    cannot be stored, a number is out of range, or (with ``allowed``) a field is unknown.
    """
    limit = min(MAX_JSON_BYTES, current_app.config.get("MAX_CONTENT_LENGTH") or MAX_JSON_BYTES)
    if (request.content_length or 0) > limit:
        raise InputError(413, f"The request body is larger than {limit:,} bytes.")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise InputError(413, f"The request body is larger than {limit:,} bytes.")
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise InputError(413, f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.") from None
    except ValueError:
        raise InputError(400, 'The request body is not valid JSON; send a JSON object, like {"text": "..."}.') from None
    check_json(body)
    if not isinstance(body, dict):
        raise InputError(422, 'The request body must be a JSON object, like {"text": "..."}.')
    if allowed is not None:
        errors = unknown_fields(body, allowed)
        if errors:
            raise InputError(422, "Some fields are not recognised: " + ", ".join(e["field"] for e in errors) + ".",
                             errors=errors)
    return body


def check_json(value: Any, path: str = "", depth: int = 0) -> None:
    """Bounds on a parsed JSON value: depth, collection sizes, string contents, integer range."""
    here = path or "body"
    if depth > MAX_JSON_DEPTH:
        raise InputError(413, f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.", field=here)
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise InputError(422, f"{_clean_name(here)} {problem}.", field=_clean_name(here))
        if len(value) > MAX_JSON_STRING:
            raise InputError(413, f"{_clean_name(here)} is longer than {MAX_JSON_STRING:,} characters.",
                             field=_clean_name(here))
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, float):
        if not math.isfinite(value):  # 1e999 reads as infinity
            raise InputError(422, f"{_clean_name(here)} is out of range.", field=_clean_name(here))
    elif isinstance(value, int):
        if not -MAX_INT <= value <= MAX_INT:
            raise InputError(422, f"{_clean_name(here)} is out of range (at most {MAX_INT:,}).",
                             field=_clean_name(here))
    elif isinstance(value, (list, dict)):
        if len(value) > MAX_JSON_ITEMS:
            raise InputError(413, f"{_clean_name(here)} has more than {MAX_JSON_ITEMS:,} entries.",
                             field=_clean_name(here))
        if isinstance(value, dict):
            for key, item in value.items():
                problem = text_problem(key) or (f"is longer than {MAX_KEY} characters" if len(key) > MAX_KEY
                                                else None)
                if problem:
                    raise InputError(422, f"A field name {problem}.", field=_clean_name(key))
                check_json(item, f"{path}.{key}" if path else key, depth + 1)
        else:
            for index, item in enumerate(value):
                check_json(item, f"{here}[{index}]", depth + 1)


def unknown_fields(body: Mapping, allowed: Iterable[str]) -> list[dict]:
    """One error per unknown field, at most SHOWN_FIELDS of them, each name cut short."""
    allowed = set(allowed)
    unknown = [key for key in body if key not in allowed]
    listed = ", ".join(sorted(allowed))
    errors = [{"field": str(key)[:SHOWN_CHARS], "message": f"Unknown field {shown(key)}; allowed: {listed}."}
              for key in unknown[:SHOWN_FIELDS]]
    if len(unknown) > SHOWN_FIELDS:
        errors.append({"field": "", "message": f"…and {len(unknown) - SHOWN_FIELDS:,} more unknown fields."})
    return errors


def expect(body: Mapping, name: str, kind: type | tuple[type, ...], required: bool = False,
           nullable: bool = True) -> Any:
    """``body[name]`` if it has the expected JSON type (None when absent); otherwise a 422 naming it."""
    if name not in body:
        if required:
            raise InputError(422, f"{name} is required.", field=name)
        return None
    value = body[name]
    if value is None and nullable:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    # bool is an int to Python, not to a JSON reader.
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        raise InputError(422, f"{name} must be {_kind_name(kinds)}.", field=name)
    return value


def _kind_name(kinds) -> str:
    names = {str: "text (a JSON string)", bool: "true or false", int: "a whole number", float: "a number",
             list: "a list", dict: "an object"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


# ---- numbers and dates ----------------------------------------------------------------------------

def bounded_int(raw: Any, field: str, minimum: int = 0, maximum: int = MAX_INT, status: int = 400) -> int:
    """A whole number from a query string or JSON within [minimum, maximum], or an InputError naming it."""
    message = f"{field} must be a whole number from {minimum:,} to {maximum:,}."
    if isinstance(raw, bool):
        raise InputError(status, message, field=field)
    if isinstance(raw, int):
        number = raw
    else:
        text = str(raw).strip()
        # Checked as text first: int() of a 5,000-digit string is slow, and refused by Python anyway.
        if not re.fullmatch(r"-?\d{1,12}", text):
            raise InputError(status, message, field=field)
        number = int(text)
    if not minimum <= number <= maximum:
        raise InputError(status, message, field=field)
    return number


def query_int(name: str, default: int, minimum: int = 0, maximum: int = MAX_INT, args=None) -> int:
    """A whole-number query parameter; absent or blank gives ``default``; anything else out of bounds is 400."""
    raw = (request.args if args is None else args).get(name)
    if raw is None or not str(raw).strip():
        return default
    return bounded_int(raw, name, minimum, maximum)


def page_number(pages: int, name: str = "page", args=None) -> int:
    """The page a person asked for, kept within 1..pages: a stale or mistyped link still shows a page."""
    raw = str((request.args if args is None else args).get(name) or "").strip()
    if not re.fullmatch(r"\d{1,12}", raw):
        return 1
    return min(max(int(raw), 1), max(pages, 1))


def bounded_date(raw: Any, field: str) -> date:
    """A date written YYYY-MM-DD in the years FIRST_YEAR..LAST_YEAR, or an InputError naming the field."""
    if isinstance(raw, date):
        found = raw
    else:
        text = str(raw).strip()
        try:
            if not ISO_DATE.fullmatch(text):
                raise ValueError(text)
            found = date.fromisoformat(text)
        except ValueError:
            raise InputError(400, f"{field} must be a date written YYYY-MM-DD, for example 2026-11-21.",
                             field=field) from None
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise InputError(400, f"{field} must be a date between {FIRST_YEAR} and {LAST_YEAR}.", field=field)
    return found


# ---- where to go next -----------------------------------------------------------------------------

def same_site_path(value: str | None) -> str | None:
    """``value`` if it is a path on this site to send someone back to (``next=``), else None.

    Browsers drop tab and newline from a URL and read a backslash as "/", so "/%09/evil.example"
    (decoded once already by the query string) would take them to //evil.example. So: one leading
    "/", then no "//", backslash, control character or whitespace, as given or percent-decoded.
    """
    if not value or len(value) > 2000 or not value.startswith("/") or _unsafe_path(value, whole=True):
        return None
    path, _, query = unquote(value).partition("?")
    if _unsafe_path(path, whole=True) or _unsafe_path(query, whole=False):
        return None
    return value


def _unsafe_path(text: str, whole: bool) -> bool:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return True
    # A decoded query string may hold spaces or a URL of its own; only the path decides where we go.
    return whole and ("//" in text.partition("?")[0] or "\\" in text or any(ch.isspace() for ch in text))


# ---- wiring ---------------------------------------------------------------------------------------

def init_app(app) -> None:
    app.before_request(check_request_text)
    app.register_error_handler(InputError, _answer)


def _answer(exc: InputError):
    from .security import error_response

    if exc.errors:
        return error_response(exc.status, exc.message, errors=exc.errors)
    return error_response(exc.status, exc.message)
