"""No words lost: a form posted after its author's session lapsed is kept, and given back after sign-in.

The session may have run out (idle or absolute timeout) or been ended in another tab. Either way the
browser's cookie still says whose it was: the lapsed session's id, or the account noted at sign-out.
The fields are kept in the database for that account for an hour, never with anything that looks like
a password or token, and only that account, signed in again, gets them back, on the page it was
filling in. The id in the sign-in redirect only finds them; it grants nothing by itself.
"""
from __future__ import annotations

import json
import logging
import secrets
from datetime import timedelta

from flask import flash, g, redirect, request, session, url_for
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from .accounts import _digest
from .db import database
from .models import HeldForm, LoginSession, as_utc, utcnow

log = logging.getLogger(__name__)

KEEP_FOR = timedelta(hours=1)
MAX_HELD_CHARACTERS = 200_000
ACCOUNT_KEY, SIGNED_OUT_KEY = "account", "signed_out_account"
SECRET_FIELDS = ("csrf", "password", "token", "secret")
KEPT_MESSAGE = "You were signed out, so we kept what you wrote. Sign in again to carry on where you left off."
RESTORED_MESSAGE = "Here is what you wrote before you were signed out. Check it, then send it again."


def account_in_cookie() -> int | None:
    """The account this browser's (signed) cookie last belonged to, read before its session is checked."""
    found = session.get(ACCOUNT_KEY) or session.get(SIGNED_OUT_KEY)
    token = session.get("sid")
    if found is None and token and request.method == "POST":  # a session begun before accounts were noted
        with database().sessions() as db:
            found = db.scalar(select(LoginSession.user_id).where(LoginSession.token_hash == _digest(token)))
    return found


def note_signed_in(user_id: int) -> None:
    session[ACCOUNT_KEY] = user_id


def note_signed_out(user_id: int) -> None:
    """After sign-out, or a session found lapsed: remember whose browser this was, for held forms."""
    session[SIGNED_OUT_KEY] = user_id


def hold(user_id: int):
    """Keep this lapsed post for ``user_id`` and send the person to sign in; None if there is nothing to keep."""
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if not any(word in name.lower() for word in SECRET_FIELDS)]
    if not fields or sum(len(v) for _, v in fields) > MAX_HELD_CHARACTERS:
        return None
    key, now = secrets.token_urlsafe(24), utcnow()
    with database().transaction() as db:
        db.execute(delete(HeldForm).where(HeldForm.expires_at < now))
        db.add(HeldForm(key_hash=_digest(key), user_id=user_id, path=request.path[:500],
                        fields=json.dumps(fields), expires_at=now + KEEP_FOR))
    log.info("kept a form posted to %s after the session lapsed", request.path)
    note_signed_out(user_id)
    flash(KEPT_MESSAGE, "info")
    return redirect(url_for("auth.login", next=f"{request.path}?restore={key}"))


def restored() -> MultiDict | None:
    """For a form page: the fields this signed-in person posted here before being signed out, or None.

    Call it when showing the form (a GET); fill the form from what it returns as if it had been posted.
    """
    key = request.args.get("restore")
    user = g.get("user")
    if not key or user is None:
        return None
    with database().sessions() as db:
        held = db.scalar(select(HeldForm).where(HeldForm.key_hash == _digest(key)))
    if held is None or held.user_id != user.id or held.path != request.path or as_utc(held.expires_at) < utcnow():
        return None
    flash(RESTORED_MESSAGE, "success")
    return MultiDict([tuple(pair) for pair in json.loads(held.fields)])
