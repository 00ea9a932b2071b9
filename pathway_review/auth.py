"""Signing in and out, and working out who each request is from (and what it may reach)."""
from __future__ import annotations

import logging

from flask import (Blueprint, current_app, flash, g, redirect, render_template, request, session,
                   url_for)

from . import accounts, audit, held_forms, signin_limits
from .access import public, rule_for
from .boards import enabled_plugins
from .db import SAFE_METHODS, database, get_session
from .inputs import same_site_path
from .plugins import flatten, host
from .cache import page_scope
from .security import csrf, error_response, new_csrf_secret

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
    methods = flatten(host().call("login_methods"))
    if request.method == "GET":
        return render_template("auth/login.html", email="", next=next_url, methods=methods)
    if not current_app.config.get("LOCAL_PASSWORDS", True):
        return render_template("auth/login.html", email="", next=next_url, methods=methods, errors=[
            {"field": "", "message": "This service does not use passwords. Sign in with your NHS Scotland "
                                     "account."}]), 403

    address, who = request.remote_addr or "unknown", accounts.normalise_email(email)
    spec = current_app.config["LOGIN_RATE_LIMIT"]
    with database().sessions() as reading:
        wait = signin_limits.seconds_to_wait(reading, address, who, spec)
    if wait:
        audit.record_now("signin.throttled", target=who, wait=wait)
        minutes = max(1, round(wait / 60))
        response = render_template("auth/login.html", email=email, next=next_url, methods=methods,
                                   errors=[{"field": "email", "message": f"Too many attempts from here. Wait "
                                            f"{minutes} minute{'s' if minutes > 1 else ''} and try again."}])
        return response, 429, {"Retry-After": str(wait)}
    db = get_session()
    user = accounts.check_password(db, email, request.form.get("password") or "")
    if user is None:
        signin_limits.record_failure(db, address, who, spec)
        audit.record("signin.failed", target=who)
        db.commit()
        return render_template("auth/login.html", email=email, next=next_url, methods=methods,
                               errors=[{"field": "email", "message": GENERIC_FAILURE}]), 401
    signin_limits.record_success(db, address, who)
    return sign_in(db, user, "password", next_url)


def sign_in(db, user, method: str, next_url: str | None = None):
    """Start a session for a person whose identity is proven, and send them on."""
    token = accounts.start_session(db, user)
    audit.record("signin", target=user.email, actor=user, board_id=user.board_id, method=method)
    db.commit()
    session.clear()  # a fresh cookie at sign-in: nothing from before carries over
    session["sid"] = token
    new_csrf_secret()
    held_forms.note_signed_in(user.id)
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
    who = g.get("user")
    session.clear()
    if who is not None:
        held_forms.note_signed_out(who.id)  # a form still open in another tab is kept for them
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


def _safe_next(value: str | None) -> str | None:
    return same_site_path(value)


# ---- the request pipeline ------------------------------------------------------------------------

def load_identity():
    """Before every request: identify the user, pick their board's plugin view, enforce access."""
    # The request and g once, not through their proxies at every use: this runs before every request.
    req, ctx = request._get_current_object(), g._get_current_object()
    endpoint = req.endpoint
    if endpoint == "static" or (endpoint or "").endswith(".static"):
        return None
    if req.blueprint == "health":
        return None  # machines asking every few seconds: no session, no database, no audit
    plugins = host()
    cookie_account = held_forms.account_in_cookie()
    ctx.user, ctx.auth, enabled, ctx.marks = _identify(req, ctx)
    user = ctx.user
    if user is None and cookie_account is not None:
        held_forms.note_signed_out(cookie_account)  # the session lapsed: other tabs' posts are kept too
    if user is None:
        enabled = ()
    elif user.board_id is None:
        enabled = None  # national staff: every plugin, each deciding what they may see
    ctx.hooks = plugins.view(enabled)

    # CSRF guards cookie-carrying browsers. A token-authenticated call carries no cookie, and an
    # anonymous API call is refused below with 401, which says more than "form expired".
    anonymous_api = user is None and req.path.startswith("/api/")
    view = current_app.view_functions.get(endpoint)
    rule = rule_for(view) if view is not None else None
    if (user is None and cookie_account is not None and rule is not None and not rule.public
            and not anonymous_api and req.mimetype in ("application/x-www-form-urlencoded",
                                                       "multipart/form-data")):
        # Their session ended while they were typing: keep the words rather than answer "form expired".
        kept = held_forms.hold(cookie_account)
        if kept is not None:
            return kept
    exempt = getattr(view, "csrf_exempt", False)
    if req.method not in SAFE_METHODS and ctx.auth != "token" and not anonymous_api and not exempt:
        csrf.protect()

    if view is None:
        return None  # no such route: the 404 handler answers
    if not rule.public and user is None:
        if req.path.startswith("/api/"):
            return error_response(401, "Sign in, or send an API token as 'Authorization: Bearer …'.")
        return redirect(url_for("auth.login", next=req.full_path.rstrip("?")))

    owner = plugins.blueprint_owner.get(req.blueprint or "")
    if owner and owner not in ctx.hooks.allowed:
        log.warning("%s reached %s of plugin %s, not enabled for their board",
                    getattr(user, "email", "anonymous"), req.path, owner)
        return error_response(404)
    if not rule.allows(user):
        audit.record_now("permission.denied", target=req.path, actor=user)
        return error_response(403)
    return None


def _identify(req, ctx):
    """(user, how they authenticated, their board's enabled plugins, the site's and board's cache marks)."""
    user = host().call("authenticate_request", request=req)
    if user is not None:
        return (user, "plugin", *_board_state(user))
    # The cache mark of what this page shows is read with who is asking, so a cached page costs one query.
    scope = ctx.page_scope = page_scope()
    header = req.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        visit = accounts.visit_for_token(database(), header[7:].strip(), scope or "")
        if visit is None:
            return None, None, (), (0, 0)
        ctx.page_mark, ctx.staff_mark, ctx.user_mark = visit.page_mark, visit.staff_mark, visit.user_mark
        return visit.user, "token", visit.enabled_plugins, visit.marks
    token = session.get("sid")
    if token:
        config = current_app.config
        visit = accounts.resume_session(database(), token, config["SESSION_IDLE_TIMEOUT"],
                                        config["SESSION_ABSOLUTE_TIMEOUT"], page_scope=scope or "")
        if visit is not None:
            ctx.page_mark, ctx.staff_mark, ctx.user_mark = visit.page_mark, visit.staff_mark, visit.user_mark
            return visit.user, "session", visit.enabled_plugins, visit.marks
        session.clear()
    return None, None, (), (0, 0)


def _board_state(user) -> tuple[tuple[str, ...], tuple[int, int]]:
    from .db import SITE, board_scope

    marks = database().marks([SITE, board_scope(user.board_id)])
    enabled = tuple(enabled_for_board(user.board_id)) if user.board_id else ()
    return enabled, (marks[SITE], marks[board_scope(user.board_id)])


def enabled_for_board(board_id: int) -> list[str]:
    with database().sessions() as db:
        return sorted(enabled_plugins(db, board_id))


from . import account_pages, single_sign_on  # noqa: E402  (their routes live under /account, /login/oidc)

bp.register_blueprint(single_sign_on.bp)
bp.register_blueprint(account_pages.bp)
