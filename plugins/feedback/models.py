"""The feedback plugin's tables: one row per piece of feedback, and every change to it.

Answers and themes are kept as JSON text rather than in JSON columns so the same filters (a ``LIKE``
on a theme) behave alike on SQLite and PostgreSQL.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pathway_review.plugin_api import Base, Board, User, utcnow

TYPES = {
    "red-flags": "Red flags",
    "referral-criteria": "Referral criteria",
    "investigations": "Investigations before referral",
    "primary-care-management": "Primary-care management",
    "patient-information": "Patient information",
    "workload": "Workload",
    "other": "Other",
}
# The order CfSD works through them; "withdrawn" and "draft" sit outside triage.
TRIAGE_STATUSES = {
    "new": "New",
    "acknowledged": "Acknowledged",
    "accepted": "Accepted",
    "partly-accepted": "Partly accepted",
    "not-accepted": "Not accepted",
    "changed-in-next-version": "Changed in next version",
}
STATUSES = {"draft": "Draft", **TRIAGE_STATUSES, "withdrawn": "Withdrawn"}
ANSWERED = ("accepted", "partly-accepted", "not-accepted", "changed-in-next-version")
# Statuses that count as a response to the consultation.
SUBMITTED = tuple(TRIAGE_STATUSES)
# What "You said, we did" shows: answered, with a reply. Written out with its values, not bound parameters, so
# SQLite sees the very terms of ix_feedback_answered's WHERE in a query and can use that partial index.
REPLIED = ("status IN (" + ", ".join(f"'{s}'" for s in ANSWERED) + ") "
           "AND response IS NOT NULL AND response != ''")


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        Index("ix_feedback_round", "pathway_slug", "version", "status"),
        Index("ix_feedback_user", "user_id", "pathway_slug", "version", "status"),
        Index("ix_feedback_responses", "pathway_slug", "version", text("safety_concern DESC"),
              text("submitted_at DESC"), "id", "status"),
        Index("ix_feedback_mine", "user_id", text("updated_at DESC"), text("id DESC")),
        Index("ix_feedback_answered", "pathway_slug", "version", "section_id", "submitted_at", "id",
              sqlite_where=text(REPLIED), postgresql_where=text(REPLIED)),
        Index("ix_feedback_themes", "themes", sqlite_where=text("themes != '[]'"),
              postgresql_where=text("themes != '[]'")),
        # A GP's shared page shows only their own feedback (per person) and staff pages show counts: a
        # record moves its author's cache mark and the version's staff mark, not every GP's page.
        {"info": {"page_scope": "authored"}},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("board.id"), nullable=True)
    practice_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    pathway_slug: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(16))
    # What the comment was written against, so it can follow the text into later versions.
    section_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    section_title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    section_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    type: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    text_html: Mapped[str] = mapped_column(Text, default="")  # rendered once, when saved
    answers: Mapped[str] = mapped_column(Text, default="{}")
    safety_concern: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_board: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(32), default="draft")
    response: Mapped[str | None] = mapped_column(Text, nullable=True)
    themes: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)

    author: Mapped[User] = relationship(lazy="joined", foreign_keys=[user_id])
    board: Mapped[Board | None] = relationship(lazy="joined", foreign_keys=[board_id])

    @property
    def answer_values(self) -> dict:
        return json.loads(self.answers or "{}")

    @property
    def theme_list(self) -> list[str]:
        return json.loads(self.themes or "[]")

    @property
    def type_label(self) -> str:
        return TYPES.get(self.type, self.type)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def is_submitted(self) -> bool:
        return self.status in TRIAGE_STATUSES

    def attribution(self, for_cfsd: bool = False) -> str:
        """How the author is named to a reader: never by name when anonymous (CfSD still sees the board)."""
        board = self.board.name if self.board is not None else None
        if not self.anonymous:
            return f"{self.author.name}, {board}" if board else self.author.name
        if board and (for_cfsd or not self.hide_board):
            return f"A GP in {board}"
        return "Anonymous GP"


class FeedbackHistory(Base):
    """Who changed what on a piece of feedback, and when: ``changes`` maps a field to [old, new]."""
    __tablename__ = "feedback_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_name: Mapped[str] = mapped_column(String(128), default="")
    actor_role: Mapped[str] = mapped_column(String(16), default="")
    action: Mapped[str] = mapped_column(String(32))
    changes: Mapped[str] = mapped_column(Text, default="{}")

    @property
    def change_values(self) -> dict:
        return json.loads(self.changes or "{}")
