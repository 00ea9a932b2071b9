"""One person's account for admins: invitation, switching it off and on, role, API tokens.

A board admin manages the people of their own board; a site admin anybody's. Every change is audited.
"""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

from . import account_links, accounts, audit
from .access import can, checks_permission, roles_required
from .admin import bp
from .db import get_session
from .models import ApiToken, User

BOARD_ROLE_CHOICES = {"gp": "GP or practice team", "board-admin": "Board admin"}


def invite(db, user: User) -> None:
    """Send (or show, without mail) a single-use link to set a password, and commit."""
    if not current_app.config.get("LOCAL_PASSWORDS", True):
        audit.record("user.invited", target=user.email, board_id=user.board_id, method="oidc")
        db.commit()
        flash(f"Account ready for {user.email}. They sign in with their NHS Scotland account.", "success")
        return
    url = account_links.link_url(account_links.issue(db, user, "invite"))
    audit.record("user.invited", target=user.email, board_id=user.board_id, role=user.role)
    db.commit()
    if account_links.send_account_link(user, "invite", url):
        flash(f"Invitation sent to {user.email}. The link works once, for 7 days.", "success")
    else:
        flash(f"No mail is set up here: send {user.email} this invitation link yourself. It works once, "
              f"for 7 days: {url}", "success")


def _person_or_404(user_id: int) -> User:
    db = get_session()
    person = db.get(User, user_id)
    board = person.board if person is not None else None
    if person is None or not (can("users:manage", board) if board is not None else g.user.role == "admin"):
        # Another board's people do not exist for this admin.
        audit.record("permission.denied", target=request.path, actor=g.user)
        db.commit()
        abort(404)
    return person


def _back(person: User):
    return redirect(url_for("admin.user_account", user_id=person.id)), 303


@bp.route("/users/<int:user_id>")
@roles_required("admin", "board-admin")
@checks_permission("users:manage")
def user_account(user_id):
    person = _person_or_404(user_id)
    return render_template("admin/user_account.html", person=person,
                           tokens=accounts.tokens_of(get_session(), person.id), role_choices=BOARD_ROLE_CHOICES,
                           local_passwords=current_app.config.get("LOCAL_PASSWORDS", True))


@bp.route("/users/<int:user_id>/status", methods=["POST"])
@roles_required("admin", "board-admin")
@checks_permission("users:manage")
def user_status(user_id):
    person = _person_or_404(user_id)
    active = request.form.get("action") == "reactivate"
    if person.id == g.user.id:
        flash("You cannot switch off your own account. Ask another admin.", "error")
        return _back(person)
    db = get_session()
    if accounts.set_active(db, person, active):
        audit.record("user.reactivated" if active else "user.deactivated", target=person.email,
                     board_id=person.board_id)
        db.commit()
        flash(f"{person.name} can sign in again." if active else
              f"{person.name} is signed out everywhere, their API tokens no longer work and they cannot sign in.",
              "success")
    return _back(person)


@bp.route("/users/<int:user_id>/invite", methods=["POST"])
@roles_required("admin", "board-admin")
@checks_permission("users:manage")
def user_invite(user_id):
    person = _person_or_404(user_id)
    if not person.active:
        flash("Switch the account back on before inviting them.", "error")
        return _back(person)
    invite(get_session(), person)
    return _back(person)


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@roles_required("admin", "board-admin")
@checks_permission("users:manage")
def user_role(user_id):
    person = _person_or_404(user_id)
    role = request.form.get("role", "")
    if role not in BOARD_ROLE_CHOICES or person.board_id is None:
        flash("Choose GP or board admin.", "error")
        return _back(person)
    if person.id == g.user.id:
        flash("You cannot change your own role. Ask another admin.", "error")
        return _back(person)
    db = get_session()
    before = accounts.grant_role(db, person, role)
    if before != role:
        audit.record("role.granted", target=person.email, board_id=person.board_id, role=role, previous=before)
        db.commit()
        flash(f"{person.name} is now {BOARD_ROLE_CHOICES[role].lower()}.", "success")
    return _back(person)


@bp.route("/users/<int:user_id>/tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required("admin", "board-admin")
@checks_permission("users:manage")
def user_token_revoke(user_id, token_id):
    person = _person_or_404(user_id)
    db = get_session()
    token = db.get(ApiToken, token_id)
    if token is None or token.user_id != person.id:
        abort(404)
    if accounts.revoke_token(db, token):
        audit.record("token.revoked", target=person.email, board_id=person.board_id, token=token.prefix)
        db.commit()
        flash(f"The token {token.name or token.prefix} no longer works.", "success")
    return _back(person)
