"""Local notes as search documents, visible to the users of the board that wrote them."""
from __future__ import annotations

from sqlalchemy import select

from pathway_review.plugin_api import SearchDocument, outbox

from .models import LocalNote
from .rules import PLUGIN, kit, pathway_title, section_title


def document_id(note_id: int) -> str:
    return f"{PLUGIN}:{note_id}"


def note_document(note: LocalNote) -> SearchDocument:
    text = note.text + (f"\n\nReason for the local variation: {note.reason}" if note.reason else "")
    return SearchDocument(
        id=document_id(note.id), kind="local-note", title=pathway_title(note),
        heading=f"Local note — {note.board.name}: {section_title(note)}", text=text,
        url=f"/pathways/{note.pathway}/#{note.section_id}", status=note.kind_label,
        board=note.board.slug, plugin=PLUGIN)


def board_notes(session, board_ids) -> list[LocalNote]:
    return list(session.scalars(select(LocalNote).where(LocalNote.board_id.in_(list(board_ids)))
                                .order_by(LocalNote.id)))


def changed(session, about: str, documents=(), removed=()) -> None:
    """Tell the search index of changed notes, in the transaction that changes them."""
    outbox.record(session, "search_documents_changed", about=about, documents=list(documents),
                  removed=list(removed))



# Rebuilds and boards switching the plugin on or off go through the board-plugin kit.
kit.searchable(board_notes, note_document)
