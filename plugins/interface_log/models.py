"""An interface issue: something that went wrong between general practice and hospital services."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pathway_review.plugin_api import Base, Board, User, as_utc, utcnow

# The interface issue taxonomy used by Interface Groups.
CATEGORIES = {
    "discharge-letters": "Discharge and clinic letters",
    "prescribing": "Hospital requests for GP prescribing and shared-care medicines",
    "referrals": "Referrals (rejected, redirected, advice-only)",
    "test-results": "Test results (who acts on a result, who tells the patient)",
    "fit-notes": "Fit notes",
    "communication": "Communication and contact routes",
    "roles": "Roles and responsibilities",
    "digital": "Digital systems",
    "other": "Other",
}
STATUSES = {"new": "New", "in-progress": "In progress", "resolved": "Resolved", "closed": "Closed"}
OPEN = ("new", "in-progress")
FINISHED = ("resolved", "closed")
# Where an issue may go from each status; reopening a finished issue puts it back in progress.
TRANSITIONS = {
    "new": {"in-progress", "resolved", "closed"},
    "in-progress": {"resolved", "closed"},
    "resolved": {"in-progress"},
    "closed": {"in-progress"},
}


class InterfaceIssue(Base):
    __tablename__ = "interface_issue"
    __table_args__ = (Index("ix_interface_issue_board_status", "board_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    service: Mapped[str] = mapped_column(String(200))
    pathway: Mapped[str | None] = mapped_column(String(128), nullable=True)
    section_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    patient_safety: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="new")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    lasting_change: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    lasting_change_detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"),
                                                       nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When it was last resolved or closed; cleared if it is reopened.
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    board: Mapped[Board] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    reported_by: Mapped[User | None] = relationship(foreign_keys=[reported_by_id], lazy="joined")

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def created(self) -> datetime:
        return as_utc(self.created_at)

    @property
    def updated(self) -> datetime:
        return as_utc(self.updated_at)

    @property
    def finished(self) -> datetime | None:
        return as_utc(self.finished_at)

    @property
    def days_to_resolve(self) -> int | None:
        if self.status != "resolved" or self.finished is None:
            return None
        return (self.finished.date() - self.created.date()).days
