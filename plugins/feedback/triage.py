"""Triage at scale: the filters of the responses list read back in one line, the responses a bulk action
reaches (the ticked ones, or every one matching the filter), and the next response still to triage."""
from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from pathway_review.plugin_api import Board

from . import filters as filtering
from .models import STATUSES, SUBMITTED, TYPES, Feedback
from .questions import questions_for
from .tally import FeedbackTally

LABELS = {"section": "Section", "type": "Type", "status": "Status", "board": "Health Board",
          "safety": "Patient-safety concern", "anonymous": "Anonymous", "theme": "Theme",
          "submitted_from": "Submitted on or after", "submitted_to": "Submitted on or before", "q": "Text contains"}
# Query parameters that are not filters: the page and which rows are ticked.
NOT_FILTERS = ("page", "select")
ORDER = (Feedback.safety_concern.desc(), Feedback.submitted_at.desc(), Feedback.id)


def args_from(query: str) -> MultiDict:
    """The list's query string (kept in a hidden field) as request-like arguments."""
    return MultiDict(parse_qsl(query or "", keep_blank_values=False))


def filter_query(args) -> str:
    return urlencode([(k, v) for k, v in args.items(multi=True) if k not in NOT_FILTERS and v.strip()])


def applied(args, pv, session) -> list[tuple[str, str]]:
    """(what is applied, the query string without it), one per filter, in the form's order."""
    questions = {f"answers.{q.id}": q.label for q in questions_for(pv) if q.kind == "choice"}
    shown = [(k, v) for k, v in args.items(multi=True) if k not in NOT_FILTERS and v.strip()
             and (k in LABELS or k in questions)]
    found = []
    for key, value in shown:
        rest = urlencode([(k, v) for k, v in args.items(multi=True)
                          if k not in NOT_FILTERS and v.strip() and k != key])
        label = LABELS.get(key) or questions[key]
        found.append((f"{label}: {_value(key, value, pv, session)}", rest))
    return found


def _value(key: str, value: str, pv, session) -> str:
    if key == "section":
        section = pv.section(value)
        return "The whole pathway" if value == "whole-pathway" else section.title if section else value
    if key == "type":
        return TYPES.get(value, value)
    if key == "status":
        return STATUSES.get(value, value)
    if key == "board":
        return session.scalar(select(Board.name).where(Board.slug == value)) or value
    if key in ("safety", "anonymous"):
        return {"yes": "Yes", "no": "No"}.get(value.lower(), value)
    if key in ("submitted_from", "submitted_to"):
        try:
            return date.fromisoformat(value).strftime("%-d %B %Y")
        except ValueError:
            return value
    if key == "q":
        return f"“{value}”"
    return value


def matching(pv, chosen: dict, answers: dict) -> list:
    """SQL conditions for the responses the list shows under these filters."""
    return filtering.conditions({"pathway": pv.slug, "version": pv.version, **chosen}, answers)


def _tallied(chosen: dict, answers: dict) -> tuple[str, str] | None:
    """The tally row counting exactly the list under these filters, when one does (none, or one simple one)."""
    if answers or len(chosen) > 1:
        return None
    if not chosen:
        return "total", ""
    (key, value), = chosen.items()
    if key == "status" and value in SUBMITTED:
        return "status", value
    if key == "type":
        return "type", value
    if key == "section":
        return "section", "" if value in ("", "whole-pathway") else value
    if key == "safety" and value is True:
        return "safety", ""
    return None


def count(session, pv, chosen: dict, answers: dict) -> int:
    """How many responses the list holds: read from the tally when it counts them, else counted."""
    tallied = _tallied(chosen, answers)
    if tallied is None:
        return session.scalar(select(func.count()).where(*matching(pv, chosen, answers)))
    return session.scalar(select(FeedbackTally.count).where(
        FeedbackTally.pathway_slug == pv.slug, FeedbackTally.version == pv.version,
        FeedbackTally.dimension == tallied[0], FeedbackTally.value == tallied[1])) or 0


def page_of(session, where: list, page: int, size: int) -> list[Feedback]:
    """One page of the list: its ids found first, from ix_feedback_responses alone when the filter allows,
    so the responses skipped to reach a later page are never read; then only those responses."""
    ids = session.scalars(select(Feedback.id).where(*where).order_by(*ORDER)
                          .limit(size).offset((page - 1) * size)).all()
    if not ids:
        return []
    found = {r.id: r for r in session.scalars(select(Feedback).where(Feedback.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def bulk_targets(session, pv, ids: list[int], every: bool, chosen: dict, answers: dict) -> list[Feedback]:
    """The ticked responses, or every response matching the filter; never a withdrawn one."""
    where = [Feedback.pathway_slug == pv.slug, Feedback.version == pv.version, Feedback.status.in_(SUBMITTED)]
    if every:
        where += matching(pv, chosen, answers)
    else:
        where.append(Feedback.id.in_(ids))
    return list(session.scalars(select(Feedback).where(*where).order_by(*ORDER)))


def next_untriaged(session, record: Feedback, chosen: dict, answers: dict) -> Feedback | None:
    """The first response still "new" in the list's order, under the filters the list had."""
    where = filtering.conditions({**chosen, "pathway": record.pathway_slug, "version": record.version,
                                  "status": "new"}, answers)
    return session.scalars(select(Feedback).where(*where, Feedback.id != record.id).order_by(*ORDER)
                           .limit(1)).first()
