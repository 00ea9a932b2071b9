"""Who may read and edit a board's local notes, and whether a note still matches the national text."""
from __future__ import annotations

from flask import url_for

from pathway_review.plugin_api import Board, BoardPlugin, library

PLUGIN = "local_notes"
NATIONAL_READERS = {"cfsd", "admin"}

CURRENT, CHANGED, GONE = "current", "changed", "gone"
FLAGS = {CHANGED: "National text changed — review this note",
         GONE: "Section no longer in the current version — review this note"}


kit = BoardPlugin(PLUGIN, appointed_setting="editors")


def is_editor(user, board) -> bool:
    """The board's admins and the users of that board it appointed in its ``editors`` setting."""
    return kit.is_appointed(user, board)


def permission(user, action, resource):
    if not action.startswith("local_notes:") or user is None or not isinstance(resource, Board):
        return None
    if action == "local_notes:read":
        return user.board_id == resource.id or (user.board_id is None and user.role in NATIONAL_READERS)
    if action == "local_notes:edit":
        return is_editor(user, resource)
    return None


def board_or_404(slug: str, action: str = "local_notes:read") -> Board:
    """The board named in the URL, if this user may reach it; another board's pages do not exist for them."""
    return kit.board_or_404(slug, action,
                            "Only {board}'s board admins and the editors they appoint can change local notes.")


def current_section(note):
    """(current version, its section for this note or None)."""
    pathway = library().get(note.pathway)
    if pathway is None:
        return None, None
    current = pathway.current
    return current, current.section(note.section_id)


def review_state(note) -> str:
    _, section = current_section(note)
    if section is None:
        return GONE
    return CURRENT if section.fingerprint == note.fingerprint else CHANGED


def compare_href(note, current) -> str | None:
    """Where to see how the national text moved on since the note's version, if both versions exist."""
    if current is None or current.version == note.version or library().get_version(note.pathway, note.version) is None:
        return None
    return url_for("pathways.compare", slug=note.pathway, old=note.version, new=current.version)


def section_title(note) -> str:
    """The section's title from the current version, else from the version the note was written against."""
    _, section = current_section(note)
    if section is None:
        written = library().get_version(note.pathway, note.version)
        section = written.section(note.section_id) if written else None
    return section.title if section else note.section_id


def pathway_title(note) -> str:
    pathway = library().get(note.pathway)
    return pathway.title if pathway else note.pathway
