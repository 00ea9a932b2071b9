"""Invitations and password-reset links by mail: the account's own security mail, through the outbox."""
from __future__ import annotations

import hashlib

from flask import current_app

from pathway_review.plugin_api import User, database

from .compose import Message, queue
from .kinds import ACCOUNT_LINK


def _message(user: User, kind: str, url: str) -> Message | None:
    if kind == "invite":
        return Message(
            kind=ACCOUNT_LINK, subject="Your invitation to Pathway Review",
            heading="You are invited to Pathway Review",
            paragraphs=[f"An account is ready for {user.email} on Pathway Review, where GPs and practice teams "
                        "give feedback on NHS Scotland's national clinical pathways.",
                        "Choose a password to sign in. The link works once, for 7 days."],
            action=("Choose your password", url))
    if kind == "reset":
        return Message(
            kind=ACCOUNT_LINK, subject="Reset your Pathway Review password",
            heading="Reset your password",
            paragraphs=[f"Someone asked to reset the password of {user.email} on Pathway Review. If it was you, "
                        "choose a new password: the link works once, for 1 hour.",
                        "If it was not you, ignore this mail: your password stays as it is."],
            action=("Choose a new password", url))
    return None


def send_account_link(user: User, kind: str, url: str) -> bool | None:
    """Queue the link's mail for the worker; None (so the admin is shown the link) without a mail server."""
    if not current_app.config.get("SMTP_URL"):
        return None
    message = _message(user, kind, url)
    if message is None:
        return None
    # Each link is new, so its own digest keys the mail: a repeated call cannot mail one link twice.
    key = f"account_link:{kind}:{hashlib.sha256(url.encode()).hexdigest()[:32]}:{user.id}"
    with database().transaction() as session:
        person = session.get(User, user.id)
        if person is None:
            return None
        mail = queue(session, person, message, key)
        # An address that refused mail before gets nothing: the admin must pass the link on by hand.
        return True if mail is not None and mail.state != "failed" else None
