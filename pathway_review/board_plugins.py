"""What every board plugin needs and none should write again: the kit behind ``BoardPlugin``.

A board plugin (optional, switched on board by board) keeps records that belong to a board. Whether a
board has it on, who that board appointed to run it, which boards' records a caller may see in an
export or a search, and what happens to search when a board switches it off are the same questions for
every such plugin, so they are answered here once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from flask import g, has_app_context, has_request_context
from sqlalchemy import select

from . import outbox
from .boards import board_for_plugin, boards_with_plugin, get_board
from .contracts import Dataset, DatasetFilter, SearchDocument
from .db import database, get_session
from .models import Board, PluginEnablement
from .plugins import board_setting


def appointed(value: Any) -> set[str]:
    """The e-mail addresses in an ``emails`` setting, lower-cased, whether stored as a list or as typed text."""
    if not value:
        return set()
    items = value if isinstance(value, (list, tuple, set)) else re.split(r"[\s,;]+", str(value))
    return {str(item).strip().lower() for item in items if "@" in str(item)}


@dataclass(frozen=True)
class BoardScope:
    """The boards whose records a caller may see: given to a dataset's rows and summary.

    ``user`` is the signed-in user, or None on the command line (which sees every board with the plugin on).
    """
    board_ids: tuple[int, ...]
    user: Any = None

    def __contains__(self, board_id: object) -> bool:
        return board_id in self.board_ids

    def __bool__(self) -> bool:
        return bool(self.board_ids)


class BoardPlugin:
    """The shared part of a board plugin named ``name`` (its entry-point name).

    ``appointed_setting`` names an ``emails`` board setting listing the board's users, besides its
    board admins, who run the plugin for the board (editors, a liaison). ``read_action`` is the
    permission that lets a user see a board's pages (``"<name>:read"`` unless given).
    """

    def __init__(self, name: str, appointed_setting: str | None = None, read_action: str | None = None):
        self.name = name
        self.appointed_setting = appointed_setting
        self.read_action = read_action or f"{name}:read"
        self._records: Callable[[Any, Sequence[int]], Iterable[Any]] | None = None
        self._document: Callable[[Any], SearchDocument] | None = None

    # ---- where the plugin is on ------------------------------------------------------------------

    def boards(self, session=None) -> list[Board]:
        """The boards that have this plugin switched on, by name."""
        return boards_with_plugin(session or get_session(), self.name)

    def board_ids(self, session=None) -> list[int]:
        return [board.id for board in self.boards(session)]

    def is_on(self, board: Board | int, session=None) -> bool:
        session = session or get_session()
        return session.scalar(select(PluginEnablement.id).where(
            PluginEnablement.plugin == self.name, PluginEnablement.board_id == getattr(board, "id", board),
            PluginEnablement.enabled.is_(True))) is not None

    def board_or_404(self, slug: str, action: str | None = None, refusal: str | None = None) -> Board:
        """The board named in a URL, if the signed-in user may reach it there (see ``board_for_plugin``)."""
        return board_for_plugin(slug, self.name, self.read_action, action, refusal)

    # ---- who runs it for a board -----------------------------------------------------------------

    def is_appointed(self, user, board) -> bool:
        """A board admin of ``board``, or a user of ``board`` listed in the appointed setting.

        An address listed by another board gives nothing: a user counts only for their own board.
        Cached for the request, as a page asks once per section.
        """
        if user is None or board is None or user.board_id != board.id:
            return False
        if user.role == "board-admin":
            return True
        if not self.appointed_setting:
            return False
        cache = g.setdefault(f"board_plugin_appointed_{self.name}", {})
        if board.id not in cache:
            cache[board.id] = appointed(board_setting(self.name, board, self.appointed_setting))
        return user.email.lower() in cache[board.id]

    # ---- what a caller may see -------------------------------------------------------------------

    def scope(self, user=None, session=None) -> BoardScope:
        """The boards whose records ``user`` (default: the signed-in user) may see.

        A board's user: their own board, if it has the plugin on. National staff, and the command line
        (no user, no request): every board with the plugin on. A signed-out request: none.
        """
        if user is None and has_app_context():
            user = g.get("user")
        if user is None and has_request_context():
            return BoardScope((), None)
        enabled = self.board_ids(session)
        if user is not None and user.board_id is not None:
            return BoardScope((user.board_id,) if user.board_id in enabled else (), user)
        return BoardScope(tuple(enabled), user)

    def dataset(self, *, name: str, title: str, filter_specs: Sequence[DatasetFilter],
                columns: Callable[[Mapping[str, Any]], list[str]],
                rows: Callable[[Mapping[str, Any], BoardScope], Iterator[Mapping[str, Any]]],
                summary: Callable[[Mapping[str, Any], BoardScope], dict] | None = None,
                roles: frozenset[str] = frozenset({"cfsd", "admin"}),
                personal_columns: Sequence[str] = ()) -> Dataset:
        """A :class:`Dataset` whose ``rows(filters, scope)`` and ``summary(filters, scope)`` get the caller's scope.

        The scope is worked out when the export runs, for whoever runs it, so the plugin's own
        functions never read ``flask.g``.
        """
        def scoped_rows(filters):
            yield from rows(filters, self.scope())

        def scoped_summary(filters):
            return summary(filters, self.scope())

        return Dataset(name=name, title=title, filter_specs=filter_specs, columns=columns, rows=scoped_rows,
                       summary=scoped_summary if summary else None, roles=roles,
                       personal_columns=personal_columns)

    # ---- search ----------------------------------------------------------------------------------

    def searchable(self, records: Callable[[Any, Sequence[int]], Iterable[Any]],
                   document: Callable[[Any], SearchDocument]) -> None:
        """Say how to find the records of some boards (``records(session, board_ids)``) and index one.

        Then :meth:`search_documents` serves the ``search_documents`` hook and :meth:`board_switched`
        the ``switched_for_board`` hook.
        """
        self._records, self._document = records, document

    def search_documents(self) -> Iterator[SearchDocument]:
        """Every record of every board with the plugin on, as search documents (for a full rebuild)."""
        records, document = self._searchable()
        with database().session() as session:
            for record in records(session, self.board_ids(session)):
                yield document(record)

    def board_switched(self, app, board_slug: str, enabled: bool) -> None:
        """Put a board's records back into search when it switches the plugin on; withdraw them when off.

        Recorded as a ``search_documents_changed`` event through the outbox, like any other change, so the
        index hears it in the worker, in order, and a crash before delivery loses nothing.
        """
        records, document = self._searchable()
        with app.app_context(), database().transaction() as session:
            board = get_board(session, board_slug)
            if board is None:
                return
            found = [document(record) for record in records(session, [board.id])]
            if found:
                outbox.record(session, "search_documents_changed", about=f"{self.name}:board:{board_slug}",
                              documents=found if enabled else [], removed=[] if enabled else [d.id for d in found])

    def _searchable(self):
        if self._records is None or self._document is None:
            raise RuntimeError(f"board plugin {self.name!r}: call searchable(records, document) first")
        return self._records, self._document
