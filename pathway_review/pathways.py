"""Pages for reading pathways: the catalogue, a version, its history and a comparison of two versions."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from markupsafe import Markup

from .access import signed_in
from .cache import shared_page, shared_viewer, wrapped
from .clock import today
from .compare import compare_versions
from .consultation import FILTERS, consultation_status
from .plugins import flatten, page_hook

bp = Blueprint("pathways", __name__)
bp.add_app_template_global(consultation_status)


def _version_scope(view_args) -> str | None:
    from .db import version_scope

    pathway = library().get(view_args.get("slug", ""))
    if pathway is None:
        return None
    version = pathway.version(view_args["version"]) if "version" in view_args else pathway.current
    return version_scope(version.slug, version.version) if version is not None else None


bp.record_once(lambda state: state.app.extensions.setdefault("pathway_review.page_scopes", {}).update(
    {"pathways.current": _version_scope, "pathways.version": _version_scope}))


def library():
    return current_app.extensions["pathway_review.library"]


def get_pathway_or_404(slug: str):
    pathway = library().get(slug)
    if pathway is None:
        abort(404)
    return pathway


def get_version_or_404(slug: str, version: str):
    found = library().get_version(slug, version)
    if found is None:
        abort(404)
    return found


@bp.route("/")
@signed_in
def catalogue():
    specialty = request.args.get("specialty", "")
    status = request.args.get("status", "")
    errors = []
    specialties = library().specialties()
    if specialty and specialty not in specialties:
        errors.append({"field": "specialty", "message": f"There is no specialty called “{specialty[:80]}”."})
        specialty = ""
    if status == "consultation":
        status = "open"  # the filter's old value, which was labelled "Open for feedback"
    if status and status not in FILTERS:
        errors.append({"field": "status", "message": "Choose a status from the list."})
        status = ""
    day = today()
    rows = []
    for pathway in library().pathways.values():
        current = pathway.current
        if specialty and current.specialty != specialty:
            continue
        standing = consultation_status(current, day)
        if status and standing.key != status:
            continue
        rows.append((pathway, current, standing))
    return render_template("pathways/catalogue.html", rows=rows, specialties=specialties, statuses=FILTERS,
                           specialty=specialty, status=status, errors=errors,
                           problems=len(library().problems)), (400 if errors else 200)


@bp.route("/pathways/<slug:slug>/")
@signed_in
def current(slug):
    pathway = get_pathway_or_404(slug)
    return _render_version(pathway, pathway.current, is_current=True)


@bp.route("/pathways/<slug:slug>/<version:version>/")
@signed_in
def version(slug, version):
    pathway = get_pathway_or_404(slug)
    found = get_version_or_404(slug, version)
    return _render_version(pathway, found, is_current=found is pathway.current)


def _render_version(pathway, found, is_current: bool):
    day = today()

    def page(**context):
        body = _render_body(pathway, found, is_current, day)
        return render_template("pathways/version.html", pathway=pathway, pv=found, body=body, **context)

    if session.get("_flashes"):
        return page()  # a one-off message belongs to this response only
    return shared_page(_page_key(found, is_current, day), lambda: page(**shared_viewer()))


def _page_key(found, is_current: bool, day) -> tuple:
    """Everything a pathway page shared by people of one role and board depends on.

    The document's file; the role, board and plugin set of the viewer, and what plugins say sets them
    apart (``page_variant``); the cache marks of the version, the board and the site, read now, before
    the page is built, so a change committed while it is built is not missed; and the date (days left in
    a consultation). Staff pages (every role but GPs') also show counts of what people wrote about the
    version (see ``db.scopes_of``), so theirs also depend on the version's staff mark; a GP's page does
    not, and stays cached while other GPs give feedback.
    """
    from .db import database, staff_scope, version_scope

    ctx = g._get_current_object()
    user, scope = ctx.user, version_scope(found.slug, found.version)
    staff = user.role != "gp"
    if ctx.get("page_scope") == scope and "page_mark" in ctx:
        marks = (ctx.page_mark, ctx.staff_mark if staff else None)  # read with who is asking (see auth)
    else:
        staff_of = staff_scope(found.slug, found.version)
        found_marks = database().marks([scope, staff_of])
        marks = (found_marks[scope], found_marks[staff_of] if staff else None)
    variant = tuple(page_hook("page_variant", user=user))
    return ("pathway-page", request.path, found.path, found.mtime_ns, is_current, user.role, user.board_id,
            ctx.hooks.allowed, variant, marks, ctx.get("marks"), day)


def _render_body(pathway, found, is_current: bool, day) -> Markup:
    user = g.user
    actions = sorted(flatten(page_hook("pathway_actions", version=found, user=user)), key=lambda a: a.order)
    panels = [wrapped(panel, '<div class="pr-panel">', "</div>")
              for panel in page_hook("pathway_panels", version=found, user=user)]
    section_actions, section_panels = {}, {}
    for section in found.sections:
        section_actions[section.id] = sorted(
            flatten(page_hook("section_actions", version=found, section=section, user=user)),
            key=lambda a: a.order)
        section_panels[section.id] = [
            wrapped(panel, '<div class="pr-section-panel">', "</div>")
            for panel in page_hook("section_panels", version=found, section=section, user=user)]
    return Markup(render_template("pathways/_version_body.html", pathway=pathway, pv=found,
                                  is_current=is_current, standing=consultation_status(found, day),
                                  actions=actions, panels=panels,
                                  section_actions=section_actions, section_panels=section_panels,
                                  previous=pathway.previous(found)))


@bp.route("/pathways/<slug:slug>/<version:version>/print")
@signed_in
def print_version(slug, version):
    """The document alone, for paper or PDF: no actions, panels or forms, so it prints the same without
    JavaScript from any browser's Print command."""
    pathway = get_pathway_or_404(slug)
    found = get_version_or_404(slug, version)
    return render_template("pathways/print.html", pathway=pathway, pv=found, standing=consultation_status(found))


@bp.route("/pathways/<slug:slug>/history/")
@signed_in
def history(slug):
    pathway = get_pathway_or_404(slug)
    versions = list(reversed(pathway.versions))
    return render_template("pathways/history.html", pathway=pathway, versions=versions)


@bp.route("/pathways/<slug:slug>/compare/")
@signed_in
def compare_form(slug):
    """The history page's no-JavaScript form posts two versions here by GET."""
    pathway = get_pathway_or_404(slug)
    old, new = request.args.get("from", ""), request.args.get("to", "")
    if pathway.version(old) is None or pathway.version(new) is None:
        return render_template("pathways/history.html", pathway=pathway, versions=list(reversed(pathway.versions)),
                               errors=[{"field": "from", "message": "Choose two versions of this pathway."}]), 400
    return redirect(url_for("pathways.compare", slug=slug, old=old, new=new))


@bp.route("/pathways/<slug:slug>/compare/<version:old>/<version:new>/")
@signed_in
def compare(slug, old, new):
    pathway = get_pathway_or_404(slug)
    old_pv, new_pv = get_version_or_404(slug, old), get_version_or_404(slug, new)
    changes = compare_versions(old_pv, new_pv)
    counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in ("added", "removed", "changed", "unchanged")}
    return render_template("pathways/compare.html", pathway=pathway, old=old_pv, new=new_pv, changes=changes,
                           counts=counts)
