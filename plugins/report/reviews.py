"""Pathways due for review: every published version by its review date for CfSD, and for a board's admin the
national pathways its local notes depend on.

A board's notes arrive as the ``local_notes`` dataset through the ``datasets`` hook, called through the
board's own view, so a board without the local notes plugin simply has none, and this plugin imports nothing
of it.
"""
from __future__ import annotations

from flask import Blueprint, g, render_template

from pathway_review.plugin_api import flatten, library, page_hook, review_status, roles_required, today

bp = Blueprint("reviews", __name__, url_prefix="/reviews", template_folder="templates")
NOTES_DATASET = "local_notes"


def published_by_review_date():
    """(version, status) for every published version with a review date, the soonest first."""
    day = today()
    rows = [(pv, review_status(pv, day)) for pathway in library().pathways.values() for pv in pathway.versions]
    rows = [(pv, status) for pv, status in rows if status.key != "none"]
    return sorted(rows, key=lambda row: (row[1].next_review, row[0].title.casefold()))


def pathways_in_local_notes() -> dict[str, int] | None:
    """Notes per national pathway for the signed-in user's board, or None when its notes are not available."""
    dataset = next((d for d in flatten(page_hook("datasets")) if getattr(d, "name", None) == NOTES_DATASET), None)
    if dataset is None:
        return None
    counts: dict[str, int] = {}
    for row in dataset.rows({}):
        counts[row["pathway"]] = counts.get(row["pathway"], 0) + 1
    return counts


@bp.route("/")
@roles_required("cfsd", "admin")
def index():
    rows = published_by_review_date()
    counts = {key: sum(1 for _, s in rows if s.key == key) for key in ("overdue", "due-6", "due-9")}
    return render_template("report/reviews.html", rows=rows, counts=counts, today=today())


@bp.route("/board")
@roles_required("board-admin")
def board():
    counts = pathways_in_local_notes()
    rows = []
    if counts:
        for pv, status in published_by_review_date():
            if pv.slug in counts:
                rows.append((pv, status, counts[pv.slug]))
    return render_template("report/reviews_board.html", rows=rows, notes_on=counts is not None,
                           board=g.user.board, today=today())
