"""The report plugin's tables: reports prepared in the job queue, and each version's governance record.

The governance record is append-only: a correction is a new entry, and the latest entry for a step is its
decision, so the history of who decided what and when is never rewritten.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pathway_review.plugin_api import Base, utcnow

STEPS = {
    "development-group": "Development group",
    "specialty-delivery-group": "Specialty Delivery Group",
    "interface-delivery-group": "Primary Care / Secondary Care Interface Delivery Group",
    "sign-off-group": "CfSD Sign Off Group",
}
DECISIONS = {"approved": "Approved", "changes-requested": "Changes requested", "not-approved": "Not approved"}
FORMATS = {"pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class GovernanceEntry(Base):
    __tablename__ = "governance_entry"
    __table_args__ = (Index("ix_governance_version", "pathway_slug", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_slug: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(32))
    decided_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200), default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def step_label(self) -> str:
        return STEPS.get(self.step, self.step)

    @property
    def decision_label(self) -> str:
        return DECISIONS.get(self.decision, self.decision)


class PreparedReport(Base):
    """A report built by the worker; ``status`` is queued, ready or failed."""
    __tablename__ = "prepared_report"
    __table_args__ = (Index("ix_prepared_report_version", "pathway_slug", "version", "format"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_slug: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    problem: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
