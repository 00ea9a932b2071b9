"""The Health Boards and what each has switched on."""
from __future__ import annotations

import json

from flask import current_app
from sqlalchemy import select

from . import audit, outbox
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


def boards_with_plugin(session, plugin: str) -> list[Board]:
    """The boards that have switched an optional plugin on, by name."""
    return list(session.scalars(select(Board).join(PluginEnablement, PluginEnablement.board_id == Board.id)
                                .where(PluginEnablement.plugin == plugin, PluginEnablement.enabled.is_(True))
                                .order_by(Board.name)))


def enabled_plugins(session, board: Board | int) -> set[str]:
    """The optional plugins a board (or a board id) has switched on."""
    return set(session.scalars(select(PluginEnablement.plugin).where(
        PluginEnablement.board_id == getattr(board, "id", board), PluginEnablement.enabled.is_(True))))


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
    outbox.record(session, "plugin_enablement_changed", about=f"plugin:{plugin}:{board.slug}", plugin=plugin,
                  board=board.slug, enabled=enabled)
    return True


def deliver_switch(app, plugin: str, board: str, enabled: bool, event_id: int | None = None) -> None:
    """Deliver the ``plugin_enablement_changed`` event (in the worker, after the commit).

    The plugin concerned hears ``switched_for_board`` first (it alone: its records come back into search,
    or leave it); then every plugin hears ``plugin_enablement_changed``. A listener that raises is logged and
    the others still hear it.
    """
    plugins = app.extensions["pathway_review.plugins"]
    if plugins.pm.has_plugin(plugin):
        plugins.call("switched_for_board", view=plugins.plugin_view(plugin), app=app, board=board,
                     enabled=enabled)
    plugins.notify("plugin_enablement_changed", app=app, plugin=plugin, board=board, enabled=enabled,
                   event_id=event_id)


def save_setting(session, plugin: str, board: Board, key: str, value, actor=None) -> None:
    row = session.scalar(select(PluginSetting).where(
        PluginSetting.plugin == plugin, PluginSetting.board_id == board.id, PluginSetting.key == key))
    if row is None:
        row = PluginSetting(plugin=plugin, board_id=board.id, key=key, value="null")
        session.add(row)
    row.value = json.dumps(value)
    audit.record("plugin.setting", target=f"{plugin}.{key}", board_id=board.id, session=session, actor=actor,
                 board=board.slug)


def board_for_plugin(slug: str, plugin: str, read: str, action: str | None = None, refusal: str | None = None):
    """The board named in a board plugin's URL, if the signed-in user may reach it there.

    For pages like ``/local-notes/boards/<board>/``: another board's pages do not exist for a board's
    users (404, audited); national staff get 404 where the board has switched the plugin off, so its
    data stays out of sight; ``can(read, board)`` must allow, and ``can(action, board)`` too when an
    action is given (403 with ``refusal``, in which ``{board}`` stands for the board's name).
    """
    from flask import abort, g, request

    from .access import can
    from .db import get_session
    from .security import abort_with

    db = get_session()
    board = get_board(db, slug)
    if board is None:
        abort(404)

    def denied(code: int, message: str | None = None):
        # On the request's own session: a form post on SQLite already holds the write lock, which a
        # second connection would wait for. Nothing else has been written yet.
        audit.record("permission.denied", target=request.path, actor=g.user)
        db.commit()
        abort_with(code, message) if message else abort(code)

    user = g.user
    if user.board_id is not None and user.board_id != board.id:
        denied(404)
    if user.board_id is None and plugin not in enabled_plugins(db, board):
        abort(404)
    if not can(read, board):
        denied(404)
    if action and action != read and not can(action, board):
        denied(403, refusal.format(board=board.name) if refusal else None)
    return board
