"""What a pathway page shows: the board's notes beside each section, and for national staff which boards have notes."""
from __future__ import annotations

from flask import g, render_template, request, url_for
from sqlalchemy import func, select

from pathway_review.plugin_api import Board, get_session, render_markdown

from .models import LocalNote
from .rules import FLAGS, NATIONAL_READERS, compare_href, is_editor, kit, library


def board_notes(board_id: int, slug: str) -> dict[str, list[LocalNote]]:
    """The board's notes on one pathway by section id, fetched once per page (section hooks run per section)."""
    cache = g.setdefault("local_notes_by_pathway", {})
    key = (board_id, slug)
    if key not in cache:
        by_section: dict[str, list[LocalNote]] = {}
        for note in get_session().scalars(select(LocalNote).where(
                LocalNote.board_id == board_id, LocalNote.pathway == slug).order_by(LocalNote.id)):
            by_section.setdefault(note.section_id, []).append(note)
        cache[key] = by_section
    return cache[key]


def section_panel(version, section, user) -> str | None:
    if user.board_id is None:
        return None
    notes = board_notes(user.board_id, version.slug).get(section.id)
    if not notes:
        return None
    editor = is_editor(user, user.board)
    is_current = library().get(version.slug).current is version
    items = []
    for note in notes:
        # Beside the current text a mismatch means the national text moved on; beside an older
        # version it only means the note was written for another version.
        state = "changed" if is_current and note.fingerprint != section.fingerprint else "current"
        items.append({"note": note, "html": render_markdown(note.text), "state": state,
                      "flag": FLAGS.get(state) if editor else None,
                      "compare_href": compare_href(note, version) if editor and state != "current" else None})
    return render_template("local_notes/panel.html", board=user.board, items=items, section=section,
                           editor=editor, heading_level=min(section.level + 1, 6),
                           next=request.full_path.rstrip("?") + "#" + section.id)


def national_panel(version, user) -> str | None:
    """CfSD can see which boards vary a pathway locally, and read their registers."""
    if user.board_id is not None or user.role not in NATIONAL_READERS:
        return None
    rows = get_session().execute(
        select(Board, func.count(LocalNote.id))
        .join(LocalNote, LocalNote.board_id == Board.id)
        .where(LocalNote.pathway == version.slug, Board.id.in_(kit.board_ids()))
        .group_by(Board.id).order_by(Board.name)).all()
    if not rows:
        return None
    return render_template("local_notes/national_panel.html",
                           boards=[(b, n, url_for("local_notes.register", board=b.slug)) for b, n in rows])
