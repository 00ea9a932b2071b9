"""The feedback JSON API under /api/v1: GPs give and manage their feedback, CfSD reads and triages it.

Bearer tokens work here (the core skips CSRF for them). Errors are JSON: 400 for a body that is not
JSON, 404 for a record the caller may not see, 409 outside the consultation window, 413 for a body
too large or deep, and 422 with ``errors: [{field, message}]`` for anything wrong in the fields
(including a body that is not a JSON object).
"""
from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, request, url_for
from sqlalchemy import func, select

from pathway_review.plugin_api import error_response, get_session, inputs, roles_required

from . import events, filters as filtering, service
from .models import Feedback

bp = Blueprint("feedback_api", __name__, url_prefix="/api/v1")
CREATE_FIELDS = {"version", "draft", *service.INPUT_FIELDS}
TRIAGE_FIELDS = {"status", "response", "themes"}
MAX_LIMIT = 500


def unprocessable(errors):
    return error_response(422, "Some fields need correcting: " + ", ".join(e["field"] for e in errors) + ".",
                          errors=errors)


def record_response(record, code=200):
    response = jsonify(events.serialize(record, g.user))
    response.status_code = code
    if code == 201:
        response.headers["Location"] = url_for("feedback_api.get_feedback", feedback_id=record.id)
    return response


def visible_or_404(feedback_id: int) -> Feedback:
    record = get_session().get(Feedback, feedback_id)
    if record is None:
        abort(404)
    if g.user.role == "gp" and record.user_id != g.user.id:
        abort(404)  # another GP's feedback does not exist for this GP
    if g.user.role != "gp" and record.status == "draft":
        abort(404)  # a draft is its author's alone
    return record


@bp.post("/pathways/<slug:slug>/feedback")
@roles_required("gp")
def create_feedback(slug):
    pathway = service.library().get(slug)
    if pathway is None:
        abort(404)
    body = inputs.json_object(CREATE_FIELDS)
    errors = []
    version = body.get("version")
    pv = pathway.version(version) if isinstance(version, str) else None
    if pv is None:
        errors.append({"field": "version", "message": "Give the version you read, one of: "
                                                      + ", ".join(v.version for v in pathway.versions) + "."})
    if not isinstance(body.get("draft", False), bool):
        errors.append({"field": "draft", "message": "draft must be true or false."})
    if errors:
        return unprocessable(errors)
    closed = service.window_message(pv)
    if closed:
        return error_response(409, closed)
    draft = body.get("draft", False)
    checked = service.check(pv, body, submit=not draft)
    if not checked.ok:
        return unprocessable(checked.errors)
    session = get_session()
    if not service.within_rate_limit(session, g.user):
        return error_response(429, service.RATE_LIMITED)
    record = service.create(session, g.user, pv, checked.values, submit=not draft)
    session.commit()
    return record_response(record, 201)


@bp.get("/feedback")
@roles_required("gp", "cfsd", "admin")
def list_feedback():
    mine = g.user.role == "gp"
    try:
        # status=draft is a valid filter for everyone; only a GP's own drafts can match it.
        chosen = filtering.parse(request.args, allow_drafts=True)
    except filtering.FilterError as exc:
        return error_response(400, exc.message, errors=[{"field": exc.field, "message": exc.message}])
    limit = inputs.query_int("limit", 50, 1, MAX_LIMIT)
    offset = inputs.query_int("offset", 0, 0, inputs.MAX_INT)
    where = filtering.conditions(chosen, default_statuses=None if mine else filtering.SUBMITTED)
    if mine:
        where.append(Feedback.user_id == g.user.id)
    else:
        where.append(Feedback.status != "draft")  # a draft is its author's alone
    session = get_session()
    total = session.scalar(select(func.count()).where(*where))
    records = session.scalars(select(Feedback).where(*where).order_by(Feedback.id.desc())
                              .limit(limit).offset(offset)).all()
    return jsonify({"feedback": [events.serialize(r, g.user) for r in records], "count": total,
                    "limit": limit, "offset": offset})


@bp.get("/feedback/<int:feedback_id>")
@roles_required("gp", "cfsd", "admin")
def get_feedback(feedback_id):
    return record_response(visible_or_404(feedback_id))


def _own_open_record(feedback_id: int):
    """The caller's record and its version, or an error response (404, 409)."""
    record = visible_or_404(feedback_id)
    if record.status == "withdrawn":
        return None, None, error_response(409, "This feedback was withdrawn and can no longer be changed.")
    pv = service.library().get_version(record.pathway_slug, record.version)
    closed = service.window_message(pv) if pv else "This pathway version is no longer in the library."
    if closed:
        return None, None, error_response(409, closed)
    return record, pv, None


@bp.patch("/feedback/<int:feedback_id>")
@roles_required("gp")
def update_feedback(feedback_id):
    record, pv, failure = _own_open_record(feedback_id)
    if failure:
        return failure
    body = inputs.json_object(CREATE_FIELDS)
    errors = []
    if "version" in body and body["version"] != record.version:
        errors.append({"field": "version", "message": "Feedback stays on the version it was written on."})
    draft = body.get("draft", record.status == "draft")
    if not isinstance(draft, bool):
        errors.append({"field": "draft", "message": "draft must be true or false."})
    elif draft and record.status != "draft":
        errors.append({"field": "draft", "message": "Submitted feedback cannot go back to being a draft."})
    if errors:
        return unprocessable(errors)
    merged = service.current_values(record) | {k: body[k] for k in service.INPUT_FIELDS if k in body}
    checked = service.check(pv, merged, submit=not draft)
    if not checked.ok:
        return unprocessable(checked.errors)
    session = get_session()
    changes, submitted_now = service.update(session, g.user, record, pv, checked.values, submit=not draft)
    session.commit()
    return record_response(record)


@bp.delete("/feedback/<int:feedback_id>")
@roles_required("gp")
def delete_feedback(feedback_id):
    record, _pv, failure = _own_open_record(feedback_id)
    if failure:
        return failure
    session = get_session()
    kept = service.withdraw(session, g.user, record)
    session.commit()
    if not kept:
        return "", 204
    return record_response(record)


@bp.post("/feedback/<int:feedback_id>/triage")
@roles_required("cfsd", "admin")
def triage_feedback(feedback_id):
    record = visible_or_404(feedback_id)
    body = inputs.json_object(TRIAGE_FIELDS)
    errors = []
    if not TRIAGE_FIELDS & body.keys():
        errors.append({"field": "status", "message": "Give at least one of status, response and themes."})
    if errors:
        return unprocessable(errors)
    if record.status == "withdrawn":
        return error_response(409, "The GP withdrew this feedback; it cannot be triaged.")
    checked = service.check_triage(body)
    if not checked.ok:
        return unprocessable(checked.errors)
    session = get_session()
    service.triage(session, g.user, record, checked.values)
    session.commit()
    return record_response(record)
