"""Accounts: argon2id passwords, server-side sign-in sessions, personal API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from dataclasses import dataclass

from sqlalchemy import String, bindparam, cast, delete, func, literal, select, update
from sqlalchemy.orm.attributes import set_committed_value

from .db import SITE
from .models import (BOARD_ROLES, ROLES, ApiToken, Board, CacheMark, LoginSession, PluginEnablement, User,
                     as_utc, utcnow)

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this when the account does not exist costs the same time as a real check,
# so response times do not reveal which email addresses have accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def use_fast_hashing() -> None:
    """Minimal argon2id cost, for test suites that create many accounts."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    _DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 12


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(session, email: str, name: str, role: str, password: str | None = None,
                board_slug: str | None = None, practice_code: str | None = None) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an email address")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    board = None
    if board_slug:
        board = session.scalar(select(Board).where(Board.slug == board_slug))
        if board is None:
            raise AccountError(f"no board {board_slug!r}")
    if role in BOARD_ROLES and board is None:
        raise AccountError(f"a {role} account needs --board")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"an account for {email} already exists")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    user = User(email=email, name=name.strip() or email, role=role, board=board,
                practice_code=(practice_code or None),
                password_hash=hash_password(password) if password else None)
    session.add(user)
    session.flush()
    return user


def check_password(session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same cost either way)."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active or not user.password_hash:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


# ---- sessions --------------------------------------------------------------------------------------

def start_session(session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=_digest(token), user_id=user.id))
    user.last_login_at = utcnow()
    return token


@dataclass(frozen=True)
class Visit:
    """Who a request is from, read in one query: the user, their board's plugins, and the cache marks of
    the site and their board (what the pages cached for them depend on besides the pathway version)."""
    user: User
    enabled_plugins: tuple[str, ...]
    marks: tuple[int, int]
    page_mark: int = 0  # the mark of what the requested page shows (see cache.page_scope)
    staff_mark: int = 0  # what staff pages of it show beyond it (see db.staff_scope)
    user_mark: int = 0  # what this person's own parts of the page show (see db.user_scope)


def _identity_query(source, *columns):
    """The account reached through ``source`` (a sign-in session or an API token), with its board, the
    board's enabled plugins (one row each) and the cache marks, for one ``token_hash``."""
    account, board, enablement, mark = (User.__table__, Board.__table__, PluginEnablement.__table__,
                                        CacheMark.__table__)
    site_mark = select(mark.c.stamp).where(mark.c.scope == SITE).scalar_subquery()
    board_mark = select(mark.c.stamp).where(
        mark.c.scope == literal("board:").concat(cast(account.c.board_id, String))).scalar_subquery()
    page_mark = select(mark.c.stamp).where(mark.c.scope == bindparam("page_scope")).scalar_subquery()
    staff_mark = select(mark.c.stamp).where(mark.c.scope == bindparam("staff_scope")).scalar_subquery()
    # The person's own mark for the page's scope: "user:<id>:<page scope>" (see db.user_scope).
    user_mark = select(mark.c.stamp).where(mark.c.scope == func.substr(
        literal("user:").concat(cast(account.c.id, String)).concat(":").concat(bindparam("page_scope")),
        1, 200)).scalar_subquery()
    return (select(*columns, account, board.c.slug.label("board_slug"),
                   board.c.name.label("board_name"), board.c.kind.label("board_kind"),
                   enablement.c.plugin.label("enabled_plugin"),
                   site_mark.label("site_mark"), board_mark.label("board_mark"), page_mark.label("page_mark"),
                   staff_mark.label("staff_mark"), user_mark.label("user_mark"))
            .select_from(source.join(account, account.c.id == source.c.user_id)
                         .outerjoin(board, board.c.id == account.c.board_id)
                         .outerjoin(enablement, (enablement.c.board_id == account.c.board_id)
                                    & enablement.c.enabled.is_(True)))
            .where(source.c.token_hash == bindparam("token_hash")))


_login = LoginSession.__table__
_VISIT = _identity_query(_login, _login.c.created_at.label("session_created_at"),
                         _login.c.last_seen_at.label("session_last_seen_at"))


def _mark_scopes(page_scope: str) -> dict:
    """The marks a visit reads besides the site's, the board's and the person's: the page's, and for a
    pathway version's page the version's staff mark."""
    from .db import staff_scope_for

    return {"page_scope": page_scope, "staff_scope": staff_scope_for(page_scope) or ""}


def _visit_from(rows) -> Visit:
    row = rows[0]
    plugins = tuple(sorted({r["enabled_plugin"] for r in rows if r["enabled_plugin"]}))
    return Visit(user=_user_from(row), enabled_plugins=plugins,
                 marks=(row["site_mark"] or 0, row["board_mark"] or 0), page_mark=row["page_mark"] or 0,
                 staff_mark=row["staff_mark"] or 0, user_mark=row["user_mark"] or 0)


def resume_session(db, token: str, idle: int, absolute: int, touch_every: int = 60,
                   page_scope: str = "") -> Visit | None:
    """The visit of a live session, or None if it ended, expired or never existed.

    This runs on every page view, so it is one Core query (the ORM would cost several times more).
    """
    if not token:
        return None
    token_hash = _digest(token)
    rows = db.read_rows(_VISIT, {"token_hash": token_hash, **_mark_scopes(page_scope)})
    if not rows:
        return None
    row, now = rows[0], utcnow()
    last_seen = as_utc(row["session_last_seen_at"])
    expired = (now - as_utc(row["session_created_at"]) > timedelta(seconds=absolute)
               or now - last_seen > timedelta(seconds=idle))
    if expired or not row["active"]:
        with db.transaction() as session:
            session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash))
        return None
    if now - last_seen > timedelta(seconds=touch_every):
        # Writing on every request would serialise readers on SQLite; a minute's precision is plenty.
        with db.transaction() as session:
            session.execute(update(LoginSession).where(LoginSession.token_hash == token_hash)
                            .values(last_seen_at=now))
    return _visit_from(rows)


def _user_from(row) -> User:
    """A new user object of this request's own (never shared between requests or threads).

    Its values are set as loaded ones (``set_committed_value``, SQLAlchemy's public API for that), not
    assigned: assignment fires a change event per column, which made this a tenth of a cached page view.
    """
    user = User()
    for column in _USER_COLUMNS:
        set_committed_value(user, column, row[column])
    board = None
    if row["board_id"] is not None:
        board = Board()
        for key, column in _BOARD_COLUMNS:
            set_committed_value(board, key, row[column])
    set_committed_value(user, "board", board)
    return user


_BOARD_COLUMNS = (("id", "board_id"), ("slug", "board_slug"), ("name", "board_name"), ("kind", "board_kind"))


_USER_COLUMNS = [c.name for c in User.__table__.columns]


def end_session(session, token: str) -> None:
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == _digest(token)))


def end_all_sessions(session, user_id: int) -> None:
    session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))


# ---- API tokens --------------------------------------------------------------------------------------

TOKEN_PREFIX = "prt_"


def create_token(session, user: User, name: str = "") -> str:
    """A new personal API token; only its hash is kept, so it is shown once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=_digest(token), prefix=token[:10]))
    return token


_token = ApiToken.__table__
_TOKEN_VISIT = _identity_query(_token, _token.c.id.label("token_id"), _token.c.last_used_at.label("token_used_at"),
                               _token.c.revoked_at.label("token_revoked_at"))


def visit_for_token(db, token: str, page_scope: str = "") -> Visit | None:
    """The visit of a live API token, in one query like a sign-in session's."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    rows = db.read_rows(_TOKEN_VISIT, {"token_hash": _digest(token), **_mark_scopes(page_scope)})
    if not rows or rows[0]["token_revoked_at"] is not None or not rows[0]["active"]:
        return None
    note_token_use(db, rows[0]["token_id"], rows[0]["token_used_at"])
    return _visit_from(rows)


def user_for_token(db, token: str) -> User | None:
    visit = visit_for_token(db, token)
    return visit.user if visit else None


TOKEN_USE_PRECISION = timedelta(minutes=1)


def note_token_use(db, token_id: int, last_used_at) -> None:
    """Record when a token was last used, at most once a minute per token so API reads stay cheap."""
    now = utcnow()
    if last_used_at is not None and now - as_utc(last_used_at) < TOKEN_USE_PRECISION:
        return
    with db.transaction() as session:
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def revoke_token(session, token: ApiToken) -> bool:
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    return True


def tokens_of(session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())))


# ---- the account lifecycle ------------------------------------------------------------------------------

def set_active(session, user: User, active: bool) -> bool:
    """Switch an account on or off; switching off ends its sessions and API tokens at once."""
    if user.active == active:
        return False
    user.active = active
    if not active:
        end_all_sessions(session, user.id)
        session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                        .values(revoked_at=utcnow()))
    return True


def grant_role(session, user: User, role: str, board_slug: str | None = None) -> str:
    """Give ``user`` a new role (board roles need a board); returns the role they had."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    board = user.board
    if board_slug:
        board = session.scalar(select(Board).where(Board.slug == board_slug))
        if board is None:
            raise AccountError(f"no board {board_slug!r}")
    if role in BOARD_ROLES and board is None:
        raise AccountError(f"a {role} account needs a board")
    before, user.role = user.role, role
    user.board = board if role in BOARD_ROLES or board_slug else None
    return before
