"""Who may read, log and triage a board's interface issues."""
from __future__ import annotations

import re

from flask import g

from pathway_review.boards import board_for_plugin
from pathway_review.models import Board
from pathway_review.plugins import board_setting

PLUGIN = "interface_log"
NATIONAL_READERS = {"cfsd", "admin"}


def appointed(value) -> set[str]:
    """The e-mail addresses in an ``emails`` setting, whether stored as a list or as typed text."""
    if not value:
        return set()
    items = value if isinstance(value, (list, tuple)) else re.split(r"[\s,;]+", str(value))
    return {str(item).strip().lower() for item in items if "@" in str(item)}


def is_liaison(user, board) -> bool:
    if user is None or board is None or user.board_id != board.id:
        return False
    if user.role == "board-admin":
        return True
    cache = g.setdefault("interface_log_liaison", {})
    if board.id not in cache:
        cache[board.id] = appointed(board_setting(PLUGIN, board, "liaison"))
    return user.email.lower() in cache[board.id]


def permission(user, action, resource):
    if not action.startswith("interface_log:") or user is None or not isinstance(resource, Board):
        return None
    own_board = user.board_id == resource.id
    if action == "interface_log:read":
        return own_board or (user.board_id is None and user.role in NATIONAL_READERS)
    if action == "interface_log:log":
        return own_board
    if action == "interface_log:triage":
        return is_liaison(user, resource)
    return None


MESSAGES = {
    "interface_log:log": "Issues are logged by the users of {board}.",
    "interface_log:triage": "Only {board}'s interface liaison (its board admins and the people they appoint) "
                            "can triage issues.",
}


def board_or_404(slug: str, action: str = "interface_log:read") -> Board:
    """The board named in the URL, if this user may reach it; another board's pages do not exist for them."""
    return board_for_plugin(slug, PLUGIN, "interface_log:read", action, MESSAGES.get(action))
