"""The JSON API under /api/v1, described by an OpenAPI 3.1 document that plugins extend."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request

from .access import public, signed_in
from .clock import today
from .consultation import CONSULTATION_STATES, consultation_status
from .document import STATUSES
from .plugins import host
from .security import error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def library():
    return current_app.extensions["pathway_review.library"]


def version_summary(pv, day) -> dict:
    standing = consultation_status(pv, day)
    return {
        "slug": pv.slug, "version": pv.version, "title": pv.title, "specialty": pv.specialty,
        "status": pv.status, "date": pv.date.isoformat(),
        "consultation": {
            "opens": pv.consultation_opens.isoformat() if pv.consultation_opens else None,
            "closes": pv.consultation_closes.isoformat() if pv.consultation_closes else None,
            "state": standing.state, "days_left": standing.days_left, "label": standing.label,
        },
        "owning_group": pv.owning_group, "approved_by": pv.approved_by,
        "last_reviewed": pv.last_reviewed.isoformat() if pv.last_reviewed else None,
        "next_review": pv.next_review.isoformat() if pv.next_review else None,
        "summary": pv.summary, "sample": pv.sample,
        "questions": [{"id": q.id, "label": q.label, "kind": q.kind, "choices": list(q.choices)}
                      for q in pv.questions],
    }


@bp.get("/pathways")
@signed_in
def pathways():
    specialty, status = request.args.get("specialty"), request.args.get("status")
    consultation = request.args.get("consultation")
    if status and status not in STATUSES:
        return error_response(400, f"status must be one of: {', '.join(STATUSES)}", field="status")
    if consultation and consultation not in CONSULTATION_STATES:
        return error_response(400, f"consultation must be one of: {', '.join(CONSULTATION_STATES)}",
                              field="consultation")
    day = today()
    items = []
    for pathway in library().pathways.values():
        pv = pathway.current
        if (specialty and pv.specialty != specialty) or (status and pv.status != status):
            continue
        if consultation and consultation_status(pv, day).key != consultation:
            continue
        items.append(version_summary(pv, day) | {"versions": [v.version for v in pathway.versions]})
    return jsonify({"pathways": items, "count": len(items)})


@bp.get("/pathways/<slug:slug>")
@signed_in
def pathway(slug):
    found = library().get(slug)
    if found is None:
        abort(404)
    day = today()
    return jsonify(version_summary(found.current, day) | {
        "current_version": found.current.version,
        "versions": [{"version": v.version, "status": v.status, "date": v.date.isoformat()}
                     for v in found.versions],
    })


@bp.get("/pathways/<slug:slug>/versions/<version:version>")
@signed_in
def pathway_version(slug, version):
    pv = library().get_version(slug, version)
    if pv is None:
        abort(404)
    return jsonify(version_summary(pv, today()) | {
        "intro_html": pv.intro_html,
        "sections": [{"id": s.id, "title": s.title, "level": s.level, "parent": s.parent_id,
                      "html": s.html, "text": s.text} for s in pv.sections],
    })


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(openapi_document())


def openapi_document() -> dict:
    from .openapi import core_document, pipeline_responses

    document = core_document()
    for paths in host().call("openapi_paths"):
        document["paths"].update(pipeline_responses(paths or {}, from_plugin=True))
    return document
