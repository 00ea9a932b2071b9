"""CfSD's side: the consultations, a dashboard per pathway version, the responses with filters and bulk
triage, one response with its triage form and history, and "You said, we did" for everyone."""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from pathway_review.plugin_api import (Board, bar_chart, column_chart, flatten, get_session, get_version_or_404,
                                       inputs, page_hook, roles_required, signed_in)

from . import anchoring, filters as filtering, history as describing, service, triage, you_said
from .models import STATUSES, SUBMITTED, TRIAGE_STATUSES, TYPES, Feedback, FeedbackHistory
from .outcomes import outcome
from .questions import display, questions_for
from .findings import per_day
from .stats import figures, order_case
from .workload import Workload

bp = Blueprint("consultations", __name__, url_prefix="/consultations", template_folder="templates")
CFSD = ("cfsd", "admin")
PAGE_SIZE = 50
STATE_ORDER = {"open": 0, "upcoming": 1, "closed": 2}



@bp.route("/")
@roles_required(*CFSD)
def index():
    counts = {(slug, version): n for slug, version, n in get_session().execute(
        select(Feedback.pathway_slug, Feedback.version, func.count()).where(Feedback.status.in_(SUBMITTED))
        .group_by(Feedback.pathway_slug, Feedback.version))}
    rounds = []
    for pathway in service.library().pathways.values():
        for pv in pathway.versions:
            state = service.window_state(pv)
            if state in STATE_ORDER:
                rounds.append((STATE_ORDER[state], pv, state, counts.get((pv.slug, pv.version), 0)))
    rounds.sort(key=lambda r: (r[0], r[1].title.casefold()))
    return render_template("feedback/cfsd/index.html", rounds=[r[1:] for r in rounds])


@bp.route("/<slug:slug>/<version:version>/")
@roles_required(*CFSD)
def dashboard(slug, version):
    pv = get_version_or_404(slug, version)
    session = get_session()
    where = filtering.conditions({"pathway": slug, "version": version})
    safety = session.scalars(select(Feedback).where(*where, Feedback.safety_concern.is_(True))
                             .order_by(Feedback.submitted_at.desc()).limit(10)).all()
    pathway = service.library().get(slug)
    earlier = [v.version for v in pathway.versions if v.version_key < pv.version_key]
    carried, carried_total = [], 0
    if earlier:
        where_earlier = filtering.conditions({"pathway": slug}) + [Feedback.version.in_(earlier)]
        carried_total = session.scalar(select(func.count()).where(*where_earlier))
        carried = [(r, anchoring.anchor(pv, r.section_id, r.section_fingerprint)) for r in session.scalars(
            select(Feedback).where(*where_earlier).order_by(order_case(pv), Feedback.submitted_at.desc())
            .limit(100))]
    links = flatten(page_hook("dataset_links", dataset="feedback", filters={"pathway": slug, "version": version},
                              user=g.user))
    shown = figures(session, pv)
    charts = {
        "by_board": bar_chart("Responses by Health Board", [(name, n) for name, n, _ in shown.by_board],
                              header=("Health Board", "Responses"), chart_id="responses-by-board"),
        "per_day": column_chart("Responses per day of the consultation",
                                [(date.fromisoformat(day).strftime("%-d %b"), n) for day, n in per_day(session, pv)],
                                header=("Day", "Responses"), chart_id="responses-per-day"),
    }
    return render_template("feedback/cfsd/dashboard.html", pv=pv, figures=shown, safety=safety,
                           carried=carried, carried_total=carried_total, links=links, charts=charts,
                           # The tally keeps each GP's latest estimate: no pass over every answer.
                           workload=Workload(shown.estimate.respondents, shown.estimate.total_hours,
                                             shown.estimate.median_hours),
                           state=service.window_state(pv), anchor_label=anchoring.label)


def _list_filters(pv, args):
    """Filters from the query string, answers to choice questions among them; errors name the field."""
    errors = []
    try:
        chosen = filtering.parse(args)
    except filtering.FilterError as exc:
        chosen, errors = {}, [{"field": exc.field, "message": exc.message}]
    answers = {}
    for question in questions_for(pv):
        value = args.get(f"answers.{question.id}")
        if question.kind == "choice" and value in question.choices:
            answers[question.id] = value
    chosen.pop("pathway", None), chosen.pop("version", None), chosen.pop("round", None)
    return chosen, answers, errors


def render_responses(pv, args=None, errors=(), status=200, bulk=None):
    """The list; after a refused bulk action ``args`` are the list's own and ``bulk`` what was ticked and typed."""
    args = request.args if args is None else args
    chosen, answers, filter_errors = _list_filters(pv, args)
    errors = list(errors) + filter_errors
    session = get_session()
    where = triage.matching(pv, chosen, answers)
    total = triage.count(session, pv, chosen, answers)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = inputs.page_number(pages, args=args)
    records = triage.page_of(session, where, page, PAGE_SIZE)
    query = triage.filter_query(args)
    bulk = bulk or {}
    selected = bulk.get("ids") or ({r.id for r in records} if args.get("select") == "page" else set())
    return render_template(
        "feedback/cfsd/responses.html", pv=pv, records=records, total=total, page=page, pages=pages, args=args,
        errors=errors, query=query, applied=triage.applied(args, pv, session), selected=selected, bulk=bulk,
        boards=session.execute(select(Board.slug, Board.name).order_by(Board.name)).all(),
        types=list(TYPES.items()), statuses=[(k, v) for k, v in STATUSES.items() if k != "draft"],
        triage_statuses=list(TRIAGE_STATUSES.items()),
        questions=[q for q in questions_for(pv) if q.kind == "choice"], themes=known_themes(session),
        sections=[(s.id, ("– " if s.level == 3 else "") + s.title) for s in pv.sections],
        anchor=lambda r: anchoring.label(anchoring.anchor(pv, r.section_id, r.section_fingerprint))), status


@bp.route("/<slug:slug>/<version:version>/responses")
@roles_required(*CFSD)
def responses(slug, version):
    pv = get_version_or_404(slug, version)
    return render_responses(pv, status=200)


@bp.route("/<slug:slug>/<version:version>/responses/bulk", methods=["POST"])
@roles_required(*CFSD)
def bulk(slug, version):
    """A status, themes and a reply applied to the ticked responses (or all matching), in one transaction."""
    pv = get_version_or_404(slug, version)
    form = request.form
    back = triage.args_from(form.get("back", ""))
    chosen, answers, filter_errors = _list_filters(pv, back)
    every = form.get("scope") == "all"
    errors = []
    if every and filter_errors:  # never widen "all matching" to every response because a filter was refused
        errors.append({"field": "ids", "message": "The filter is not valid, so “all matching” cannot be applied; "
                                                  "nothing was changed."})
    try:
        ids = sorted({inputs.bounded_int(i, "ids", 1, inputs.MAX_ID) for i in form.getlist("ids")})
    except inputs.InputError:
        ids = []
    if not ids and not every:
        errors.append({"field": "ids", "message": "Tick at least one response, or choose all responses matching "
                                                  "the filter."})
    typed = {"status": form.get("status") or "", "theme": form.get("theme") or "",
             "response": form.get("response") or ""}
    status = typed["status"] or None
    if status and status not in TRIAGE_STATUSES:
        errors.append({"field": "bulk-status", "message": "Choose a status from the list."})
    checked = service.check_triage({"themes": typed["theme"], "response": typed["response"]})
    themes, reply = checked.values.get("themes", []), checked.values.get("response", "")
    for error in checked.errors:
        errors.append({"field": "bulk-theme" if error["field"] == "themes" else "bulk-response",
                       "message": error["message"]})
    if not status and not themes and not reply and not checked.errors:
        errors.append({"field": "bulk-status", "message": "Choose a status, type a theme or write a reply to "
                                                          "apply."})
    session = get_session()
    records = triage.bulk_targets(session, pv, ids, every, chosen, answers) if (ids or every) else []
    if ids and not every and len(records) != len(ids):
        errors.append({"field": "ids", "message": "Some ticked responses are not responses to this consultation "
                                                  "(or were withdrawn); nothing was changed."})
    if errors:
        return render_responses(pv, back, errors=errors, status=422,
                                bulk={**typed, "ids": set(ids), "scope": "all" if every else ""})
    changed = []
    for record in records:
        values = {"status": status} if status else {}
        if themes:
            values["themes"] = service.normalise_themes([*record.theme_list, *themes])
        if reply:
            values["response"] = reply
        if service.triage(session, g.user, record, values):
            changed.append(record)
    session.commit()
    flash(f"{len(changed)} response{'s' if len(changed) != 1 else ''} updated.", "success")
    query = triage.filter_query(back)
    return redirect(url_for("consultations.responses", slug=slug, version=version) + ("?" + query if query else ""))


def known_themes(session) -> list[str]:
    found = set()
    for (themes,) in session.execute(select(Feedback.themes).where(Feedback.themes != "[]").distinct().limit(500)):
        found.update(json.loads(themes))
    return sorted(found)


def response_or_404(feedback_id: int) -> Feedback:
    record = get_session().get(Feedback, feedback_id)
    if record is None or record.status == "draft":  # a draft is the GP's alone
        abort(404)
    return record


@bp.route("/responses/<int:feedback_id>/", methods=["GET", "POST"])
@roles_required(*CFSD)
def response(feedback_id):
    record = response_or_404(feedback_id)
    session = get_session()
    back = triage.filter_query(triage.args_from(request.args.get("back", "")))  # the list it was opened from
    form = {"status": record.status, "response": record.response or "", "themes": ", ".join(record.theme_list)}
    errors, status = [], 200
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("status", "response", "themes")}
        checked = service.check_triage(form)
        if record.status == "withdrawn":
            errors, status = [{"field": "status", "message": "The GP withdrew this feedback; it cannot be "
                                                             "triaged."}], 409
        elif not checked.ok:
            errors, status = checked.errors, 422
        else:
            changes = service.triage(session, g.user, record, checked.values)
            session.commit()
            flash("Triage saved." if changes else "Nothing changed.", "success")
            return _after_saving(session, record, back)
    pathway = service.library().get(record.pathway_slug)
    pv = pathway.version(record.version) if pathway else None
    places = []
    for other in ([pv] if pv else []) + ([pathway.latest] if pathway and pathway.latest is not pv else []):
        places.append((other, anchoring.label(anchoring.anchor(other, record.section_id, record.section_fingerprint))))
    labels = {q.id: q.label for q in questions_for(pv)} if pv else {}
    history = [(entry, _actor(record, entry), describing.describe(entry.change_values, pv))
               for entry in session.scalars(select(FeedbackHistory).where(FeedbackHistory.feedback_id == record.id)
                                            .order_by(FeedbackHistory.at, FeedbackHistory.id))]
    return render_template("feedback/cfsd/response.html", record=record, pv=pv, places=places, form=form,
                           errors=errors, history=history, themes=known_themes(session),
                           answers=[(labels.get(k, k), display(v)) for k, v in record.answer_values.items()],
                           pathway_title=pathway.title if pathway else record.pathway_slug,
                           statuses=list(TRIAGE_STATUSES.items()), back=back, status_labels=STATUSES,
                           response_limit=service.RESPONSE_LIMIT,
                           list_url=url_for("consultations.responses", slug=record.pathway_slug,
                                            version=record.version) + ("?" + back if back else "")), status


def _actor(record: Feedback, entry: FeedbackHistory) -> str:
    # The author of anonymous feedback is not named to CfSD here either.
    if record.anonymous and entry.actor_id == record.user_id:
        return "The GP who wrote it"
    return entry.actor_name + (f" ({entry.actor_role})" if entry.actor_role else "")


def _after_saving(session, record: Feedback, back: str):
    """"Save and next untriaged" opens the next response still new in the list it came from."""
    if request.form.get("then") != "next":
        return redirect(url_for("consultations.response", feedback_id=record.id, back=back or None))
    pv = service.library().get_version(record.pathway_slug, record.version)
    chosen, answers, errors = _list_filters(pv, triage.args_from(back)) if pv else ({}, {}, [])
    found = triage.next_untriaged(session, record, {} if errors else chosen, answers)
    if found is None:
        flash("No responses are left to triage in this list.", "success")
        return redirect(url_for("consultations.responses", slug=record.pathway_slug, version=record.version)
                        + ("?" + back if back else ""))
    return redirect(url_for("consultations.response", feedback_id=found.id, back=back or None))


@bp.route("/<slug:slug>/<version:version>/you-said-we-did")
@signed_in
def you_said_we_did(slug, version):
    pv = get_version_or_404(slug, version)
    session = get_session()
    every = you_said.sections(session, pv)
    total = sum(section.count for section in every)
    pages = max((total + you_said.PAGE_SIZE - 1) // you_said.PAGE_SIZE, 1)
    page = inputs.page_number(pages)
    for_cfsd = g.user.role in CFSD
    first = (page - 1) * you_said.PAGE_SIZE
    groups = [(section.heading + (" (continued)" if section.start < first else ""), section.anchor,
               [(record, record.attribution(for_cfsd), outcome(record.status)) for record in records])
              for section, records in you_said.page_of(session, pv, every, page)]
    here = url_for("consultations.you_said_we_did", slug=slug, version=version)
    # Every answered section, linked on the page it starts on (or where it carries on, for this page's first).
    on_page = {anchor for _, anchor, _ in groups}
    contents = [("#" + s.anchor if s.anchor in on_page else f"{here}?page={s.page}#{s.anchor}",
                 f"{s.heading} ({s.count} answer{'' if s.count == 1 else 's'})") for s in every]
    return render_template("feedback/you_said_we_did.html", pv=pv, groups=groups, total=total, page=page,
                           pages=pages, contents=contents)
