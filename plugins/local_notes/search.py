"""Local notes as search documents, visible to the users of the board that wrote them."""
from __future__ import annotations

from sqlalchemy import select

from pathway_review import outbox
from pathway_review.contracts import SearchDocument
from pathway_review.boards import boards_with_plugin
from pathway_review.models import Board

from .models import LocalNote
from .rules import PLUGIN, pathway_title, section_title


def document_id(note_id: int) -> str:
    return f"{PLUGIN}:{note_id}"


def note_document(note: LocalNote) -> SearchDocument:
    text = note.text + (f"\n\nReason for the local variation: {note.reason}" if note.reason else "")
    return SearchDocument(
        id=document_id(note.id), kind="local-note", title=pathway_title(note),
        heading=f"Local note — {note.board.name}: {section_title(note)}", text=text,
        url=f"/pathways/{note.pathway}/#{note.section_id}", status=note.kind_label,
        board=note.board.slug, plugin=PLUGIN)


def enabled_board_ids(session) -> list[int]:
    return [board.id for board in boards_with_plugin(session, PLUGIN)]


def board_notes(session, board_ids) -> list[LocalNote]:
    return list(session.scalars(select(LocalNote).where(LocalNote.board_id.in_(list(board_ids)))
                                .order_by(LocalNote.id)))


def changed(session, about: str, documents=(), removed=()) -> None:
    """Tell the search index of changed notes, in the transaction that changes them."""
    outbox.record(session, "search_documents_changed", about=about, documents=list(documents),
                  removed=list(removed))


def board_switched(app, board_slug: str, enabled: bool) -> None:
    """Take a board's notes out of the index when it switches the plugin off; put them back when on."""
    with app.extensions["pathway_review.db"].transaction() as session:
        board = session.scalar(select(Board).where(Board.slug == board_slug))
        if board is None:
            return
        notes = board_notes(session, [board.id])
        if not notes:
            return
        with app.app_context():
            if enabled:
                changed(session, f"{PLUGIN}:board:{board_slug}", documents=[note_document(n) for n in notes])
            else:
                changed(session, f"{PLUGIN}:board:{board_slug}", removed=[document_id(n.id) for n in notes])
