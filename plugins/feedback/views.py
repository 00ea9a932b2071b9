"""The GP's side: give feedback on a pathway version or one of its sections, save drafts, submit,
edit or withdraw while the consultation is open, and see everything given under "My feedback"."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from pathway_review.plugin_api import get_session, get_version_or_404, held_forms, inputs, roles_required

from . import service
from .models import TYPES, Feedback
from .questions import TEXT_ANSWER_LIMIT, display, questions_for

bp = Blueprint("feedback", __name__, template_folder="templates", static_folder="static",
               static_url_path="/feedback-assets")
PAGE_SIZE = 50
ATTRIBUTION = {"named": (False, False), "board": (True, False), "anonymous": (True, True)}



def own_or_404(feedback_id: int) -> Feedback:
    # Another GP's feedback does not exist as far as this GP can tell.
    record = get_session().get(Feedback, feedback_id)
    if record is None or record.user_id != g.user.id:
        abort(404)
    return record


def form_from_request(version, posted=None) -> dict:
    """The form exactly as typed, to show back, and the input to check."""
    form = request.form if posted is None else posted
    answers = {}
    for question in questions_for(version):
        name = f"answers.{question.id}"
        answers[question.id] = form.getlist(name) if question.kind == "multiple" else form.get(name, "")
    # A name is only ever shown when the GP chose it: anything else is anonymous to CfSD but for the board.
    attribution = form.get("attribution", "board")
    anonymous, hide_board = ATTRIBUTION.get(attribution, ATTRIBUTION["board"])
    return {"section": form.get("section") or None, "type": form.get("type", ""), "text": form.get("text", ""),
            "answers": answers, "safety_concern": form.get("safety_concern") == "yes",
            "anonymous": anonymous, "hide_board": hide_board, "attribution": attribution}


def form_from_record(record: Feedback) -> dict:
    attribution = "anonymous" if record.hide_board and record.anonymous else \
        "board" if record.anonymous else "named"
    return service.current_values(record) | {"attribution": attribution}


def render_form(version, form, record=None, errors=(), closed=None, status=200):
    section = version.section(form.get("section")) if form.get("section") else None
    field_errors = {}
    for error in errors:
        field_errors[error["field"]] = " ".join(filter(None, [field_errors.get(error["field"]), error["message"]]))
    return render_template("feedback/form.html", pv=version, form=form, record=record, errors=list(errors),
                           field_errors=field_errors,
                           closed=closed, section=section, questions=questions_for(version),
                           types=list(TYPES.items()), limit=service.TEXT_LIMIT,
                           answer_limit=TEXT_ANSWER_LIMIT), status


@bp.route("/pathways/<slug:slug>/<version:version>/feedback", methods=["GET", "POST"])
@roles_required("gp")
@inputs.shows_text_problems
def new(slug, version):
    pv = get_version_or_404(slug, version)
    if request.method == "GET":
        section = request.args.get("section") or None
        if section is not None and pv.section(section) is None:
            abort(404)
        form = {"section": section, "type": "", "text": "", "answers": {}, "attribution": "board"}
        held = held_forms.restored()  # typed before the GP was signed out, and kept
        if held is not None:
            form = form_from_request(pv, held)
        return render_form(pv, form, closed=service.window_message(pv))
    form = form_from_request(pv)
    closed = service.window_message(pv)
    if closed:
        return render_form(pv, form, closed=closed, status=409)
    if unstorable := inputs.form_text_errors():
        return render_form(pv, inputs.storable(form), errors=unstorable, status=422)
    submit = request.form.get("action") != "draft"
    checked = service.check(pv, form, submit=submit)
    if not checked.ok:
        return render_form(pv, form, errors=checked.errors, status=422)
    session = get_session()
    if not service.within_rate_limit(session, g.user):
        return render_form(pv, form, errors=[{"field": "text", "message": service.RATE_LIMITED}], status=429)
    record = service.create(session, g.user, pv, checked.values, submit)
    session.commit()
    if submit:
        return redirect(url_for("feedback.receipt", feedback_id=record.id))
    flash("Your draft is saved. Only you can see it until you submit it.", "success")
    return redirect(url_for("feedback.edit", feedback_id=record.id))


@bp.route("/feedback/<int:feedback_id>/edit", methods=["GET", "POST"])
@roles_required("gp")
@inputs.shows_text_problems
def edit(feedback_id):
    record = own_or_404(feedback_id)
    pv = get_version_or_404(record.pathway_slug, record.version)
    closed = service.window_message(pv)
    if record.status == "withdrawn":
        closed = "You withdrew this feedback, so it can no longer be changed."
    if request.method == "GET":
        held = held_forms.restored()
        form = form_from_request(pv, held) if held is not None else form_from_record(record)
        return render_form(pv, form, record=record, closed=closed)
    form = form_from_request(pv)
    if closed:
        return render_form(pv, form, record=record, closed=closed, status=409)
    if unstorable := inputs.form_text_errors():
        return render_form(pv, inputs.storable(form), record=record, errors=unstorable, status=422)
    submit = record.status != "draft" or request.form.get("action") != "draft"
    checked = service.check(pv, form, submit=submit)
    if not checked.ok:
        return render_form(pv, form, record=record, errors=checked.errors, status=422)
    session = get_session()
    changes, submitted_now = service.update(session, g.user, record, pv, checked.values, submit)
    session.commit()
    if submitted_now:
        return redirect(url_for("feedback.receipt", feedback_id=record.id))
    flash("Your draft is saved." if record.status == "draft" else "Your changes are saved.", "success")
    return redirect(url_for("feedback.edit" if record.status == "draft" else "feedback.record",
                            feedback_id=record.id))


@bp.route("/feedback/<int:feedback_id>/withdraw", methods=["GET", "POST"])
@roles_required("gp")
def withdraw(feedback_id):
    record = own_or_404(feedback_id)
    pv = service.library().get_version(record.pathway_slug, record.version)
    closed = service.window_message(pv) if pv else "This pathway version is no longer in the library."
    if record.status == "withdrawn":
        closed = "You have already withdrawn this feedback."
    if request.method == "GET" or closed:
        return render_template("feedback/withdraw.html", record=record, pathway_title=_title(record),
                               closed=closed), (409 if closed and request.method == "POST" else 200)
    session = get_session()
    kept = service.withdraw(session, g.user, record)
    session.commit()
    if kept:
        flash("Your feedback is withdrawn. CfSD will not count it.", "success")
    else:
        flash("Your draft is deleted.", "success")
    return redirect(url_for("feedback.mine"))


@bp.route("/feedback/<int:feedback_id>/")
@roles_required("gp", "admin")
def record(feedback_id):
    found = own_or_404(feedback_id)
    pv = service.library().get_version(found.pathway_slug, found.version)
    return render_template("feedback/record.html", record=found, pv=pv, pathway_title=_title(found),
                           open=bool(pv) and service.window_state(pv) == "open",
                           answers=_answer_rows(pv, found))


@bp.route("/feedback/<int:feedback_id>/receipt")
@roles_required("gp")
def receipt(feedback_id):
    found = own_or_404(feedback_id)
    if not found.is_submitted:
        return redirect(url_for("feedback.record", feedback_id=found.id))
    pv = service.library().get_version(found.pathway_slug, found.version)
    return render_template("feedback/receipt.html", record=found, pv=pv, pathway_title=_title(found),
                           answers=_answer_rows(pv, found))


@bp.route("/feedback/")
@roles_required("gp", "admin")
def mine():
    session = get_session()
    query = select(Feedback).where(Feedback.user_id == g.user.id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page = inputs.page_number(max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1))
    records = session.scalars(query.order_by(Feedback.updated_at.desc(), Feedback.id.desc())
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    titles = {r.pathway_slug: _title(r) for r in records}
    return render_template("feedback/mine.html", records=records, titles=titles, page=page, total=total,
                           pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1))


def _title(record) -> str:
    pathway = service.library().get(record.pathway_slug)
    return pathway.title if pathway else record.pathway_slug


def _answer_rows(pv, record) -> list[tuple[str, object]]:
    """(question, answer) for display, labelled by the version's own questions where they still exist."""
    labels = {q.id: q.label for q in questions_for(pv)} if pv else {}
    return [(labels.get(qid, qid), display(value)) for qid, value in record.answer_values.items()]
