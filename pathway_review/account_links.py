"""Invitations and password resets: single-use links that expire, and the one place that sends them."""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import current_app, has_request_context, url_for
from sqlalchemy import select, update

from .accounts import MIN_PASSWORD_LENGTH, AccountError, _digest, end_all_sessions, hash_password
from .models import AccountLink, User, as_utc, utcnow

log = logging.getLogger(__name__)

LIFETIMES = {"invite": timedelta(days=7), "reset": timedelta(hours=1)}


def send_account_link(user: User, kind: str, url: str) -> bool:
    """Get an invitation (``kind="invite"``) or reset (``"reset"``) link to ``user``; True if mailed.

    A plugin sends it (the ``send_account_link`` hook; the notifications plugin mails it when SMTP_URL
    is set). Otherwise the link is written to the log, and the caller shows an invitation to the admin
    who made it so they can pass it on. A reset link is never shown on the page: that would hand the
    account to whoever typed the address. Call it after the link is committed: a plugin writes its
    mail in a transaction of its own.
    """
    from .plugins import host

    if host().call("send_account_link", user=user, kind=kind, url=url) is True:
        return True
    log.warning("No mail is configured: %s link for %s: %s", kind, user.email, url)
    return False


def issue(session, user: User, kind: str) -> str:
    """A fresh link token for ``user``; any earlier unused link of the same kind stops working."""
    now = utcnow()
    session.execute(update(AccountLink).where(AccountLink.user_id == user.id, AccountLink.kind == kind,
                                              AccountLink.used_at.is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    session.add(AccountLink(user_id=user.id, kind=kind, token_hash=_digest(token), expires_at=now + LIFETIMES[kind]))
    return token


def link_url(token: str) -> str:
    if has_request_context():
        return url_for("auth.account.set_password", token=token, _external=True)
    from .config import public_url

    with current_app.test_request_context(base_url=public_url()):
        return url_for("auth.account.set_password", token=token, _external=True)


def find(session, token: str) -> tuple[AccountLink | None, bool]:
    """(the link if it can still be used, whether this token was ever issued)."""
    link = session.scalar(select(AccountLink).where(AccountLink.token_hash == _digest(token or "")))
    if link is None:
        return None, False
    if link.used_at is not None or as_utc(link.expires_at) < utcnow():
        return None, True
    user = session.get(User, link.user_id)
    return (link if user is not None and user.active else None), True


def set_password(session, link: AccountLink, password: str, confirm: str) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Enter a password of at least {MIN_PASSWORD_LENGTH} characters.")
    if password != confirm:
        raise AccountError("The two passwords are not the same.")
    user = session.get(User, link.user_id)
    user.password_hash = hash_password(password)
    now = utcnow()
    # Every outstanding link dies with this one, and so does every session: a reset may follow a theft.
    session.execute(update(AccountLink).where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None))
                    .values(used_at=now))
    end_all_sessions(session, user.id)
    return user
