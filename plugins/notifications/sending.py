"""Delivering the outbox over SMTP, run every few seconds by the job-queue worker.

Rows are claimed one by one with a conditional UPDATE, so two workers never send the same mail: the
claim moves ``next_attempt_at`` forward as a lease, and a worker killed mid-send leaves the row to be
claimed again when the lease ends (a mail may then go twice, never zero times). A connection failure
or a 4xx answer puts the row back with exponential backoff; a 5xx refusal of the recipient marks the
address as bouncing and fails the row.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from sqlalchemy import select, update

from pathway_review.plugin_api import User, database, public_url, utcnow

from .models import BouncingAddress, Mail

log = logging.getLogger("plugins.notifications")

BATCH = 50
LEASE = timedelta(minutes=2)
FIRST_RETRY = 30  # seconds; doubled at each failure
LONGEST_WAIT = 6 * 60 * 60
MAX_ATTEMPTS = 15  # about three days of retries
TIMEOUT = 20


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False


def parse_smtp_url(url: str) -> SmtpServer:
    """``smtp://user:pass@host:port``, ``?starttls=true`` or ``smtp+starttls://``; ``smtps://`` for TLS."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtp+starttls", "smtps"):
        raise ValueError("SMTP_URL must start smtp://, smtp+starttls:// or smtps://")
    query = parse_qs(parts.query)
    starttls = scheme == "smtp+starttls" or query.get("starttls", ["false"])[0].lower() in ("1", "true", "yes")
    tls = scheme == "smtps"
    return SmtpServer(host=parts.hostname or "localhost", port=parts.port or (465 if tls else 25),
                      username=unquote(parts.username) if parts.username else None,
                      password=unquote(parts.password) if parts.password else None,
                      starttls=starttls, tls=tls)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT))


def claim(session_factory, now) -> list[int]:
    """Ids of due rows this worker now holds, each taken with a conditional UPDATE of its own."""
    with session_factory() as session:
        due = list(session.scalars(select(Mail.id).where(Mail.state.in_(("pending", "sending")),
                                                         Mail.next_attempt_at <= now)
                                   .order_by(Mail.id).limit(BATCH)))
    claimed = []
    for mail_id in due:
        with database().transaction() as session:
            taken = session.execute(
                update(Mail).where(Mail.id == mail_id, Mail.state.in_(("pending", "sending")),
                                   Mail.next_attempt_at <= now)
                .values(state="sending", next_attempt_at=now + LEASE, attempts=Mail.attempts + 1)
                .execution_options(synchronize_session=False)).rowcount
        if taken:
            claimed.append(mail_id)
    return claimed


def build(mail: Mail, user: User) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = formataddr((user.name, user.email))
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=urlsplit(public_url()).hostname or "pathway-review")
    if mail.unsubscribe_url:  # an account's own invitation or reset link has none
        # RFC 8058: a mail client may unsubscribe with one POST to this URL, no page and no sign-in.
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    return message


def _connect(server: SmtpServer) -> smtplib.SMTP:
    if server.tls:
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
        if server.starttls:
            try:
                smtp.starttls(context=ssl.create_default_context())
            except (OSError, smtplib.SMTPException):
                smtp.close()
                raise
    if server.username:
        try:
            smtp.login(server.username, server.password or "")
        except smtplib.SMTPException:
            smtp.close()
            raise
    return smtp


def _settle(mail_id: int, **values) -> None:
    with database().transaction() as session:
        session.execute(update(Mail).where(Mail.id == mail_id).values(**values)
                        .execution_options(synchronize_session=False))


def _retry_later(mail: Mail, error: str) -> None:
    now = utcnow()
    if mail.attempts >= MAX_ATTEMPTS:
        log.error("mail %s (%s) given up after %d attempts: %s", mail.id, mail.kind, mail.attempts, error)
        _settle(mail.id, state="failed", last_error=error[:500])
        return
    log.warning("mail %s (%s) not sent, attempt %d; retrying: %s", mail.id, mail.kind, mail.attempts, error)
    _settle(mail.id, state="pending", next_attempt_at=now + backoff(mail.attempts), last_error=error[:500])


def _mark_bouncing(user: User, reason: str) -> None:
    with database().transaction() as session:
        found = session.get(BouncingAddress, user.id)
        if found is None:
            session.add(BouncingAddress(user_id=user.id, email=user.email, reason=reason[:500], since=utcnow()))
        else:
            found.email, found.reason, found.since = user.email, reason[:500], utcnow()


def _describe(code, text) -> str:
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}".strip()


def send_due(app) -> int:
    """Send every due mail; returns how many were handed to the SMTP server."""
    with app.app_context():
        url = app.config.get("SMTP_URL")
        if not url:
            return 0  # mail waits in the outbox until a server is configured
        server = parse_smtp_url(url)
        db = database()
        ids = claim(db.sessions, utcnow())
        if not ids:
            return 0
        with db.sessions() as session:
            rows = session.execute(select(Mail, User).join(User, User.id == Mail.user_id)
                                   .where(Mail.id.in_(ids)).order_by(Mail.id)).all()
            bounces = {b.user_id: b.email for b in session.scalars(select(BouncingAddress))}
        try:
            smtp = _connect(server)
        except (OSError, smtplib.SMTPException) as exc:
            for mail, _user in rows:
                _retry_later(mail, f"could not reach the mail server: {exc!r}")
            return 0
        sent = 0
        try:
            for mail, user in rows:
                if bounces.get(user.id) == user.email:
                    _settle(mail.id, state="failed", last_error="Not sent: this address refused mail before.")
                    continue
                sent += _send_one(smtp, mail, user)
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
        return sent


def _send_one(smtp, mail: Mail, user: User) -> int:
    try:
        smtp.send_message(build(mail, user))
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (0, b""))
        reason = _describe(code, text)
        if 500 <= code < 600:
            log.warning("mail %s: the server refused account %s's address for good (%s)", mail.id, user.id, code)
            _mark_bouncing(user, reason)
            _settle(mail.id, state="failed", last_error=f"Address refused: {reason}"[:500])
        else:
            _retry_later(mail, reason)
        return 0
    except smtplib.SMTPResponseException as exc:
        reason = _describe(exc.smtp_code, exc.smtp_error)
        if 500 <= exc.smtp_code < 600:
            log.error("mail %s refused by the server: %s", mail.id, reason)
            _settle(mail.id, state="failed", last_error=reason[:500])
        else:
            _retry_later(mail, reason)
        return 0
    except (OSError, smtplib.SMTPException) as exc:
        _retry_later(mail, repr(exc))
        return 0
    _settle(mail.id, state="sent", sent_at=utcnow(), last_error=None)
    return 1
