"""The export page, its download link, and ``GET /api/v1/export/<dataset>.<format>``."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, render_template, request, stream_with_context

from pathway_review.plugin_api import audit, database, error_response, ratelimit, roles_required

from .exporting import (EXPORT_ROLES, FALSE, TRUE, Export, ExportProblem, all_formats, datasets_for,
                        find_dataset, prepare, stream)


bp = Blueprint("export", __name__, url_prefix="/export", template_folder="templates")
api = Blueprint("export_api", __name__, url_prefix="/api/v1/export")


@bp.get("/")
@roles_required(*EXPORT_ROLES)
def index():
    return render_template("export/index.html", datasets=list(datasets_for(g.user).values()),
                           formats=list(all_formats().values()))


@bp.get("/<name>/")
@roles_required(*EXPORT_ROLES)
def form(name):
    try:
        dataset = find_dataset(name, g.user)
    except ExportProblem as problem:
        return _refused(problem)
    return _form(dataset)


@bp.get("/<name>/download")
@roles_required(*EXPORT_ROLES)
def download(name):
    try:
        dataset = find_dataset(name, g.user)
    except ExportProblem as problem:
        return _refused(problem)
    chosen = request.args.get("format", "")
    if chosen not in all_formats():
        message = f"'{chosen[:50]}' is not a format; choose one of these." if chosen else "Choose a file format."
        return _form(dataset, [{"field": "format", "message": message}], 400)
    try:
        export = prepare(name, chosen, request.args.to_dict(flat=False), g.user)
    except ExportProblem as problem:
        if problem.code != 400:
            return _refused(problem)
        return _form(dataset, problem.errors or [{"field": "", "message": problem.message}], 400)
    return send(export, "web")


@api.get("/<dataset>.<format>")
@roles_required(*EXPORT_ROLES)
def api_export(dataset, format):  # noqa: A002 (the URL's own word, as in the OpenAPI document)
    try:
        export = prepare(dataset, format, request.args.to_dict(flat=False), g.user)
    except ExportProblem as problem:
        return _refused(problem)
    return send(export, "api")


def send(export: Export, via: str):
    limit = current_app.config["EXPORT_RATE_LIMIT"]
    if not ratelimit.hit_all(database(), [f"export:user:{g.user.id}"], limit):
        audit.record_now("export.rate_limited", export.dataset.name, via=via)
        return error_response(429, "You have started a lot of exports in the last few minutes. Wait a few "
                                   "minutes and try again.")
    chunks = stream(export, g.user, via)
    # Pulling the first chunk here runs the dataset's query inside the view, so a failure there still
    # gets a proper error page instead of a download cut short.
    first = next(chunks, b"")

    def body():
        yield first
        yield from chunks

    response = Response(stream_with_context(body()), mimetype=export.format.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["X-Export-Id"] = export.id
    return response


def _refused(problem: ExportProblem):
    if problem.code == 403:
        audit.record_now("permission.denied", target=request.path)
    return error_response(problem.code, problem.message, **problem.details())


def _form(dataset, errors=None, status: int = 200):
    fields = {"format", "pseudonymise", *(spec.name for spec in dataset.filter_specs)}
    # An error about a parameter the form has no input for cannot link anywhere on the page.
    errors = [{"field": e["field"] if e.get("field") in fields else "", "message": e["message"]}
              for e in errors or []]
    by_field = {e["field"]: e["message"] for e in errors if e["field"]}
    values = {key: request.args.get(key, "") for key in request.args}
    for spec in dataset.filter_specs:
        if spec.kind == "bool" and values.get(spec.name, "").lower() in TRUE | FALSE:
            values[spec.name] = "yes" if values[spec.name].lower() in TRUE else "no"
    if values.get("pseudonymise", "").lower() in TRUE | FALSE:
        values["pseudonymise"] = "1" if values["pseudonymise"].lower() in TRUE else "0"
    options = [(fmt.name, fmt.meta.get("choice", fmt.title)) for fmt in all_formats().values()]
    return render_template("export/form.html", dataset=dataset, format_options=options,
                           values=values, errors=errors, by_field=by_field), status
