"""The Health Boards and what each has switched on."""
from __future__ import annotations

import json

from flask import current_app
from sqlalchemy import select

from . import audit
from .models import Board, PluginEnablement, PluginSetting, utcnow

TERRITORIAL_BOARDS = [
    ("ayrshire-and-arran", "NHS Ayrshire and Arran"), ("borders", "NHS Borders"),
    ("dumfries-and-galloway", "NHS Dumfries and Galloway"), ("fife", "NHS Fife"),
    ("forth-valley", "NHS Forth Valley"), ("grampian", "NHS Grampian"),
    ("greater-glasgow-and-clyde", "NHS Greater Glasgow and Clyde"), ("highland", "NHS Highland"),
    ("lanarkshire", "NHS Lanarkshire"), ("lothian", "NHS Lothian"), ("orkney", "NHS Orkney"),
    ("shetland", "NHS Shetland"), ("tayside", "NHS Tayside"), ("western-isles", "NHS Western Isles"),
]


class EnablementError(ValueError):
    pass


def seed_boards(session) -> int:
    existing = set(session.scalars(select(Board.slug)))
    added = 0
    for slug, name in TERRITORIAL_BOARDS:
        if slug not in existing:
            session.add(Board(slug=slug, name=name, kind="territorial"))
            added += 1
    return added


def get_board(session, slug: str) -> Board | None:
    return session.scalar(select(Board).where(Board.slug == slug))


def enabled_plugins(session, board: Board) -> set[str]:
    return set(session.scalars(select(PluginEnablement.plugin).where(
        PluginEnablement.board_id == board.id, PluginEnablement.enabled.is_(True))))


def set_plugin_enabled(session, plugin: str, board: Board, enabled: bool, actor=None) -> bool:
    """Switch an optional plugin on or off for a board; returns True if anything changed."""
    host = current_app.extensions["pathway_review.plugins"]
    if plugin not in host.optional_names:
        known = ", ".join(host.optional_names) or "none"
        raise EnablementError(f"There is no optional plugin called {plugin!r}. Optional plugins: {known}.")
    row = session.scalar(select(PluginEnablement).where(
        PluginEnablement.plugin == plugin, PluginEnablement.board_id == board.id))
    if row is not None and row.enabled == enabled:
        return False
    if row is None:
        row = PluginEnablement(plugin=plugin, board_id=board.id)
        session.add(row)
    row.enabled, row.updated_at = enabled, utcnow()
    audit.record("plugin.enabled" if enabled else "plugin.disabled", target=plugin, board_id=board.id,
                 session=session, actor=actor, board=board.slug)
    return True


def save_setting(session, plugin: str, board: Board, key: str, value, actor=None) -> None:
    row = session.scalar(select(PluginSetting).where(
        PluginSetting.plugin == plugin, PluginSetting.board_id == board.id, PluginSetting.key == key))
    if row is None:
        row = PluginSetting(plugin=plugin, board_id=board.id, key=key, value="null")
        session.add(row)
    row.value = json.dumps(value)
    audit.record("plugin.setting", target=f"{plugin}.{key}", board_id=board.id, session=session, actor=actor,
                 board=board.slug)
