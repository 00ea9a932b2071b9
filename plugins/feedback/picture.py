"""Feedback in CfSD's national picture: answers saying a pathway is not deliverable as written, and safety concerns.

Counted by the author's board over every version of a pathway, from submitted feedback only (drafts are
the GP's alone; withdrawn feedback was taken back). CfSD sees each response's board, even when the GP
chose to hide it from other readers, and the picture is CfSD's alone.
"""
from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from pathway_review.plugin_api import Board, database

from . import filters as filtering
from .models import Feedback
from .questions import DELIVERABLE_ID

NOT_DELIVERABLE = "feedback:not-deliverable"
SAFETY = "feedback:safety-concern"
MEASURES = {
    NOT_DELIVERABLE: ("Answers: not deliverable in primary care as written", {}, {DELIVERABLE_ID: "No"}),
    SAFETY: ("Patient-safety concerns", {"safety": True}, {}),
}


def picture_counts() -> list[dict]:
    found = []
    with database().session() as session:
        for measure, (label, chosen, answers) in MEASURES.items():
            rows = session.execute(
                select(Board.slug, Feedback.pathway_slug, func.count(Feedback.id))
                .join(Board, Board.id == Feedback.board_id)
                .where(*filtering.conditions(chosen, answers))
                .group_by(Board.slug, Feedback.pathway_slug)).all()
            found += [{"board": board, "pathway": pathway, "measure": measure, "label": label, "count": count}
                      for board, pathway, count in rows]
    return found


def picture_records(board: str, pathway: str, measure: str) -> list[dict] | None:
    if measure not in MEASURES:
        return None
    _, chosen, answers = MEASURES[measure]
    with database().session() as session:
        records = session.scalars(
            select(Feedback).where(*filtering.conditions({**chosen, "board": board, "pathway": pathway}, answers))
            .order_by(Feedback.id))
        return [{"title": f"Feedback {record.id} on version {record.version}: "
                          + (record.section_title or "the whole pathway"),
                 "href": url_for("consultations.response", feedback_id=record.id),
                 "detail": f"{record.type_label}; {record.status_label}; {record.attribution(for_cfsd=True)}"}
                for record in records]
