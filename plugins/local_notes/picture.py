"""Local notes in CfSD's national picture: where boards vary from a national pathway, by kind of note.

A board shares its notes nationally while it has local notes switched on (CfSD reads its register then).
"""
from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from pathway_review.plugin_api import Board, database, get_board

from .models import KINDS, LocalNote
from .rules import PLUGIN, kit, section_title


def measure_of(kind: str) -> str:
    return f"{PLUGIN}:{kind}"


MEASURES = {measure_of(kind): kind for kind in KINDS}


def picture_counts() -> list[dict]:
    with database().session() as session:
        rows = session.execute(
            select(Board.slug, LocalNote.pathway, LocalNote.kind, func.count(LocalNote.id))
            .join(Board, Board.id == LocalNote.board_id)
            .where(LocalNote.board_id.in_(kit.board_ids(session)))
            .group_by(Board.slug, LocalNote.pathway, LocalNote.kind)).all()
    return [{"board": board, "pathway": pathway, "measure": measure_of(kind),
             "label": f"Local notes: {KINDS.get(kind, kind).lower()}", "count": count}
            for board, pathway, kind, count in rows if kind in KINDS]


def picture_records(board: str, pathway: str, measure: str) -> list[dict] | None:
    kind = MEASURES.get(measure)
    if kind is None:
        return None
    with database().session() as session:
        board_row = get_board(session, board)
        if board_row is None or not kit.is_on(board_row, session):
            return []
        notes = session.scalars(select(LocalNote).where(
            LocalNote.board_id == board_row.id, LocalNote.pathway == pathway, LocalNote.kind == kind)
            .order_by(LocalNote.id))
        href = url_for("local_notes.register", board=board_row.slug)
        return [{"title": f"{note.kind_label}: {section_title(note)}", "href": f"{href}#note-{note.id}",
                 "detail": note.text if len(note.text) <= 200 else note.text[:199] + "…"} for note in notes]
