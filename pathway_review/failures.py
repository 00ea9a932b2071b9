"""Plugin failures, kept in the database so Admin → Plugins in every worker shows them.

One row per (plugin, hook): what went wrong, how often, first and last seen. An exception is described by
its type and the line that raised it, never by its message, which may quote what a person typed.

During a request failures are collected on ``g`` and written after the request's session is closed: on
SQLite a POST's session holds the write lock, and a second connection would wait on it. Outside a
request they are written at once. A plugin that fails to import does so before any database exists, so
the host keeps such failures and they are written when the database is next reachable (``init``, the
end of a request, the plugin list). Recording a failure never raises into the page.
"""
from __future__ import annotations

import logging
import os
import traceback
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import select

from .models import PluginFailure, as_utc, utcnow

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 500
PENDING = "pr_plugin_failures"


@dataclass(frozen=True)
class Failure:
    plugin: str
    hook: str
    message: str
    count: int
    first_seen: datetime
    last_seen: datetime

    def again(self, later: "Failure") -> "Failure":
        return replace(self, message=later.message, count=self.count + later.count, last_seen=later.last_seen)


def describe(problem: BaseException | str) -> str:
    if isinstance(problem, BaseException):
        frames = traceback.extract_tb(problem.__traceback__)
        where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
        return f"{type(problem).__name__}{where}"
    return str(problem)[:MESSAGE_LIMIT]


def record(host, plugin: str, hook: str, problem: BaseException | str) -> None:
    now = utcnow()
    failure = Failure(plugin, hook, describe(problem), 1, now, now)
    try:
        if not _is_our_app(host):
            _keep(host, [failure])
        elif has_request_context():
            pending = g.setdefault(PENDING, {})
            key = (plugin, hook)
            pending[key] = pending[key].again(failure) if key in pending else failure
        elif not _save(current_app.extensions["pathway_review.db"], [failure]):
            _keep(host, [failure])
    except Exception:  # a failure about a failure must not take the page down with it
        log.exception("could not record the failure of plugin %s in %s", plugin, hook)


def _is_our_app(host) -> bool:
    # create_app runs start-up hooks before anything binds the host to an app context (and tests
    # build apps inside other apps' contexts): only write to the database of the host's own app.
    return has_app_context() and current_app.extensions.get("pathway_review.plugins") is host


def _keep(host, failures) -> None:
    with host.failures_lock:
        for failure in failures:
            key = (failure.plugin, failure.hook)
            earlier = host.unsaved_failures.get(key)
            host.unsaved_failures[key] = earlier.again(failure) if earlier else failure


def write_kept(host, database) -> None:
    """Write the failures the host is holding (from start-up, or a write that did not go through)."""
    with host.failures_lock:
        kept, host.unsaved_failures = list(host.unsaved_failures.values()), {}
    if kept and not _save(database, kept):
        _keep(host, kept)


def init_app(app) -> None:
    app.teardown_request(_after_request)
    # Events delivered inside a request (an immediate queue) run in an app context of their own, with a
    # `g` of its own: write what they recorded when that context ends.
    app.teardown_appcontext(_after_request)


def _after_request(exc) -> None:
    try:
        host = current_app.extensions["pathway_review.plugins"]
        pending = g.pop(PENDING, None)
        if not pending and not host.unsaved_failures:
            return
        from .db import _close_session

        _close_session(exc)  # releases SQLite's write lock, which the write below would otherwise wait on
        database = current_app.extensions["pathway_review.db"]
        if pending and not _save(database, list(pending.values())):
            _keep(host, pending.values())
        write_kept(host, database)
    except Exception:
        log.exception("could not write plugin failures after the request")


def _save(database, failures) -> bool:
    """Add failures to their rows; False (and nothing raised) if the database cannot take them yet."""
    engine = database.engine
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as conn:
            if sqlite:
                # Another connection of this very thread may hold the write lock (a command's open
                # transaction): give up soon and keep the failure for later rather than hang.
                conn.exec_driver_sql("PRAGMA busy_timeout=2000")
            try:
                for failure in failures:
                    conn.execute(_upsert(engine.dialect.name, failure))
                conn.commit()
            finally:
                if sqlite:
                    conn.rollback()
                    conn.exec_driver_sql("PRAGMA busy_timeout=30000")
                    conn.commit()
        return True
    except Exception as exc:
        log.warning("plugin failures kept in memory for now: %s", type(exc).__name__)
        return False


def _upsert(dialect: str, failure: Failure):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = PluginFailure.__table__
    statement = insert(table).values(plugin=failure.plugin[:128], hook=failure.hook[:64],
                                     message=failure.message[:MESSAGE_LIMIT], count=failure.count,
                                     first_seen=failure.first_seen, last_seen=failure.last_seen)
    return statement.on_conflict_do_update(
        index_elements=[table.c.plugin, table.c.hook],
        set_={"message": statement.excluded.message, "count": table.c.count + statement.excluded.count,
              "last_seen": statement.excluded.last_seen})


def recorded(host, database, session) -> dict[str, list[Failure]]:
    """Every recorded failure by plugin, newest first, including any not yet written."""
    write_kept(host, database)
    found: dict[tuple[str, str], Failure] = {}
    for row in session.scalars(select(PluginFailure)):
        found[(row.plugin, row.hook)] = Failure(row.plugin, row.hook, row.message, row.count,
                                                as_utc(row.first_seen), as_utc(row.last_seen))
    with host.failures_lock:
        for key, failure in host.unsaved_failures.items():
            found[key] = found[key].again(failure) if key in found else failure
    by_plugin: dict[str, list[Failure]] = {}
    for failure in sorted(found.values(), key=lambda f: f.last_seen, reverse=True):
        by_plugin.setdefault(failure.plugin, []).append(failure)
    return by_plugin
