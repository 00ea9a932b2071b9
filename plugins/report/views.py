"""The report's pages: download a consultation report, the "being prepared" page, and the governance record."""
from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, url_for

from pathway_review.plugin_api import (audit, database, error_response, get_session, get_version_or_404,
                                       roles_required, signed_in, today)

from .building import builds_on_request, current, fresh, make, request_build
from .content import SAMPLE_NOTICE
from .governance import GovernanceRefused, add_entry, record_for
from .models import DECISIONS, FORMATS, STEPS

log = logging.getLogger(__name__)
bp = Blueprint("report", __name__, url_prefix="/reports", template_folder="templates")
CFSD = ("cfsd", "admin")


def file_name(pv, fmt: str) -> str:
    return f"consultation-report-{pv.slug}-{pv.version}.{fmt}"


def _send(pv, fmt: str, content: bytes) -> Response:
    audit.record_now("report:download", f"{pv.slug}/{pv.version}", format=fmt)
    return Response(content, mimetype=FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{file_name(pv, fmt)}"', "Cache-Control": "no-store"})


@bp.route("/<slug:slug>/<version:version>/report.<fmt>")
@roles_required(*CFSD)
def download(slug, version, fmt):
    pv = get_version_or_404(slug, version)
    if fmt not in FORMATS:
        return render_template("report/unknown_format.html", pv=pv, fmt=fmt[:16]), 404
    if builds_on_request(pv):
        try:
            content = make(pv, fmt)
        except Exception:  # the page says so rather than showing an error with a trace
            log.exception("consultation report %s %s (%s) failed", slug, version, fmt)
            return error_response(503, "The report could not be made just now. Try again in a few minutes; if "
                                       "it keeps failing, download the feedback as a spreadsheet instead.")
        return _send(pv, fmt, content)
    prepared = current(slug, version, fmt)
    if prepared is None or prepared.status == "failed" and "again" in request.args or not fresh(prepared):
        request_build(pv, fmt)
        prepared = current(slug, version, fmt)
    if prepared.status == "ready":
        return _send(pv, fmt, prepared.content)
    return render_template("report/preparing.html", pv=pv, fmt=fmt, prepared=prepared,
                           again=url_for("report.download", slug=slug, version=version, fmt=fmt, again=1)), 202


@bp.route("/<slug:slug>/<version:version>/governance", methods=["GET", "POST"])
@signed_in
def governance(slug, version):
    pv = get_version_or_404(slug, version)
    errors, form, status = [], {}, 200
    if request.method == "POST":
        if g.user.role not in CFSD:
            return render_template("report/governance.html", **_page(pv), errors=[{
                "message": "Only CfSD records governance decisions."}], form={}), 403
        form = {k: request.form.get(k, "") for k in ("step", "decision", "decided_on", "note")}
        with database().transaction() as session:
            try:
                entry = add_entry(session, slug, version, g.user, form)
                audit.record("governance:record", f"{slug}/{version}", session=session, step=entry.step,
                             decision=entry.decision)
            except GovernanceRefused as refused:
                errors, status = [{"field": refused.field, "message": refused.message}], 409 \
                    if refused.field == "step" else 422
        if not errors:
            return redirect(url_for("report.governance", slug=slug, version=version) + "#history")
    return render_template("report/governance.html", **_page(pv), errors=errors, form=form), status


def _page(pv) -> dict:
    record = record_for(get_session(), pv.slug, pv.version)
    return {"pv": pv, "record": record, "steps": list(STEPS.items()), "decisions": list(DECISIONS.items()),
            "may_record": g.user.role in CFSD, "today": today(), "sample_notice": SAMPLE_NOTICE,
            "config": current_app.config}
