"""Signing in with an NHS Scotland account through OpenID Connect (Entra ID, or any certified provider).

Authlib runs the authorization code flow with PKCE, state and nonce, and checks the ID token: its
signature against the provider's published keys, issuer, audience, expiry and nonce. An account is
found by the provider's stable subject (the issuer with Entra ID's ``oid``, else ``sub``), not by e-mail
alone: an e-mail address joins an existing account to the provider once, while that account has no link.
A person nobody has met before, from an allowed domain, chooses their Health Board and practice and
becomes a GP; every other role is granted by an admin.
"""
from __future__ import annotations

import json
import logging
import re
import secrets
import time

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from sqlalchemy import select

from . import accounts, audit
from .access import public
from .db import database, get_session
from .models import Board, IdentityLink, User, utcnow
from .security import error_response

log = logging.getLogger(__name__)
bp = Blueprint("oidc", __name__, url_prefix="/login/oidc")

LABEL = "Sign in with your NHS Scotland account"
PRACTICE_CODE = re.compile(r"^\d{5}$")  # NHS Scotland GP practice codes: five digits
PENDING_SECONDS = 30 * 60
LEEWAY = 60  # seconds of clock difference tolerated between the provider and this service
START_AGAIN = "Start again from the sign-in page. If it keeps happening, contact your board admin."


def enabled() -> bool:
    config = current_app.config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def allowed_domains() -> set[str]:
    value = current_app.config.get("OIDC_ALLOWED_DOMAINS") or []
    if isinstance(value, str):
        value = json.loads(value) if value.strip().startswith("[") else value.split(",")
    return {domain.strip().lower().lstrip("@") for domain in value if domain.strip()}


def _provider():
    client = current_app.extensions.get("pathway_review.oidc")
    if client is None:
        from authlib.integrations.flask_client import OAuth

        config = current_app.config
        oauth = OAuth(current_app._get_current_object())
        client = oauth.register(
            "nhs", client_id=config["OIDC_CLIENT_ID"], client_secret=config.get("OIDC_CLIENT_SECRET"),
            server_metadata_url=config["OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256", "timeout": 15})
        current_app.extensions["pathway_review.oidc"] = client
    return client


@bp.route("/")
@public
def start():
    if not enabled():
        return error_response(404)
    from .auth import _safe_next

    session["oidc_next"] = _safe_next(request.args.get("next"))
    try:
        return _provider().authorize_redirect(url_for("auth.oidc.callback", _external=True),
                                              nonce=secrets.token_urlsafe(24))
    except Exception:  # the provider's metadata could not be fetched
        log.exception("OpenID Connect provider unreachable")
        return _refused("provider_unreachable", 502, "The NHS Scotland sign-in service is not answering",
                        "Try again in a few minutes, or sign in with your email address and password.")


@bp.route("/callback")
@public
def callback():
    if not enabled():
        return error_response(404)
    claims, reason = _verified_claims()
    if claims is None:
        if reason == "access_denied":
            return _refused(reason, 400, "Signing in was cancelled", "You can start again from the sign-in page.")
        return _refused(reason, 400, "Your sign-in could not be completed", START_AGAIN)
    issuer, subject = claims["iss"], str(claims.get("oid") or claims["sub"])
    email = accounts.normalise_email(claims.get("email") or claims.get("preferred_username") or "")
    domain = email.rpartition("@")[2]
    if (not domain or claims.get("email_verified") is False
            or not any(domain == d or domain.endswith("." + d) for d in allowed_domains())):
        return _refused("domain_not_allowed", 403, "This account cannot be used here",
                        "Sign in with your NHS Scotland (@nhs.scot) account. If you have one and still see this, "
                        "ask your board admin to invite you.", target=email)
    db = _writing_session()
    link = db.scalar(select(IdentityLink).where(IdentityLink.issuer == issuer, IdentityLink.subject == subject))
    user = db.get(User, link.user_id) if link is not None else None
    if link is None:
        user = db.scalar(select(User).where(User.email == email))
        if user is not None:
            if db.scalar(select(IdentityLink.id).where(IdentityLink.user_id == user.id)) is not None:
                # The address moved to a different person at the provider: never hand them this account.
                return _refused("email_linked_to_another_subject", 403, "This account cannot be used here",
                                "Another NHS Scotland identity is already joined to this email address. "
                                "Ask your board admin to check your account.", target=email)
            link = IdentityLink(user_id=user.id, issuer=issuer, subject=subject)
            db.add(link)
            audit.record("identity.linked", target=user.email, actor=user, board_id=user.board_id, issuer=issuer)
    if user is None:
        session["oidc_pending"] = {"issuer": issuer, "subject": subject, "email": email, "at": time.time(),
                                   "name": (claims.get("name") or email)[:128]}
        return redirect(url_for("auth.oidc.register"))
    if not user.active:
        db.rollback()
        return _refused("account_inactive", 403, "This account is switched off",
                        "Ask your board admin to switch it back on.", target=user.email)
    link.last_used_at = utcnow()
    from .auth import sign_in

    return sign_in(db, user, "oidc", session.pop("oidc_next", None))


def _writing_session():
    # The callback is a GET, but it links and signs in: take SQLite's write lock up front.
    if "db_session" not in g:
        g.db_session = database().session(write=True)
    return g.db_session


def _verified_claims() -> tuple[dict | None, str]:
    """The ID token's claims once every check passed, or None and why not."""
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.base_client import MismatchingStateError, OAuthError
    from joserfc.errors import JoseError
    from requests import RequestException

    try:
        config = current_app.config
        # Named outright rather than left to Authlib's defaults, which check the audience only through azp.
        expected = {"iss": {"essential": True, "values": [config["OIDC_ISSUER"].rstrip("/"), config["OIDC_ISSUER"]]},
                    "aud": {"essential": True, "values": [config["OIDC_CLIENT_ID"]]},
                    "exp": {"essential": True}, "sub": {"essential": True}}
        token = _provider().authorize_access_token(leeway=LEEWAY, claims_options=expected)
    except MismatchingStateError:
        return None, "state_mismatch"
    except OAuthError as exc:
        return None, exc.error or "oauth_error"  # e.g. invalid_grant: a code used twice or for another client
    except (AuthlibBaseError, JoseError) as exc:
        # The reason names the failed check (e.g. 'invalid_claim: Invalid claim "aud"') for the audit trail.
        what = getattr(exc, "error", None) or type(exc).__name__
        return None, f"id_token:{what}: {getattr(exc, 'description', '') or ''}".rstrip(": ")
    except RequestException:
        log.exception("OpenID Connect token endpoint unreachable")
        return None, "provider_unreachable"
    claims = token.get("userinfo")
    if not claims:
        return None, "id_token:missing"
    if claims.get("iss", "").rstrip("/") != current_app.config["OIDC_ISSUER"].rstrip("/"):
        return None, "id_token:invalid_issuer"
    return dict(claims), ""


def _refused(reason: str, code: int, heading: str, message: str, target: str | None = None):
    audit.record_now("signin.refused", target=target, method="oidc", reason=reason)
    return error_response(code, message, heading=heading)


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    pending = session.get("oidc_pending")
    if not enabled() or not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop("oidc_pending", None)
        return error_response(400, "Your sign-in has expired before you finished. " + START_AGAIN,
                              heading="Start signing in again")
    db = get_session()
    boards = db.scalars(select(Board).where(Board.kind == "territorial").order_by(Board.name)).all()
    form = {"board": (request.form.get("board") or "").strip(),
            "practice_code": re.sub(r"\s+", "", request.form.get("practice_code") or "")}
    errors = []
    if request.method == "POST":
        board = next((b for b in boards if b.slug == form["board"]), None)
        if board is None:
            errors.append({"field": "board", "message": "Choose your Health Board."})
        if not PRACTICE_CODE.match(form["practice_code"]):
            errors.append({"field": "practice_code",
                           "message": "Enter your practice code: 5 digits, like 70013."})
        if not errors:
            try:
                user = accounts.create_user(db, pending["email"], pending["name"], "gp", None, board.slug,
                                            form["practice_code"])
            except accounts.AccountError:
                db.rollback()
                return _refused("email_taken", 409, "This account cannot be set up here",
                                "An account with your email address already exists. " + START_AGAIN,
                                target=pending["email"])
            db.add(IdentityLink(user_id=user.id, issuer=pending["issuer"], subject=pending["subject"],
                                last_used_at=utcnow()))
            audit.record("user.registered", target=user.email, actor=user, board_id=board.id, role="gp",
                         practice_code=form["practice_code"], method="oidc")
            session.pop("oidc_pending", None)
            from .auth import sign_in

            return sign_in(db, user, "oidc", session.pop("oidc_next", None))
    return render_template("auth/register.html", pending=pending, form=form,
                           board_options=[(b.slug, b.name) for b in boards],
                           errors=errors), (400 if errors else 200)
