"""Writing a mail into the outbox: links built on PUBLIC_URL, free text through the identifier guard,
plain text and NHS-style HTML from one description, and the person's preference applied."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pathway_review.plugin_api import User, find_identifiers, public_url, utcnow

from . import preferences
from .kinds import ACCOUNT_LINK, DIGEST, KINDS, NEVER, NOW
from .models import BouncingAddress, Mail, Preference

log = logging.getLogger("plugins.notifications")

REDACTED = "[number removed]"


def redact(text: str | None) -> str:
    """Free text a mail carries, with anything that looks like a CHI or NHS number taken out.

    The guard already stops most of them at the form; this catches what it was told to let through
    and text written before the guard existed. A mail leaves the service: it must never carry one.
    """
    text = text or ""
    for match in reversed(find_identifiers(text)):
        text = text[:match.start] + REDACTED + text[match.end:]
    return text


def link(endpoint: str, **values) -> str:
    """An absolute URL on PUBLIC_URL: mails are written in the worker, where there is no request to ask."""
    base = urlsplit(public_url())
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


@dataclass
class Message:
    """What a mail says, once; both bodies are drawn from it."""
    kind: str
    subject: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (label, free text): redacted when written
    facts: list[tuple[str, str]] = field(default_factory=list)
    items: list[tuple[str, str]] = field(default_factory=list)  # (text, link) lines, for summaries
    action: tuple[str, str] | None = None  # (label, absolute URL)


def _render(message: Message, user: User, unsubscribe_url: str) -> tuple[str, str]:
    env = current_app.jinja_env
    context = {"m": message, "user": user, "unsubscribe_url": unsubscribe_url,
               "preferences_url": link("notifications.preferences"),
               "kind_label": KINDS[message.kind].label if message.kind in KINDS else "Your daily summary"}
    return (env.get_template("notifications/mail/mail.txt").render(context),
            env.get_template("notifications/mail/mail.html").render(context))


def queue(session, user: User, message: Message, key: str, held_ok: bool = True) -> Mail | None:
    """Write one mail for ``user`` unless they said never, or this key was written before.

    ``held_ok``: the person's choice of a daily summary is honoured (False for the summary itself).
    Runs in the caller's transaction; a duplicate key is skipped inside a savepoint, so the caller's
    other writes stand.
    """
    if session.scalar(select(Mail.id).where(Mail.idempotency_key == key)) is not None:
        return None
    security = message.kind == ACCOUNT_LINK
    choice = NOW if security else preferences.delivery(session, user.id, message.kind)
    mail = _compose(user, message, key, choice, session.get(BouncingAddress, user.id), held_ok)
    if mail is None:
        return None
    try:
        with session.begin_nested():
            session.add(mail)
    except IntegrityError:  # another worker wrote the same event's mail first
        return None
    return mail


def queue_many(session, wanted: list[tuple[User, Message, str]]) -> int:
    """:func:`queue` for many mails at once, as a batch of events asks: what each needs to know is read in
    three queries for the lot, and the mails are written in one flush. Returns how many were written."""
    if not wanted:
        return 0
    ids = {user.id for user, _, _ in wanted}
    keys = [key[:200] for _, _, key in wanted]
    written = set(session.scalars(select(Mail.idempotency_key).where(Mail.idempotency_key.in_(keys))))
    chosen = {(row.user_id, row.kind): row.delivery
              for row in session.execute(select(Preference.user_id, Preference.kind, Preference.delivery)
                                         .where(Preference.user_id.in_(ids)))}
    bounces = {row.user_id: row for row in session.scalars(select(BouncingAddress)
                                                           .where(BouncingAddress.user_id.in_(ids)))}
    mails = []
    for user, message, key in wanted:
        if key[:200] in written:
            continue
        written.add(key[:200])  # the same mail asked for twice in one batch is written once
        choice = NOW if message.kind == ACCOUNT_LINK else preferences.choice(chosen.get((user.id, message.kind)),
                                                                              message.kind)
        mail = _compose(user, message, key, choice, bounces.get(user.id), held_ok=True)
        if mail is not None:
            mails.append(mail)
    try:
        with session.begin_nested():
            session.add_all(mails)
    except IntegrityError:  # another worker wrote one of them first: one at a time, skipping what it wrote
        return sum(queue(session, user, message, key) is not None for user, message, key in wanted)
    return len(mails)


def _compose(user: User, message: Message, key: str, choice: str, bounce: BouncingAddress | None,
             held_ok: bool) -> Mail | None:
    """The mail itself, redacted and rendered, or None if the person said never (or is switched off)."""
    security = message.kind == ACCOUNT_LINK
    if choice == NEVER or not user.active:
        return None
    message.quotes = [(label, redact(text)) for label, text in message.quotes]
    message.subject = redact(message.subject)
    unsubscribe_url = "" if security else link("notifications.unsubscribe",
                                               token=preferences.unsubscribe_token(user.id, message.kind))
    text_body, html_body = _render(message, user, unsubscribe_url)
    now = utcnow()
    mail = Mail(user_id=user.id, kind=message.kind, subject=message.subject[:300], text_body=text_body,
                html_body=html_body, link=(message.action[1] if message.action else "")[:500],
                unsubscribe_url=unsubscribe_url, idempotency_key=key[:200],
                state="held" if held_ok and choice == DIGEST else "pending",
                created_at=now, next_attempt_at=now, attempts=0)
    if bounce is not None and bounce.email == user.email and mail.state == "pending":
        mail.state, mail.last_error = "failed", "Not sent: this address refused mail before."
    return mail


def users(session, ids) -> list[User]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return []
    return list(session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True)).order_by(User.id)))


def users_with_role(session, role: str) -> list[User]:
    return list(session.scalars(select(User).where(User.role == role, User.active.is_(True)).order_by(User.id)))
