"""Who may read, log and triage a board's interface issues."""
from __future__ import annotations

from pathway_review.plugin_api import Board, BoardPlugin

PLUGIN = "interface_log"
NATIONAL_READERS = {"cfsd", "admin"}


kit = BoardPlugin(PLUGIN, appointed_setting="liaison")


def is_liaison(user, board) -> bool:
    """The board's admins and the users of that board it appointed in its ``liaison`` setting."""
    return kit.is_appointed(user, board)


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
    return kit.board_or_404(slug, action, MESSAGES.get(action))
