"""The local variation register as a dataset for export."""
from __future__ import annotations

from sqlalchemy import select

from pathway_review.plugin_api import DatasetFilter, get_session

from .models import KINDS, LocalNote
from .rules import FLAGS, kit, pathway_title, review_state, section_title

COLUMNS = ["id", "board", "pathway", "pathway_title", "section", "section_title", "kind", "note", "reason",
           "written_against_version", "review", "author", "created", "updated", "last_reviewed"]


def _rows(filters, scope):
    session = get_session()
    query = select(LocalNote).where(LocalNote.board_id.in_(scope.board_ids))
    if filters.get("kind"):
        query = query.where(LocalNote.kind == filters["kind"])
    for note in session.scalars(query.order_by(LocalNote.board_id, LocalNote.pathway, LocalNote.id)):
        state = review_state(note)
        if filters.get("needs_review") in (True, "true", "yes", "1", "on") and state == "current":
            continue
        yield {
            "id": note.id, "board": note.board.name, "pathway": note.pathway, "pathway_title": pathway_title(note),
            "section": note.section_id, "section_title": section_title(note), "kind": note.kind_label,
            "note": note.text, "reason": note.reason or "", "written_against_version": note.version,
            "review": FLAGS.get(state, "Up to date"), "author": note.author.name if note.author else "",
            "created": note.created.isoformat(), "updated": note.updated.isoformat(),
            "last_reviewed": note.reviewed.isoformat() if note.reviewed else "",
        }


def _summary(filters, scope):
    by_kind: dict[str, int] = {}
    by_review: dict[str, int] = {}
    for row in _rows(filters, scope):
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + 1
        by_review[row["review"]] = by_review.get(row["review"], 0) + 1
    return {"By type": sorted(by_kind.items()), "By review state": sorted(by_review.items())}


def local_notes_dataset():
    return kit.dataset(
        name="local_notes", title="Local notes on national pathways (local variation register)",
        filter_specs=[DatasetFilter("kind", "Type of note", "choice", tuple(KINDS)),
                      DatasetFilter("needs_review", "Needs review only", "bool")],
        columns=lambda filters: list(COLUMNS), rows=_rows, summary=_summary,
        roles=frozenset({"cfsd", "admin", "board-admin"}), personal_columns=("author",))
