"""A case study: a board's resolved interface issue that made a lasting change, written up for other boards."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pathway_review.plugin_api import Base, Board, User, as_utc, utcnow

ADOPTION_STATES = {"adopted": "Adopted here", "considering": "Considering"}


class CaseStudy(Base):
    __tablename__ = "case_study"
    # One write-up per issue: a second publication of the same issue edits the first.
    __table_args__ = (UniqueConstraint("board_id", "issue_id", name="uq_case_study_issue"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"), index=True)
    issue_id: Mapped[int] = mapped_column(Integer)  # the interface log's issue, of the same board
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(200), default="")
    problem: Mapped[str] = mapped_column(Text)
    change: Mapped[str] = mapped_column(Text)
    involved: Mapped[str] = mapped_column(Text)
    hours_saved: Mapped[int] = mapped_column(Integer)  # estimated GP hours saved a year
    estimate_method: Mapped[str] = mapped_column(Text)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"),
                                                        nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    board: Mapped[Board] = relationship(lazy="joined")
    published_by: Mapped[User | None] = relationship(lazy="joined")
    adoptions: Mapped[list["Adoption"]] = relationship(back_populates="case_study", lazy="selectin",
                                                       cascade="all, delete-orphan")

    @property
    def updated(self) -> datetime:
        return as_utc(self.updated_at)


class Adoption(Base):
    """Where another board stands on a case study's change: adopted it, or considering it."""
    __tablename__ = "case_study_adoption"
    __table_args__ = (UniqueConstraint("case_study_id", "board_id", name="uq_case_study_adoption_board"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_study_id: Mapped[int] = mapped_column(ForeignKey("case_study.id", ondelete="CASCADE"))
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"),
                                                     nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case_study: Mapped[CaseStudy] = relationship(back_populates="adoptions")
    board: Mapped[Board] = relationship(lazy="joined")

    @property
    def state_label(self) -> str:
        return ADOPTION_STATES.get(self.state, self.state)
