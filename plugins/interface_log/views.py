"""The issue log's pages: a board's dashboard, its issues, logging an issue and triaging it."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from pathway_review.plugin_api import (User, can, checks_permission, column_chart, get_session, held_forms, library,
                                       render_markdown, signed_in)

from .dashboard import board_dashboard, open_first
from .forms import LABELS, LIMITS, check_issue, check_triage, section_choices
from .models import CATEGORIES, OPEN, STATUSES, TRANSITIONS, InterfaceIssue
from .rules import NATIONAL_READERS, board_or_404, kit
from .service import apply_triage, create_issue

bp = Blueprint("interface_log", __name__, url_prefix="/interface-log", template_folder="templates")


def field_errors(errors: list[dict]) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in errors:
        found.setdefault(error["field"], error["message"])
    return found


def pathway_choices() -> list[tuple[str, str]]:
    return [(p.slug, p.title) for p in library().pathways.values()]


@bp.route("/")
@signed_in
def index():
    if g.user.board_id is not None:
        return redirect(url_for("interface_log.dashboard", board=g.user.board.slug))
    if g.user.role not in NATIONAL_READERS:
        abort(404)
    db = get_session()
    counts = dict(db.execute(select(InterfaceIssue.board_id, func.count(InterfaceIssue.id))
                             .where(InterfaceIssue.status.in_(OPEN)).group_by(InterfaceIssue.board_id)).all())
    boards = kit.boards(db)
    return render_template("interface_log/index.html", boards=[(b, counts.get(b.id, 0)) for b in boards])


@bp.route("/boards/<slug:board>/")
@signed_in
def dashboard(board):
    board_row = board_or_404(board)
    figures = board_dashboard(board_row.id)
    resolved_chart = column_chart("Issues resolved in each of the last 12 months", figures.resolved_per_month,
                                  header=("Month", "Resolved"), chart_id="resolved-per-month", labels_every=3)
    return render_template("interface_log/dashboard.html", board=board_row, figures=figures,
                           resolved_chart=resolved_chart, may_log=can("interface_log:log", board_row),
                           may_triage=can("interface_log:triage", board_row))


@bp.route("/boards/<slug:board>/issues")
@signed_in
def issues(board):
    board_row = board_or_404(board)
    wanted = {k: request.args.get(k, "") for k in ("status", "category")}
    safety = request.args.get("safety") == "yes"
    errors = []
    if wanted["status"] and wanted["status"] not in STATUSES:
        errors.append({"field": "status", "message": "Choose a status from the list."})
        wanted["status"] = ""
    if wanted["category"] and wanted["category"] not in CATEGORIES:
        errors.append({"field": "category", "message": "Choose a category from the list."})
        wanted["category"] = ""
    query = select(InterfaceIssue).where(InterfaceIssue.board_id == board_row.id)
    if wanted["status"]:
        query = query.where(InterfaceIssue.status == wanted["status"])
    if wanted["category"]:
        query = query.where(InterfaceIssue.category == wanted["category"])
    if safety:
        query = query.where(InterfaceIssue.patient_safety.is_(True))
    found = open_first(list(get_session().scalars(query)))
    return render_template("interface_log/issues.html", board=board_row, issues=found, wanted=wanted,
                           safety=safety, errors=errors, field_errors=field_errors(errors), statuses=STATUSES,
                           categories=CATEGORIES), (400 if errors else 200)


def read_issue_form(form) -> dict:
    return {
        "category": (form.get("category") or "").strip(), "description": (form.get("description") or "").strip(),
        "service": (form.get("service") or "").strip(), "pathway": (form.get("pathway") or "").strip(),
        "section": (form.get("section") or "").strip(), "patient_safety": "yes" in form.getlist("patient_safety"),
    }


@bp.route("/boards/<slug:board>/issues/new", methods=["GET", "POST"])
@signed_in
@checks_permission("interface_log:log")
def new_issue(board):
    board_row = board_or_404(board, "interface_log:log")
    errors = []
    if request.method == "GET":
        held = held_forms.restored()  # typed before a sign-out, and kept
        values = read_issue_form(held if held is not None else request.args)
    else:
        values = read_issue_form(request.form)
        # Without JavaScript, choosing a pathway and asking for its sections re-draws the form.
        listed_for = request.form.get("sections_of", "")
        if request.form.get("action") == "sections":
            pass
        elif listed_for and values["section"] and listed_for != values["pathway"]:
            # The pathway was changed after its sections were listed: the section chosen is the old one's.
            values["section"] = ""
            title = dict(pathway_choices()).get(values["pathway"], "the pathway you chose")
            errors = [{"field": "section", "message": f"The sections below are now those of {title}: choose one, "
                                                      "or leave it as the whole pathway."}]
        else:
            errors = check_issue(values)
            if not errors:
                issue = create_issue(board_row, values, g.user)
                flash(f"Issue {issue.id} logged. {board_row.name}'s interface liaison will triage it.", "success")
                return redirect(url_for("interface_log.issue", board=board_row.slug, issue_id=issue.id)), 303
    return render_template("interface_log/new.html", board=board_row, values=values, errors=errors,
                           field_errors=field_errors(errors), categories=CATEGORIES, labels=LABELS, limits=LIMITS,
                           pathways=pathway_choices(), sections=section_choices(values["pathway"])), \
        (400 if errors else 200)


def issue_or_404(board_row, issue_id: int) -> InterfaceIssue:
    issue = get_session().get(InterfaceIssue, issue_id)
    if issue is None or issue.board_id != board_row.id:
        abort(404)
    return issue


def read_triage_form(form) -> dict:
    lasting = form.get("lasting_change", "")
    return {"status": form.get("status", ""), "owner": form.get("owner", ""),
            "resolution": form.get("resolution", ""), "lasting_change_detail": form.get("lasting_change_detail", ""),
            "lasting_change": {"yes": True, "no": False, "": None}.get(lasting, lasting)}


@bp.route("/boards/<slug:board>/issues/<int:issue_id>", methods=["GET", "POST"])
@signed_in
@checks_permission("interface_log:triage")
def issue(board, issue_id):
    board_row = board_or_404(board, "interface_log:triage" if request.method == "POST" else "interface_log:read")
    found = issue_or_404(board_row, issue_id)
    may_triage = can("interface_log:triage", board_row)
    errors = []
    triage = {"status": found.status, "owner": found.owner_id or "", "resolution": found.resolution or "",
              "lasting_change": found.lasting_change, "lasting_change_detail": found.lasting_change_detail or ""}
    if request.method == "POST":
        proposed = read_triage_form(request.form)
        errors, changes = check_triage(found, board_row, proposed)
        if not errors:
            apply_triage(found, changes)
            flash(f"Issue {found.id} saved: {found.status_label.lower()}." if changes else "Nothing changed.",
                  "success")
            return redirect(url_for("interface_log.issue", board=board_row.slug, issue_id=found.id)), 303
        triage = proposed
    people = []
    if may_triage:
        people = get_session().scalars(select(User).where(User.board_id == board_row.id, User.active.is_(True))
                                       .order_by(User.name)).all()
    return render_template(
        "interface_log/issue.html", board=board_row, issue=found, may_triage=may_triage, errors=errors,
        field_errors=field_errors(errors), triage=triage, labels=LABELS, limits=LIMITS,
        statuses=[(s, STATUSES[s]) for s in STATUSES if s == found.status or s in TRANSITIONS[found.status]],
        people=[("", "No owner yet")] + [(str(p.id), f"{p.name} ({p.email})") for p in people],
        description_html=render_markdown(found.description),
        resolution_html=render_markdown(found.resolution) if found.resolution else None,
        pathway=_pathway_link(found)), (400 if errors else 200)


def _pathway_link(found):
    if not found.pathway:
        return None
    pathway = library().get(found.pathway)
    if pathway is None:
        return (None, found.pathway)
    section = pathway.current.section(found.section_id) if found.section_id else None
    label = pathway.title + (f": {section.title}" if section else "")
    return (url_for("pathways.current", slug=pathway.slug, _anchor=section.id if section else None), label)
