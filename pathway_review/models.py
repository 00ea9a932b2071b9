"""Core records: boards, accounts, sessions, API tokens, plugin enablement, the audit trail."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import BigInteger, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base

ROLES = ("gp", "cfsd", "board-admin", "admin")
ROLE_LABELS = {"gp": "GP / practice team", "cfsd": "CfSD staff", "board-admin": "Board admin",
               "admin": "Site admin"}
BOARD_ROLES = {"gp", "board-admin"}  # roles that must belong to a board


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime: SQLite hands back naive ones even for aware columns."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


class Board(Base):
    __tablename__ = "board"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), default="territorial")

    def __repr__(self) -> str:
        return f"<Board {self.slug}>"


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("board.id"), nullable=True)
    practice_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Not on any page, and a sign-in must not drop every cached page.
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True,
                                                           info={"page_scope": "ignore"})
    board: Mapped[Board | None] = relationship(lazy="joined")

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def is_national(self) -> bool:
        return self.board_id is None

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginSession(Base):
    """A signed-in browser. The cookie carries a random id; only its hash is stored."""
    __tablename__ = "login_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PluginEnablement(Base):
    """An optional plugin switched on (or back off) for one board."""
    __tablename__ = "plugin_enablement"
    __table_args__ = (UniqueConstraint("plugin", "board_id"), {"info": {"page_scope": "board"}})
    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(128))
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PluginSetting(Base):
    """One per-board setting of a plugin, stored as JSON text."""
    __tablename__ = "plugin_setting"
    __table_args__ = (UniqueConstraint("plugin", "board_id", "key"), {"info": {"page_scope": "board"}})
    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(128))
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(128))
    value: Mapped[str] = mapped_column(Text)


class AuditEvent(Base):
    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(256), nullable=True)
    board_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")
    address: Mapped[str | None] = mapped_column(String(64), nullable=True)


class CacheMark(Base):
    """A stamp per thing cached pages depend on ("version:<slug>@<version>", "board:<id>", "site"),
    moved on by a transaction that changes it (see db.track_changes), so every worker and host sees it."""
    __tablename__ = "cache_mark"
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    stamp: Mapped[int] = mapped_column(BigInteger, default=0)


class RateLimitWindow(Base):
    """Attempts counted per key and fixed window, in the database so every worker shares them."""
    __tablename__ = "rate_limit_window"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class PluginFailure(Base):
    """What went wrong when the platform called a plugin, per hook, shared by every worker.

    ``message`` names the error's type and where it was raised, never what a person typed.
    """
    __tablename__ = "plugin_failure"
    plugin: Mapped[str] = mapped_column(String(128), primary_key=True)
    hook: Mapped[str] = mapped_column(String(64), primary_key=True)
    message: Mapped[str] = mapped_column(String(500))
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

class OutboxEvent(Base):
    """An event written in the same transaction as the change it tells of, delivered after the commit.

    ``key`` names the record the event is about: events of one key are delivered in the order written.
    A row is claimed by one worker (``claimed_by`` until ``claimed_until``) while it is being delivered.
    """
    __tablename__ = "outbox_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(200), index=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class PeriodicRun(Base):
    """The schedule and last outcome of one periodic task, shared by every worker process."""
    __tablename__ = "periodic_run"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    next_due: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    seconds: Mapped[float | None] = mapped_column(nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class SigninFailure(Base):
    """Failed sign-ins counted per address, per account and per pair (see signin_limits)."""
    __tablename__ = "signin_failure"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[float] = mapped_column(Float, index=True)


class IdentityLink(Base):
    """An account's sign-in through an OpenID Connect provider, by the provider's stable subject.

    E-mail addresses get reused and renamed; the issuer and subject (Entra ID's ``oid``) do not.
    """
    __tablename__ = "identity_link"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(256))
    subject: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AccountLink(Base):
    """A single-use, expiring link to set a password: an invitation or a reset. Only its hash is kept."""
    __tablename__ = "account_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "invite" or "reset"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class HeldForm(Base):
    """A form posted after its author's session lapsed, kept for an hour for them (see held_forms)."""
    __tablename__ = "held_form"
    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(500))
    fields: Mapped[str] = mapped_column(Text)  # JSON list of [name, value] pairs, in the order posted
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
