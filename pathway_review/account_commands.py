"""``pathway-review users invite|deactivate|reactivate|role`` and ``tokens list|revoke``."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import or_, select

from . import account_links, accounts, audit
from .models import ROLES, ApiToken, User


def _database():
    return current_app.extensions["pathway_review.db"]


def _person(session, email: str) -> User:
    person = session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
    if person is None:
        raise click.ClickException(f"no account for {email}")
    return person


def register(users: click.Group, tokens: click.Group) -> None:
    @users.command("invite")
    @click.argument("email")
    @click.option("--role", required=True, type=click.Choice(list(ROLES)))
    @click.option("--board", "board_slug", default=None, help="Board slug, e.g. lothian")
    @click.option("--name", default="", help="Full name (defaults to the email address)")
    @click.option("--practice", default=None, help="Practice code (GPs)")
    @with_appcontext
    def invite(email, role, board_slug, name, practice):
        """Create the account if needed and print a single-use link to set its password (7 days)."""
        try:
            with _database().transaction() as session:
                person = session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
                if person is None:
                    person = accounts.create_user(session, email, name, role, None, board_slug, practice)
                elif person.password_hash:
                    raise accounts.AccountError(f"{person.email} already has a password; they can use "
                                                "'Forgotten your password?'")
                url = account_links.link_url(account_links.issue(session, person, "invite"))
                audit.record("user.invited", target=person.email, session=session, board_id=person.board_id,
                             role=person.role)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from None
        if account_links.send_account_link(person, "invite", url):
            click.echo(f"Invitation mailed to {person.email}; the link works once, for 7 days.")
        else:
            click.echo(url)

    for action in ("deactivate", "reactivate"):
        users.add_command(_status_command(action))

    @users.command("role")
    @click.argument("email")
    @click.argument("role", type=click.Choice(list(ROLES)))
    @click.option("--board", "board_slug", default=None, help="Board slug, for board roles")
    @with_appcontext
    def role(email, role, board_slug):
        """Grant a role (cfsd and admin are national; gp and board-admin need a board)."""
        try:
            with _database().transaction() as session:
                person = _person(session, email)
                before = accounts.grant_role(session, person, role, board_slug)
                audit.record("role.granted", target=person.email, session=session, board_id=person.board_id,
                             role=role, previous=before)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{person.email}: {before} -> {role}")

    @tokens.command("list")
    @click.option("--user", "email", default=None, help="Only this person's tokens")
    @with_appcontext
    def list_tokens(email):
        """Every API token: id, owner, name, created, last used, and whether it still works."""
        with _database().sessions() as session:
            query = select(ApiToken, User.email).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
            if email:
                query = query.where(User.email == accounts.normalise_email(email))
            for token, owner in session.execute(query):
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                click.echo(f"{token.id:>5}  {token.prefix}…  {owner:<32} {token.name or '-':<20} "
                           f"created {token.created_at:%Y-%m-%d}  last used {used}  {state}")

    @tokens.command("revoke")
    @click.argument("token")
    @with_appcontext
    def revoke(token):
        """Stop a token working at once: give its id from 'tokens list' or the token's first characters."""
        with _database().transaction() as session:
            clause = ApiToken.prefix == token[:10]
            if token.isdigit():
                clause = or_(ApiToken.id == int(token), clause)
            found = session.scalars(select(ApiToken).where(clause)).all()
            if len(found) != 1:
                raise click.ClickException(f"no single token matches {token!r}")
            owner = session.get(User, found[0].user_id)
            if accounts.revoke_token(session, found[0]):
                audit.record("token.revoked", target=owner.email, session=session, token=found[0].prefix)
        click.echo(f"Token {found[0].prefix}… of {owner.email} revoked")


_STATUS_HELP = {"deactivate": "Switch an account off: end its sessions and API tokens at once.",
                "reactivate": "Let a switched-off account sign in again (its old API tokens stay revoked)."}


def _status_command(action: str):
    @click.command(action, help=_STATUS_HELP[action])
    @click.argument("email")
    @with_appcontext
    def command(email):
        with _database().transaction() as session:
            person = _person(session, email)
            if accounts.set_active(session, person, action == "reactivate"):
                audit.record(f"user.{action}d", target=person.email, session=session, board_id=person.board_id)
        click.echo(f"{person.email} {action}d")
    return command
