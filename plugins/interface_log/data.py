"""What the issue log contributes to others: the ``interface_issues`` dataset and search documents."""
from __future__ import annotations

from datetime import date, datetime

from flask import g, has_app_context, has_request_context
from sqlalchemy import select

from pathway_review.contracts import Dataset, DatasetFilter, SearchDocument
from pathway_review.db import get_session
from pathway_review.boards import boards_with_plugin
from pathway_review.models import Board

from .models import CATEGORIES, STATUSES, InterfaceIssue
from .rules import PLUGIN

COLUMNS = ["id", "board", "logged", "category", "service", "pathway", "section", "patient_safety", "status",
           "owner", "reported_by", "finished", "days_to_resolve", "lasting_change", "lasting_change_detail",
           "description", "resolution"]
YES = (True, "true", "yes", "1", "on")


def document_id(issue_id: int) -> str:
    return f"{PLUGIN}:{issue_id}"


def issue_document(issue: InterfaceIssue) -> SearchDocument:
    text = issue.description + (f"\n\nResolution: {issue.resolution}" if issue.resolution else "")
    return SearchDocument(
        id=document_id(issue.id), kind="interface-issue", title=f"Interface issue {issue.id}: {issue.service}",
        heading=issue.category_label, text=text,
        url=f"/interface-log/boards/{issue.board.slug}/issues/{issue.id}", status=issue.status_label,
        board=issue.board.slug, plugin=PLUGIN)


def enabled_board_ids(session) -> list[int]:
    return [board.id for board in boards_with_plugin(session, PLUGIN)]


def board_issues(session, board_ids):
    return session.scalars(select(InterfaceIssue).where(InterfaceIssue.board_id.in_(list(board_ids)))
                           .order_by(InterfaceIssue.id))


def board_switched(app, board_slug: str, enabled: bool) -> None:
    """Take a board's issues out of the search index when it switches the log off; put them back when on."""
    from .service import changed

    with app.extensions["pathway_review.db"].transaction() as session:
        board = session.scalar(select(Board).where(Board.slug == board_slug))
        if board is None:
            return
        issues = list(board_issues(session, [board.id]))
        if not issues:
            return
        with app.app_context():
            if enabled:
                changed(session, f"interface_log:board:{board_slug}", documents=[issue_document(i) for i in issues])
            else:
                changed(session, f"interface_log:board:{board_slug}", removed=[document_id(i.id) for i in issues])


def _visible_board_ids(session) -> list[int]:
    user = g.get("user") if has_app_context() else None
    if user is None and has_request_context():
        return []  # an anonymous request sees nothing, whatever asked for the rows
    enabled = enabled_board_ids(session)
    if user is not None and user.board_id is not None:
        return [user.board_id] if user.board_id in enabled else []
    return enabled


def _as_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _label_key(table: dict, value) -> str:
    # Filters may arrive as the key ("resolved") or as the label shown to people ("Resolved").
    return next((k for k, label in table.items() if value in (k, label)), str(value))


def _selected(filters) -> list[InterfaceIssue]:
    session = get_session()
    query = select(InterfaceIssue).where(InterfaceIssue.board_id.in_(_visible_board_ids(session)))
    if filters.get("status"):
        query = query.where(InterfaceIssue.status == _label_key(STATUSES, filters["status"]))
    if filters.get("category"):
        query = query.where(InterfaceIssue.category == _label_key(CATEGORIES, filters["category"]))
    if filters.get("safety") in YES:
        query = query.where(InterfaceIssue.patient_safety.is_(True))
    issues = list(session.scalars(query.order_by(InterfaceIssue.board_id, InterfaceIssue.id)))
    start, end = _as_date(filters.get("logged_from")), _as_date(filters.get("logged_to"))
    return [i for i in issues
            if (start is None or i.created.date() >= start) and (end is None or i.created.date() <= end)]


def _rows(filters):
    for issue in _selected(filters):
        yield {
            "id": issue.id, "board": issue.board.name, "logged": issue.created.date().isoformat(),
            "category": issue.category_label, "service": issue.service, "pathway": issue.pathway or "",
            "section": issue.section_id or "", "patient_safety": "yes" if issue.patient_safety else "no",
            "status": issue.status_label, "owner": issue.owner.name if issue.owner else "",
            "reported_by": issue.reported_by.name if issue.reported_by else "",
            "finished": issue.finished.date().isoformat() if issue.finished else "",
            "days_to_resolve": issue.days_to_resolve if issue.days_to_resolve is not None else "",
            "lasting_change": {True: "yes", False: "no"}.get(issue.lasting_change, ""),
            "lasting_change_detail": issue.lasting_change_detail or "",
            "description": issue.description, "resolution": issue.resolution or "",
        }


def _summary(filters):
    issues = _selected(filters)

    def count(label_of):
        totals: dict[str, int] = {}
        for issue in issues:
            totals[label_of(issue)] = totals.get(label_of(issue), 0) + 1
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))

    return {"By category": count(lambda i: i.category_label), "By status": count(lambda i: i.status_label),
            "Patient safety": count(lambda i: "Safety-flagged" if i.patient_safety else "Not flagged")}


def interface_issues_dataset() -> Dataset:
    return Dataset(
        name="interface_issues", title="Interface issues between general practice and hospital services",
        filter_specs=[DatasetFilter("status", "Status", "choice", tuple(STATUSES)),
                      DatasetFilter("category", "Category", "choice", tuple(CATEGORIES)),
                      DatasetFilter("safety", "Patient-safety flagged only", "bool"),
                      DatasetFilter("logged_from", "Logged on or after", "date"),
                      DatasetFilter("logged_to", "Logged on or before", "date")],
        columns=lambda filters: list(COLUMNS), rows=_rows, summary=_summary,
        roles=frozenset({"board-admin", "cfsd", "admin"}), personal_columns=("owner", "reported_by"))
