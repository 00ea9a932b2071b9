"""A person's own account: details and API tokens, setting a password by link, a forgotten password."""
from __future__ import annotations

import time

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from . import account_links, accounts, audit, ratelimit
from .access import public, signed_in
from .db import database, get_session
from .models import ApiToken, User
from .security import error_response

bp = Blueprint("account", __name__, url_prefix="/account")

# Every forgotten-password answer takes at least this long, so its timing cannot tell whether the
# address has an account (making and logging a link costs a little more than finding nothing).
STEADY_ANSWER_SECONDS = 0.3
LINK_GONE = ("This link has expired or has already been used. Ask your board admin for a new invitation, "
             "or ask for a new link on the 'Forgotten your password?' page.")


def _passwords_only():
    if not current_app.config.get("LOCAL_PASSWORDS", True):
        abort(404)


@bp.route("/")
@signed_in
def overview():
    db = get_session()
    return render_template("account/overview.html", person=g.user, tokens=accounts.tokens_of(db, g.user.id))


@bp.route("/stay-signed-in", methods=["POST"])
@signed_in
def stay_signed_in():
    # Reaching here through the request pipeline already counted as activity on the session.
    if request.accept_mimetypes.best == "application/json":
        return "", 204
    return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                    else url_for("pathways.catalogue")), 303


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@signed_in
def revoke_token(token_id):
    db = get_session()
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != g.user.id:
        abort(404)
    if accounts.revoke_token(db, token):
        audit.record("token.revoked", target=g.user.email, board_id=g.user.board_id, token=token.prefix)
        db.commit()
        flash(f"The token {token.name or token.prefix} no longer works.", "success")
    return redirect(url_for("auth.account.overview")), 303


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token):
    _passwords_only()
    db = get_session()
    link, issued = account_links.find(db, token)
    if link is None:
        return error_response(410 if issued else 404, LINK_GONE, heading="This link no longer works")
    user = db.get(User, link.user_id)
    errors = []
    if request.method == "POST":
        try:
            account_links.set_password(db, link, request.form.get("password") or "",
                                       request.form.get("confirm") or "")
        except accounts.AccountError as exc:
            errors.append({"field": "password", "message": str(exc)})
        else:
            audit.record("password.set", target=user.email, actor=user, board_id=user.board_id, kind=link.kind)
            db.commit()
            flash("Your password is set. Sign in with your email address and new password.", "success")
            return redirect(url_for("auth.login")), 303
    return render_template("account/set_password.html", person=user, kind=link.kind, errors=errors), \
        (400 if errors else 200)


@bp.route("/forgotten-password", methods=["GET", "POST"])
@public
def forgotten_password():
    _passwords_only()
    if request.method == "GET":
        return render_template("account/forgotten_password.html", sent=False, errors=[])
    started = time.monotonic()
    email = accounts.normalise_email(request.form.get("email") or "")[:254]
    if "@" not in email:
        return render_template("account/forgotten_password.html", sent=False, errors=[
            {"field": "email", "message": "Enter your email address, like name@nhs.scot."}]), 400
    limit = current_app.config["RESET_RATE_LIMIT"]
    if not ratelimit.hit(database(), f"reset:ip:{request.remote_addr}", limit):
        return error_response(429, "Too many requests for password links from here. Wait a few minutes and try "
                                   "again.")
    db = get_session()
    user = db.scalar(select(User).where(User.email == email, User.active.is_(True)))
    # Per address as well, so nobody can fill a colleague's inbox; beyond it nothing is sent, silently.
    url = None
    if user is not None and ratelimit.count_in(db, f"reset:email:{email}", "3/3600"):
        url = account_links.link_url(account_links.issue(db, user, "reset"))
    audit.record("password.reset_requested", target=email, known=user is not None)
    db.commit()
    if url is not None:  # after the commit: the link must work by the time the mail is read
        account_links.send_account_link(user, "reset", url)
    time.sleep(max(0.0, STEADY_ANSWER_SECONDS - (time.monotonic() - started)))
    return render_template("account/forgotten_password.html", sent=True, email=email, errors=[])
