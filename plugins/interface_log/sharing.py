"""What the issue log shares beyond its board: counts for the national picture and issues for case studies.

Only boards that have the log switched on share anything: a board that switched it off has withdrawn
its issues, as it has from search.
"""
from __future__ import annotations

from sqlalchemy import func, select

from pathway_review.plugin_api import Board, database, get_board

from .models import InterfaceIssue
from .rules import PLUGIN, kit

MEASURE = f"{PLUGIN}:linked-issues"
LABEL = "Interface issues linked to the pathway"


def _issue_url(issue: InterfaceIssue) -> str:
    # A plain path, as for search: case studies are also published from the command line (no request).
    return f"/interface-log/boards/{issue.board.slug}/issues/{issue.id}"


def picture_counts() -> list[dict]:
    with database().session() as session:
        rows = session.execute(
            select(Board.slug, InterfaceIssue.pathway, func.count(InterfaceIssue.id))
            .join(Board, Board.id == InterfaceIssue.board_id)
            .where(InterfaceIssue.board_id.in_(kit.board_ids(session)), InterfaceIssue.pathway.is_not(None))
            .group_by(Board.slug, InterfaceIssue.pathway)).all()
    return [{"board": board, "pathway": pathway, "measure": MEASURE, "label": LABEL, "count": count}
            for board, pathway, count in rows]


def picture_records(board: str, pathway: str, measure: str) -> list[dict] | None:
    if measure != MEASURE:
        return None
    with database().session() as session:
        board_row = get_board(session, board)
        if board_row is None or not kit.is_on(board_row, session):
            return []
        issues = session.scalars(select(InterfaceIssue).where(
            InterfaceIssue.board_id == board_row.id, InterfaceIssue.pathway == pathway).order_by(InterfaceIssue.id))
        return [{"title": f"Interface issue {issue.id}: {issue.service}", "href": _issue_url(issue),
                 "detail": f"{issue.category_label}; {issue.status_label}"
                           + ("; patient safety" if issue.patient_safety else "")} for issue in issues]


def shareable(board: str) -> list[dict] | None:
    with database().session() as session:
        board_row = get_board(session, board)
        if board_row is None or not kit.is_on(board_row, session):
            return None
        issues = session.scalars(select(InterfaceIssue).where(InterfaceIssue.board_id == board_row.id)
                                 .order_by(InterfaceIssue.id))
        return [{"id": issue.id, "board": board_row.slug, "status": issue.status, "status_label": issue.status_label,
                 "lasting_change": issue.lasting_change, "service": issue.service, "category": issue.category_label,
                 "pathway": issue.pathway, "problem": issue.description, "resolution": issue.resolution or "",
                 "change": issue.lasting_change_detail or "", "url": _issue_url(issue)} for issue in issues]
