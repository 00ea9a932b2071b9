"""Case study pages: browse and search, read, publish from a resolved issue, edit, and mark for your board."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import or_, select

from pathway_review.plugin_api import (Board, abort_with, can, checks_permission, get_session, held_forms, inputs,
                                       render_markdown, signed_in)

from . import service
from .models import ADOPTION_STATES, CaseStudy

bp = Blueprint("case_studies", __name__, url_prefix="/case-studies", template_folder="templates")
NATIONAL = ("cfsd", "admin")
# Publishing is the interface liaison's: the issue log's own triage permission says who that is.
LIAISON = "interface_log:triage"


def field_errors(errors: list[dict]) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in errors:
        found.setdefault(error["field"], error["message"])
    return found


def is_liaison() -> bool:
    return g.user.board_id is not None and can(LIAISON, g.user.board)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@bp.route("/")
@signed_in
def index():
    session = get_session()
    boards = list(session.scalars(select(Board).where(Board.id.in_(select(CaseStudy.board_id)))
                                  .order_by(Board.name)))
    wanted = {"q": (request.args.get("q") or "").strip()[:200], "board": (request.args.get("board") or "").strip()}
    errors = []
    query = select(CaseStudy).order_by(CaseStudy.created_at.desc(), CaseStudy.id.desc())
    if wanted["board"]:
        board = next((b for b in boards if b.slug == wanted["board"]), None)
        if board is None:
            errors.append({"field": "board", "message": "Choose a board from the list."})
            wanted["board"] = ""
        else:
            query = query.where(CaseStudy.board_id == board.id)
    if wanted["q"]:
        token = _like(wanted["q"])
        query = query.where(or_(*(column.ilike(token, escape="\\") for column in (
            CaseStudy.title, CaseStudy.problem, CaseStudy.change, CaseStudy.involved, CaseStudy.category))))
    cases = list(session.scalars(query))
    national = service.national_hours() if g.user.board_id is None and g.user.role in NATIONAL else None
    return render_template("case_studies/index.html", cases=cases, boards_options=[(b.slug, b.name) for b in boards],
                           wanted=wanted, errors=errors, field_errors=field_errors(errors), national=national,
                           may_publish=is_liaison()), (400 if errors else 200)


def case_or_404(case_id: int) -> CaseStudy:
    case = get_session().get(CaseStudy, case_id)
    if case is None:
        abort(404)
    return case


def render_case(case: CaseStudy, errors=(), status=200):
    own = next((a for a in case.adoptions if a.board_id == g.user.board_id), None)
    return render_template(
        "case_studies/case.html", case=case, errors=list(errors), field_errors=field_errors(list(errors)),
        problem_html=render_markdown(case.problem), change_html=render_markdown(case.change),
        adoptions=sorted(case.adoptions, key=lambda a: (a.state, a.board.name)), own=own,
        states=ADOPTION_STATES, may_mark=g.user.board_id is not None and g.user.board_id != case.board_id,
        may_edit=g.user.board_id == case.board_id and is_liaison()), status


@bp.route("/<int:case_id>")
@signed_in
def case(case_id):
    return render_case(case_or_404(case_id))


@bp.route("/<int:case_id>/adoption", methods=["POST"])
@signed_in
def adoption(case_id):
    found = case_or_404(case_id)
    if g.user.board_id is None:
        abort_with(403, "Boards mark case studies; your account belongs to no board.")
    state = request.form.get("state", "")
    if found.board_id == g.user.board_id:
        return render_case(found, [{"field": "state", "message": "This change started in your board: other "
                                                                 "boards mark whether they adopt it."}], 409)
    if state not in (*ADOPTION_STATES, ""):
        return render_case(found, [{"field": "state", "message": "Choose adopted here, considering, or "
                                                                 "neither."}], 400)
    service.mark(found, g.user.board, state, g.user)
    flash(f"Marked for {g.user.board.name}: {ADOPTION_STATES.get(state, 'neither adopted nor considering')}.",
          "success")
    return redirect(url_for("case_studies.case", case_id=found.id)), 303


def checked_form():
    """(the form's values, as typed less what could never be stored; errors; clean values)."""
    values = service.read_form(request.form)
    if unstorable := inputs.form_text_errors():
        return inputs.storable(values), unstorable, None
    errors, clean = service.check(values)
    return values, errors, clean


def _liaison_or_403():
    if not is_liaison():
        abort_with(403, "Case studies are published by a board's interface liaison (its board admins "
                               "and the people they appoint to triage interface issues).")


@bp.route("/publish")
@signed_in
@checks_permission(LIAISON)
def choose_issue():
    _liaison_or_403()
    issues = service.board_issues(g.user.board.slug)
    published = dict(get_session().execute(select(CaseStudy.issue_id, CaseStudy.id)
                                            .where(CaseStudy.board_id == g.user.board_id)).all())
    return render_template("case_studies/choose.html", board=g.user.board, published=published,
                           issues=[i for i in issues if service.publishable(i)])


def _issue_or_404(issue_id: int) -> dict:
    # Only the user's own board is asked, so another board's issue does not exist here.
    issue = next((i for i in service.board_issues(g.user.board.slug) if i["id"] == issue_id), None)
    if issue is None:
        abort(404)
    return issue


@bp.route("/publish/<int:issue_id>", methods=["GET", "POST"])
@signed_in
@checks_permission(LIAISON)
@inputs.shows_text_problems
def publish(issue_id):
    _liaison_or_403()
    issue = _issue_or_404(issue_id)
    existing = get_session().scalar(select(CaseStudy).where(CaseStudy.board_id == g.user.board_id,
                                                            CaseStudy.issue_id == issue_id))
    if existing is not None:
        return redirect(url_for("case_studies.edit", case_id=existing.id)), 303
    why_not = service.refusal(issue)
    if why_not:
        return render_template("case_studies/refused.html", issue=issue, message=why_not), 409
    errors = []
    if request.method == "POST":
        values, errors, clean = checked_form()
        if not errors:
            found = service.publish(g.user.board, issue, clean, g.user)
            flash("Case study published: every board can now read it.", "success")
            return redirect(url_for("case_studies.case", case_id=found.id)), 303
    else:
        held = held_forms.restored()
        values = service.read_form(held) if held is not None else service.from_issue(issue)
    return render_template("case_studies/form.html", issue=issue, case=None, values=values, errors=errors,
                           field_errors=field_errors(errors), labels=service.LABELS,
                           action=url_for("case_studies.publish", issue_id=issue_id)), (400 if errors else 200)


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@signed_in
@checks_permission(LIAISON)
@inputs.shows_text_problems
def edit(case_id):
    found = case_or_404(case_id)
    if found.board_id != g.user.board_id:
        abort(404)  # another board's case study cannot be edited, so this page does not exist for them
    _liaison_or_403()
    errors = []
    if request.method == "POST":
        values, errors, clean = checked_form()
        if not errors:
            service.edit(found, clean)
            flash("Case study saved.", "success")
            return redirect(url_for("case_studies.case", case_id=found.id)), 303
    else:
        held = held_forms.restored()
        values = service.read_form(held) if held is not None else service.from_case(found)
    return render_template("case_studies/form.html", issue=None, case=found, values=values, errors=errors,
                           field_errors=field_errors(errors), labels=service.LABELS,
                           action=url_for("case_studies.edit", case_id=found.id)), (400 if errors else 200)
