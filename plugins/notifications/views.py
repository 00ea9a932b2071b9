"""The person's notifications and preferences, one-click unsubscribe, and addresses that bounce."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import delete, func, select, update

from pathway_review.plugin_api import (User, as_utc, audit, csrf_exempt, database, get_session, public,
                                       roles_required, signed_in, utcnow)

from . import preferences as prefs
from .kinds import ACCOUNT_LINK, DELIVERY_LABELS, KINDS, SUMMARY, kinds_for
from .models import BouncingAddress, Mail

bp = Blueprint("notifications", __name__, url_prefix="/notifications", template_folder="templates")
PAGE_SIZE = 50
STATE_LABELS = {"pending": "Waiting to be sent", "sending": "Being sent", "held": "For your daily summary",
                "digested": "Sent in your daily summary", "sent": "Sent", "failed": "Not sent"}


@bp.route("/")
@signed_in
def index():
    session = get_session()
    page = max(request.args.get("page", 1, type=int), 1)
    # Invitation and reset links stay in the mailbox: a live link has no business on a page.
    mine = (Mail.user_id == g.user.id, Mail.kind != ACCOUNT_LINK)
    mails = session.scalars(select(Mail).where(*mine)
                            .order_by(Mail.created_at.desc(), Mail.id.desc())
                            .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    total = session.scalar(select(func.count(Mail.id)).where(*mine))
    unread = [m.id for m in mails if m.read_at is None]
    bounce = session.get(BouncingAddress, g.user.id)
    response = render_template("notifications/index.html", mails=mails, unread=set(unread), total=total, page=page,
                               pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), states=STATE_LABELS,
                               as_utc=as_utc, bouncing=bounce is not None and bounce.email == g.user.email)
    if unread:
        # Seen once shown: the next visit shows only what is new as unread.
        with database().transaction() as writer:
            writer.execute(update(Mail).where(Mail.id.in_(unread)).values(read_at=utcnow())
                           .execution_options(synchronize_session=False))
    return response


def _read_preferences(form, role: str) -> tuple[dict, list[str], list[dict]]:
    """The submitted choices, and every invalid one named."""
    errors, chosen = [], {}
    allowed = {k.name: k for k in kinds_for(role)}
    for field in form:
        if field.startswith("delivery-") and field[len("delivery-"):] not in allowed:
            errors.append({"field": field, "message": f"{field}: there is no such kind of mail for you."})
        elif field not in ("csrf_token", "specialty") and not field.startswith("delivery-"):
            errors.append({"field": field, "message": f"{field}: this form has no such field."})
    for name, kind in allowed.items():
        value = form.get(f"delivery-{name}")
        if value is None:
            continue
        if value not in kind.choices:
            errors.append({"field": f"delivery-{name}",
                           "message": f"delivery-{name}: {value[:40]!r} is not one of "
                                      + ", ".join(kind.choices) + "."})
        else:
            chosen[name] = value
    known = set(current_app.extensions["pathway_review.library"].specialties())
    specialties = form.getlist("specialty")
    for specialty in specialties:
        if specialty not in known:
            errors.append({"field": "specialty",
                           "message": f"specialty: {specialty[:60]!r} is not a specialty of any pathway."})
    return chosen, specialties, errors


@bp.route("/preferences", methods=["GET", "POST"])
@signed_in
def preferences():
    session = get_session()
    kinds = kinds_for(g.user.role)
    errors, status = [], 200
    if request.method == "POST":
        chosen, specialties, errors = _read_preferences(request.form, g.user.role)
        if not errors:
            for name, value in chosen.items():
                prefs.set_delivery(session, g.user.id, name, value)
            prefs.set_followed(session, g.user.id, specialties)
            audit.record("notifications.preferences", target=f"user:{g.user.id}", session=session,
                         **{name: value for name, value in chosen.items()})
            session.commit()
            flash("Your mail preferences are saved.", "success")
            return redirect(url_for("notifications.preferences")), 303
        status = 400
    current, followed = prefs.deliveries(session, g.user.id), prefs.followed(session, g.user.id)
    if errors:  # show back what was chosen, so nothing is lost
        current.update(chosen)
        followed = specialties
    summary = prefs.delivery(session, g.user.id, SUMMARY)
    return render_template("notifications/preferences.html", kinds=kinds, current=current, errors=errors,
                           error_fields={e["field"]: e["message"] for e in errors},
                           choice_options={k.name: [(c, DELIVERY_LABELS[c]) for c in k.choices] for k in kinds},
                           specialty_options=[(s, s) for s in current_app.extensions["pathway_review.library"]
                                              .specialties()],
                           followed=followed, summary=summary,
                           shows_specialties=g.user.role in KINDS["consultation_opened"].roles), status


def _kind_label(kind: str) -> str:
    return KINDS[kind].label if kind in KINDS else "Your daily summary"


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf_exempt
def unsubscribe(token):
    found = prefs.read_unsubscribe_token(token)
    if found is None:
        message = "This unsubscribe link is not valid. Sign in and change your mail preferences instead."
        return render_template("notifications/unsubscribe.html", invalid=True, message=message), (
            400 if request.method == "POST" else 404)
    user_id, kind = found
    if request.method == "POST":
        with database().transaction() as session:
            if session.get(User, user_id) is not None:
                prefs.unsubscribe(session, user_id, kind)
                audit.record("notifications.unsubscribed", target=f"user:{user_id}", session=session, kind=kind)
        return render_template("notifications/unsubscribe.html", done=True, label=_kind_label(kind), invalid=False)
    return render_template("notifications/unsubscribe.html", done=False, label=_kind_label(kind), invalid=False,
                           token=token)


@bp.route("/bounces")
@roles_required("admin")
def bounces():
    session = get_session()
    rows = session.execute(select(BouncingAddress, User).join(User, User.id == BouncingAddress.user_id)
                           .order_by(BouncingAddress.since.desc())).all()
    return render_template("notifications/bounces.html", rows=rows, as_utc=as_utc)


@bp.post("/bounces/<int:user_id>/clear")
@roles_required("admin")
def clear_bounce(user_id):
    session = get_session()
    removed = session.execute(delete(BouncingAddress).where(BouncingAddress.user_id == user_id)).rowcount
    if not removed:
        abort(404)
    audit.record("notifications.bounce_cleared", target=f"user:{user_id}", session=session)
    session.commit()
    flash("Mail will be sent to that address again.", "success")
    return redirect(url_for("notifications.bounces")), 303
