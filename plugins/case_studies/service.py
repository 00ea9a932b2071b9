"""Checking, publishing and adopting case studies; the issues they come from arrive through a hook."""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import func, select

from pathway_review.plugin_api import (Field, SearchDocument, audit, check_fields, describe_for_log, flatten,
                                       get_session, host, outbox, utcnow)

from .models import Adoption, CaseStudy

log = logging.getLogger(__name__)
PLUGIN = "case_studies"
LABELS = {
    "title": "Title", "problem": "The problem", "change": "The change that lasted",
    "involved": "Who was involved", "hours_saved": "GP hours saved a year",
    "estimate_method": "How the hours were estimated", "confirm": "No patient is identifiable",
}
LIMITS = {"title": 200, "problem": 5000, "change": 5000, "involved": 2000, "estimate_method": 2000}
MAX_HOURS = 1_000_000
TEXTS = ("title", "problem", "change", "involved", "estimate_method")


def board_issues(board_slug: str) -> list[dict]:
    """The board's interface issues, as the plugin that keeps them shares them (none without one)."""
    answers = host().call("shareable_interface_issues", app=current_app._get_current_object(), board=board_slug)
    return [i for i in flatten(answers) if isinstance(i, dict) and isinstance(i.get("id"), int)
            and i.get("board") == board_slug]


def publishable(issue: dict) -> bool:
    return issue.get("status") == "resolved" and issue.get("lasting_change") is True


def refusal(issue: dict) -> str | None:
    """Why this issue cannot become a case study, or None."""
    if issue.get("status") != "resolved":
        return (f"Issue {issue['id']} is {str(issue.get('status_label') or issue.get('status')).lower()}: only a "
                "resolved issue can be published as a case study.")
    if issue.get("lasting_change") is not True:
        return (f"Issue {issue['id']} was resolved without a lasting change. Record the change on the issue "
                "first: a case study shares a change that lasted.")
    return None


def from_issue(issue: dict) -> dict:
    change = "\n\n".join(t for t in (issue.get("change") or "", issue.get("resolution") or "") if t)
    return {"title": f"{issue.get('service', '')}: {issue.get('category', '')}".strip(": ")[:200],
            "problem": issue.get("problem") or "", "change": change, "involved": "", "hours_saved": "",
            "estimate_method": "", "confirm": False}


def from_case(case: CaseStudy) -> dict:
    return {"title": case.title, "problem": case.problem, "change": case.change, "involved": case.involved,
            "hours_saved": str(case.hours_saved), "estimate_method": case.estimate_method, "confirm": False}


def read_form(form) -> dict:
    values = {name: (form.get(name) or "").strip() for name in TEXTS}
    values["hours_saved"] = (form.get("hours_saved") or "").strip()
    values["confirm"] = form.get("confirm") == "yes"
    return values


def check(values: dict) -> tuple[list[dict], dict]:
    """(errors naming their fields, clean values). Nothing is stored unless there are no errors."""
    errors = []
    for name in TEXTS:
        if not values[name]:
            errors.append({"field": name, "message": f"Enter {LABELS[name].lower()}."})
        elif len(values[name]) > LIMITS[name]:
            errors.append({"field": name, "message": f"{LABELS[name]} must be {LIMITS[name]:,} characters or "
                                                     f"fewer (it is {len(values[name]):,})."})
    hours = None
    try:
        hours = int(values["hours_saved"].replace(",", ""))
        if not 0 <= hours <= MAX_HOURS:
            raise ValueError
    except ValueError:
        errors.append({"field": "hours_saved", "message": f"Enter the GP hours saved a year as a whole number "
                                                          f"from 0 to {MAX_HOURS:,}, like 2000."})
    problems = check_fields(*(Field(name=name, label=LABELS[name], text=values[name]) for name in TEXTS))
    if problems:
        log.info("case study refused: %s", describe_for_log(problems))
        errors.extend({"field": p.field, "message": p.message} for p in problems)
    if not values["confirm"]:
        errors.append({"field": "confirm", "message": "Confirm that no patient can be identified from the case "
                                                      "study."})
    clean = {name: values[name] for name in TEXTS} | {"hours_saved": hours}
    return errors, clean


def document(case: CaseStudy) -> SearchDocument:
    text = "\n\n".join([case.problem, f"What changed: {case.change}", f"Who was involved: {case.involved}",
                        f"Estimated {case.hours_saved:,} GP hours saved a year. {case.estimate_method}"])
    return SearchDocument(id=f"{PLUGIN}:{case.id}", kind="case-study", title=case.title,
                          heading=f"Case study from {case.board.name}", text=text, url=f"/case-studies/{case.id}",
                          status=f"{case.hours_saved:,} GP hours a year", plugin=PLUGIN)


def _indexed(session, case: CaseStudy) -> None:
    session.flush()
    session.refresh(case)
    outbox.record(session, "search_documents_changed", about=f"{PLUGIN}:{case.id}", documents=[document(case)],
                  removed=[])


def publish(board, issue: dict, clean: dict, user) -> CaseStudy:
    session = get_session()
    case = CaseStudy(board_id=board.id, issue_id=issue["id"], category=str(issue.get("category") or "")[:200],
                     published_by_id=user.id, **clean)
    session.add(case)
    session.flush()
    audit.record("case_study.published", target=f"case_study:{case.id}", board_id=board.id,
                 issue=issue["id"], hours_saved=case.hours_saved)
    _indexed(session, case)
    session.commit()
    return case


def edit(case: CaseStudy, clean: dict) -> None:
    session = get_session()
    for key, value in clean.items():
        setattr(case, key, value)
    case.updated_at = utcnow()
    audit.record("case_study.edited", target=f"case_study:{case.id}", board_id=case.board_id,
                 hours_saved=case.hours_saved)
    _indexed(session, case)
    session.commit()


def mark(case: CaseStudy, board, state: str, user) -> None:
    """Set (or, with state "", clear) where ``board`` stands on the case study's change."""
    session = get_session()
    found = session.scalar(select(Adoption).where(Adoption.case_study_id == case.id, Adoption.board_id == board.id))
    if not state:
        if found is not None:
            session.delete(found)
    elif found is None:
        session.add(Adoption(case_study_id=case.id, board_id=board.id, state=state, marked_by_id=user.id))
    else:
        found.state, found.marked_by_id, found.updated_at = state, user.id, utcnow()
    audit.record("case_study.marked", target=f"case_study:{case.id}", board_id=board.id, state=state or "none")
    session.commit()


def national_hours() -> tuple[int, int]:
    """(estimated GP hours a year saved by adopted changes, summed over adoptions; the number of adoptions)."""
    total, count = get_session().execute(
        select(func.coalesce(func.sum(CaseStudy.hours_saved), 0), func.count(Adoption.id))
        .join(CaseStudy, CaseStudy.id == Adoption.case_study_id).where(Adoption.state == "adopted")).one()
    return int(total), int(count)

