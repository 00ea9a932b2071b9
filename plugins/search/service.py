"""The search index of one app: built when first needed, kept up to date, rebuilt when damaged.

Every process has one SearchService per app, and they share the index folder through its writer lock
(see :mod:`plugins.search.store`). Only the job-queue worker writes: it applies each batch of outbox
events in one commit, and builds or compacts the index in a periodic task. A web process that finds no
usable index asks the worker for one and waits a little; it never writes or starts a thread itself.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Iterator

from pathway_review.plugin_api import PluginHookFailed, app_extension, jobs

from . import engine
from .backend import backend_name
from .query import QueryProblem
from .schema import document_fields
from .store import IndexMissing, IndexStore
from .visibility import Scope

log = logging.getLogger(__name__)
KEY = "pathway_review.search"
PG_KEY = "pathway_review.search.postgres"
MAINTAIN = "search.maintain"

# A rebuild may queue behind another process's rebuild; it waits this long.
BACKGROUND_LOCK_TIMEOUT = 15 * 60
# A generation built to replace a damaged one is not itself blamed and replaced for this long:
# if it fails too, the fault is elsewhere and rebuilding again would not help.
REBUILD_COOLDOWN = 10 * 60


class Rebuilding(Exception):
    """The index is being built or rebuilt; search will be back when it is done."""


class Unavailable(Exception):
    """The index could not answer and was rebuilt recently; retrying now would not help."""


class ContributorFailed(Exception):
    pass




def service(app):
    """The app's search service for its backend, made on first use: making it opens no file and starts no
    thread. Raises BackendRefused when SEARCH_BACKEND cannot be used with this database."""
    if backend_name(app) == "postgres":
        from .pg import PostgresSearch

        return app_extension(app, PG_KEY, PostgresSearch)
    return app_extension(app, KEY, SearchService)


def is_public(app, doc) -> bool:
    """Records every signed-in user can find; only these feed spelling corrections."""
    info = app.extensions["pathway_review.plugins"].info.get(doc.plugin)
    return not doc.roles and doc.board is None and info is not None and not info.optional


def contributions(app, strict: bool = False) -> Iterator[tuple]:
    """(SearchDocument, is public) for every contributor's records, streamed. A contributor that fails
    is left out (or, if ``strict``, stops the rebuild so the index in use is kept)."""
    plugins = app.extensions["pathway_review.plugins"]
    try:
        for name, found in plugins.call_per_plugin("search_documents", stop_on_failure=strict):
            try:
                for doc in found:
                    yield doc, is_public(app, doc)
            except Exception as exc:
                log.exception("plugin %s failed while listing its search documents", name)
                plugins.record_failure(name, "search_documents", exc)
                if strict:
                    raise ContributorFailed(f"plugin {name} failed: {type(exc).__name__}") from exc
    except PluginHookFailed as exc:  # raised as it was called, before yielding anything
        raise ContributorFailed(str(exc)) from exc


class SearchService:
    def __init__(self, app):
        self.app = app
        folder = app.config.get("SEARCH_INDEX_DIR") or os.path.join(app.instance_path, "search-index")
        self.store = IndexStore(Path(folder))
        self.lock_timeout = app.config["SEARCH_LOCK_TIMEOUT"]
        self.rebuild_wait = app.config["SEARCH_REBUILD_WAIT"]
        self.compact_interval = app.config["SEARCH_COMPACT_INTERVAL"]
        self._failed: str | None = None  # the generation that last failed to answer in this process
        # Changes heard while the worker delivers a batch of events, per delivering thread.
        self._batch = threading.local()

    # ---- what goes in ----------------------------------------------------------------------------

    def is_public(self, doc) -> bool:
        return is_public(self.app, doc)

    def documents(self, strict: bool = False) -> Iterator[dict]:
        """Every contributor's records as index fields, streamed (see :func:`contributions`)."""
        for doc, public in contributions(self.app, strict):
            yield document_fields(doc, public)

    def changed(self, documents, removed) -> None:
        """Gather one event's changes; :meth:`apply_batch` writes the batch's last word on each record."""
        latest = getattr(self._batch, "latest", None)
        if latest is None:
            latest = self._batch.latest = {}
        for doc_id in removed:
            latest.pop(doc_id, None)  # whoosh cannot delete a record added earlier in the same commit
            latest[doc_id] = None
        for doc in documents:
            latest.pop(doc.id, None)
            latest[doc.id] = document_fields(doc, self.is_public(doc))

    def apply_batch(self) -> int:
        """One commit for the batch; IndexBusy (raised) has the worker deliver the batch again later."""
        latest, self._batch.latest = getattr(self._batch, "latest", None) or {}, None
        applied = self.store.apply(latest, self.lock_timeout)
        if applied and self.store.needs_compacting(self.compact_interval):
            self.compact()
        return applied

    def compact(self) -> None:
        try:
            self.store.compact(BACKGROUND_LOCK_TIMEOUT)
        except Exception:
            log.exception("the search index could not be compacted; it still answers, a little slower")

    # ---- building --------------------------------------------------------------------------------

    def rebuild(self, timeout: float, strict: bool = False, unless=None) -> int | None:
        """Build a new generation from every contributor; returns the number of records indexed."""
        return self.store.rebuild(self.documents(strict), timeout, unless)

    def maintain(self) -> None:
        """The worker's periodic task: build the index if there is none or a search asked for a new
        one, else merge away replaced records when due."""
        wanted = self.store.rebuild_wanted()
        if self.store.current() is not None and wanted is None:
            if self.store.needs_compacting(self.compact_interval):
                self.compact()
            return
        failed = wanted or None
        started = time.monotonic()
        count = self.rebuild(BACKGROUND_LOCK_TIMEOUT, unless=lambda current: current not in (None, failed))
        self.store.rebuild_done(failed, self.store.current() if count is not None else None)
        if count is not None:
            log.info("search index built: %d records in %.1fs", count, time.monotonic() - started)

    def request_rebuild(self, failed: str | None = None) -> None:
        """Ask the worker for a new index; ``failed`` is the generation that could not be read."""
        try:
            self.store.want_rebuild(failed)
            jobs.run_soon(self.app, MAINTAIN)
        except Exception:
            # The worker's periodic run of the same task still sees the request on disk.
            log.exception("a search index rebuild could not be queued")

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a rebuild someone asked for; True once none is wanted any more."""
        deadline = time.monotonic() + (timeout if timeout is not None else 3600)
        while self.store.rebuild_wanted() is not None:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def ready(self, wait: float) -> bool:
        """Is there an index to search? If not, ask for one and wait up to ``wait`` seconds."""
        current = self.store.current()
        if current is not None and current != self._failed:
            return True
        if self.store.rebuild_wanted() is None:
            self.request_rebuild(failed=current)
        deadline = time.monotonic() + wait
        while True:
            current = self.store.current()
            if current is not None and current != self._failed:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    # ---- searching -------------------------------------------------------------------------------

    def search(self, text: str, scope: Scope, page: int = 1) -> engine.Results:
        """Raises QueryProblem for input that cannot be searched, Rebuilding while there is no
        index to search, Unavailable if a freshly rebuilt index still cannot answer."""
        for _ in range(2):
            if not self.ready(self.rebuild_wait):
                raise Rebuilding()
            version = self.store.current()
            try:
                version, searcher = self.store.searcher()
                with searcher:
                    return engine.search(searcher, text, scope, page)
            except QueryProblem:
                raise
            except IndexMissing:
                log.warning("the search index %s has gone; rebuilding it", version)
            except Exception:
                # A damaged file shows itself as almost any error from deep inside whoosh.
                log.exception("the search index %s could not answer", version)
                if self.store.replaced_within(version, REBUILD_COOLDOWN):
                    raise Unavailable() from None
            self.store.forget()
            self._failed = version
        raise Rebuilding()
