"""A board's local note on one section of a national pathway."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pathway_review.plugin_api import Base, Board, User, as_utc, utcnow

KINDS = {
    "referral-route": "Local referral route",
    "service-contact": "Service contact",
    "investigation": "Local availability of an investigation",
    "variation": "Local variation",
}


class LocalNote(Base):
    __tablename__ = "local_note"
    __table_args__ = (Index("ix_local_note_board_pathway", "board_id", "pathway"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"))
    pathway: Mapped[str] = mapped_column(String(128))
    section_id: Mapped[str] = mapped_column(String(200))
    # The national text the note was written (or last reviewed) against.
    version: Mapped[str] = mapped_column(String(16))
    fingerprint: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"),
                                                  nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    board: Mapped[Board] = relationship(lazy="joined")
    author: Mapped[User | None] = relationship(lazy="joined")

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def created(self) -> datetime:
        return as_utc(self.created_at)

    @property
    def updated(self) -> datetime:
        return as_utc(self.updated_at)

    @property
    def reviewed(self) -> datetime | None:
        return as_utc(self.reviewed_at)
