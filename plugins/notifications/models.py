"""The notifications plugin's tables: the mail outbox, what each person wants, and addresses that bounce."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pathway_review.plugin_api import Base, utcnow

# pending: waiting to be sent (or retried); sending: claimed by a worker until next_attempt_at;
# held: kept for the person's daily summary; digested: sent inside that summary; sent; failed: given up.
STATES = ("pending", "sending", "held", "digested", "sent", "failed")


class Mail(Base):
    """One mail to one person. Listeners only write these rows; the periodic sender delivers them."""
    __tablename__ = "notification_mail"
    __table_args__ = (
        Index("ix_notification_mail_due", "state", "next_attempt_at"),
        Index("ix_notification_mail_user", "user_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500), default="")
    unsubscribe_url: Mapped[str] = mapped_column(String(500), default="")
    # The same event never produces the same mail twice: a second write with this key is ignored.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Preference(Base):
    """How one person wants one kind of mail: ``now``, ``digest`` or ``never`` (no row: the kind's default)."""
    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    delivery: Mapped[str] = mapped_column(String(16))


class FollowedSpecialty(Base):
    __tablename__ = "notification_specialty"
    __table_args__ = (UniqueConstraint("user_id", "specialty"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    specialty: Mapped[str] = mapped_column(String(128))


class BouncingAddress(Base):
    """An account whose address the mail server refused for good: nothing more is sent to it."""
    __tablename__ = "notification_bounce"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    # The address refused: if the account's address changes, the new one is tried again.
    email: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(String(500))
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
