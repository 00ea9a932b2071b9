"""The issue log's JSON API: ``/api/v1/boards/<board>/interface-issues``."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from sqlalchemy import select

from pathway_review.plugin_api import can, checks_permission, error_response, get_session, inputs, signed_in

from .dashboard import open_first
from .forms import check_issue, check_triage
from .models import CATEGORIES, STATUSES, InterfaceIssue
from .rules import board_or_404
from .service import apply_triage, create_issue, issue_json

bp = Blueprint("interface_log_api", __name__, url_prefix="/api/v1/boards/<slug:board>/interface-issues")

CREATE_FIELDS = {"category", "description", "service", "pathway", "section", "patient_safety"}
TRIAGE_FIELDS = {"status", "owner", "resolution", "lasting_change", "lasting_change_detail"}
BOOLEANS = {"true": True, "false": False, "yes": True, "no": False}


def invalid(errors: list[dict]):
    first = errors[0]["message"]
    more = f" ({len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return error_response(400, first + more, errors=errors)


def json_body(allowed: set[str]):
    """The request's JSON object, or an error response naming its unknown fields.

    A body that is not JSON (400), too large or deep (413), not an object, or holding text that cannot
    be stored (422) is answered by the core before this plugin looks at it.
    """
    body = inputs.json_object()
    unknown = inputs.unknown_fields(body, allowed)
    if unknown:
        return None, invalid(unknown)
    return body, None


@bp.get("")
@signed_in
def list_issues(board):
    board_row = board_or_404(board)
    errors = []
    status, category, safety = (request.args.get(k, "") for k in ("status", "category", "safety"))
    if status and status not in STATUSES:
        errors.append({"field": "status", "message": f"status must be one of: {', '.join(STATUSES)}."})
    if category and category not in CATEGORIES:
        errors.append({"field": "category", "message": f"category must be one of: {', '.join(CATEGORIES)}."})
    if safety and safety not in BOOLEANS:
        errors.append({"field": "safety", "message": "safety must be true or false."})
    if errors:
        return invalid(errors)
    query = select(InterfaceIssue).where(InterfaceIssue.board_id == board_row.id)
    if status:
        query = query.where(InterfaceIssue.status == status)
    if category:
        query = query.where(InterfaceIssue.category == category)
    if safety:
        query = query.where(InterfaceIssue.patient_safety.is_(BOOLEANS[safety]))
    items = [issue_json(i) for i in open_first(list(get_session().scalars(query)))]
    return jsonify({"issues": items, "count": len(items)})


@bp.post("")
@signed_in
@checks_permission("interface_log:log")
def log_issue(board):
    board_row = board_or_404(board, "interface_log:log")
    body, problem = json_body(CREATE_FIELDS)
    if problem:
        return problem
    values = {key: body.get(key) for key in CREATE_FIELDS}
    errors = []
    for key in ("category", "description", "service", "pathway", "section"):
        if values[key] is None:
            values[key] = ""
        elif not isinstance(values[key], str):
            errors.append({"field": key, "message": f"{key} must be a string."})
            values[key] = ""
        values[key] = values[key].strip()
    values["patient_safety"] = values["patient_safety"] if values["patient_safety"] is not None else False
    errors.extend(check_issue(values))
    if errors:
        return invalid(errors)
    issue = create_issue(board_row, values, g.user)
    response = jsonify(issue_json(issue))
    response.status_code = 201
    response.headers["Location"] = request.path.rstrip("/") + f"/{issue.id}"
    return response


def _issue_or_404(board_row, issue_id):
    issue = get_session().get(InterfaceIssue, issue_id)
    if issue is None or issue.board_id != board_row.id:
        return None
    return issue


@bp.get("/<int:issue_id>")
@signed_in
def get_issue(board, issue_id):
    board_row = board_or_404(board)
    issue = _issue_or_404(board_row, issue_id)
    if issue is None:
        return error_response(404, f"{board_row.name} has no interface issue {issue_id}.")
    return jsonify(issue_json(issue) | {"may_triage": can("interface_log:triage", board_row)})


@bp.patch("/<int:issue_id>")
@signed_in
@checks_permission("interface_log:triage")
def triage_issue(board, issue_id):
    board_row = board_or_404(board, "interface_log:triage")
    issue = _issue_or_404(board_row, issue_id)
    if issue is None:
        return error_response(404, f"{board_row.name} has no interface issue {issue_id}.")
    body, problem = json_body(TRIAGE_FIELDS)
    if problem:
        return problem
    errors, changes = check_triage(issue, board_row, body)
    if errors:
        return invalid(errors)
    apply_triage(issue, changes)
    return jsonify(issue_json(issue))
