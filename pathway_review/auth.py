"""Signing in and out, and working out who each request is from (and what it may reach)."""
from __future__ import annotations

import logging

from flask import (Blueprint, current_app, flash, g, redirect, render_template, request, session,
                   url_for)

from . import accounts, audit, ratelimit
from .access import public, rule_for
from .boards import enabled_plugins
from .db import SAFE_METHODS, database, get_session
from .plugins import flatten, host
from .security import csrf, error_response

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)

GENERIC_FAILURE = "The email address or password is not right, or the account is not active."


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    next_url = _safe_next(request.values.get("next"))
    if g.get("user") is not None and request.method == "GET":
        return redirect(next_url or url_for("pathways.catalogue"))
    email = (request.form.get("email") or "").strip()[:254]
    methods = flatten(host().call_each(host().hook.login_methods))
    if request.method == "GET":
        return render_template("auth/login.html", email="", next=next_url, methods=methods)

    addr = request.remote_addr or "unknown"
    keys = [f"login:ip:{addr}", f"login:email:{accounts.normalise_email(email)}"]
    if not ratelimit.hit_all(database(), keys, current_app.config["LOGIN_RATE_LIMIT"]):
        audit.record_now("signin.rate_limited", target=accounts.normalise_email(email))
        return render_template("auth/login.html", email=email, next=next_url, methods=methods,
                               errors=[{"field": "email", "message": "Too many attempts. Wait a few minutes "
                                                                      "and try again."}]), 429
    db = get_session()
    user = accounts.check_password(db, email, request.form.get("password") or "")
    if user is None:
        audit.record("signin.failed", target=accounts.normalise_email(email))
        db.commit()
        return render_template("auth/login.html", email=email, next=next_url, methods=methods,
                               errors=[{"field": "email", "message": GENERIC_FAILURE}]), 401
    token = accounts.start_session(db, user)
    audit.record("signin", target=user.email, actor=user, board_id=user.board_id)
    db.commit()
    session.clear()  # a fresh cookie at sign-in: nothing from before carries over
    session["sid"] = token
    session.permanent = True
    return redirect(next_url or url_for("pathways.catalogue"))


@bp.route("/logout", methods=["POST"])
@public
def logout():
    token = session.get("sid")
    if token:
        db = get_session()
        accounts.end_session(db, token)
        if g.get("user") is not None:
            audit.record("signout", target=g.user.email)
        db.commit()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


def _safe_next(value: str | None) -> str | None:
    # Only paths on this site: never "//host" or "http://..." (open redirect).
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


# ---- the request pipeline ------------------------------------------------------------------------

def load_identity():
    """Before every request: identify the user, pick their board's plugin view, enforce access."""
    if request.endpoint == "static" or (request.endpoint or "").endswith(".static"):
        return None
    plugins = host()
    g.user, g.auth, enabled, g.generation = _identify()
    if g.user is None:
        enabled = ()
    elif g.user.board_id is None:
        enabled = None  # national staff: every plugin, each deciding what they may see
    g.hooks = plugins.view(enabled)

    # CSRF guards cookie-carrying browsers. A token-authenticated call carries no cookie, and an
    # anonymous API call is refused below with 401, which says more than "form expired".
    anonymous_api = g.user is None and request.path.startswith("/api/")
    view = current_app.view_functions.get(request.endpoint)
    exempt = getattr(view, "csrf_exempt", False)
    if request.method not in SAFE_METHODS and g.auth != "token" and not anonymous_api and not exempt:
        csrf.protect()

    if view is None:
        return None  # no such route: the 404 handler answers
    rule = rule_for(view)
    if not rule.public and g.user is None:
        if request.path.startswith("/api/"):
            return error_response(401, "Sign in, or send an API token as 'Authorization: Bearer …'.")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    owner = plugins.blueprint_owner.get(request.blueprint or "")
    if owner and owner not in g.hooks.allowed:
        log.warning("%s reached %s of plugin %s, not enabled for their board",
                    getattr(g.user, "email", "anonymous"), request.path, owner)
        return error_response(404)
    if not rule.allows(g.user):
        audit.record_now("permission.denied", target=request.path, actor=g.user)
        return error_response(403)
    return None


def _identify():
    """(user, how they authenticated, their board's enabled plugins, the data generation)."""
    plugins = host()
    for impl in reversed(plugins.hook.authenticate_request.get_hookimpls()):
        try:
            user = impl.function(*[{"request": request}[a] for a in impl.argnames])
        except Exception as exc:
            log.exception("identity plugin %s failed", impl.plugin_name)
            plugins.record_failure(impl.plugin_name, "authenticate_request", exc)
            continue
        if user is not None:
            return (user, "plugin", *_board_state(user))
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = accounts.user_for_token(database(), header[7:].strip())
        if user is None:
            return None, None, (), 0
        return (user, "token", *_board_state(user))
    token = session.get("sid")
    if token:
        config = current_app.config
        visit = accounts.resume_session(database(), token, config["SESSION_IDLE_TIMEOUT"],
                                        config["SESSION_ABSOLUTE_TIMEOUT"])
        if visit is not None:
            return visit.user, "session", visit.enabled_plugins, visit.generation
        session.clear()
    return None, None, (), 0


def _board_state(user) -> tuple[tuple[str, ...], int]:
    from .db import data_generation

    with database().engine.connect() as conn:
        generation = data_generation(conn)
    return (tuple(enabled_for_board(user.board_id)) if user.board_id else ()), generation


def enabled_for_board(board_id: int) -> list[str]:
    with database().sessions() as db:
        return sorted(enabled_plugins(db, board_id))
