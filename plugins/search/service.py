"""The search index of one app: built when first needed, kept up to date, rebuilt when damaged.

Every process (web worker, command line) has one SearchService per app. They share the index
folder and agree through its writer lock; see :mod:`plugins.search.store`.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Iterator

from pathway_review.plugin_api import PluginHookFailed

from . import engine
from .query import QueryProblem
from .schema import document_fields
from .store import IndexBusy, IndexMissing, IndexStore
from .visibility import Scope

log = logging.getLogger(__name__)
KEY = "pathway_review.search"

# A rebuild in the background may queue behind another process's rebuild; it waits this long.
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


_creating = threading.Lock()


def service(app) -> "SearchService":
    """The app's search service, made on first use: making it opens no file and starts no thread."""
    found = app.extensions.get(KEY)
    if found is None:
        with _creating:
            found = app.extensions.get(KEY)
            if found is None:
                found = app.extensions[KEY] = SearchService(app)
    return found


class SearchService:
    def __init__(self, app):
        self.app = app
        folder = app.config.get("SEARCH_INDEX_DIR") or os.path.join(app.instance_path, "search-index")
        self.store = IndexStore(Path(folder))
        self.lock_timeout = app.config["SEARCH_LOCK_TIMEOUT"]
        self.rebuild_wait = app.config["SEARCH_REBUILD_WAIT"]
        self.compact_interval = app.config["SEARCH_COMPACT_INTERVAL"]
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._failed: str | None = None                # the generation that last failed to answer
        self._replacement: tuple[str, float] | None = None  # (generation, when) built to replace it
        # Applying a change to the index costs far more than the change it records, so a request only
        # queues it (durably) and a thread of this process applies the queue after the response.
        self.apply_in_background = app.config["SEARCH_APPLY_IN_BACKGROUND"]
        self._applier: threading.Thread | None = None
        self._applier_lock = threading.Lock()
        self._apply_wanted = False

    # ---- what goes in ----------------------------------------------------------------------------

    def is_public(self, doc) -> bool:
        """Records every signed-in user can find; only these feed "did you mean" suggestions."""
        info = self.app.extensions["pathway_review.plugins"].info.get(doc.plugin)
        return not doc.roles and doc.board is None and info is not None and not info.optional

    def documents(self, strict: bool = False) -> Iterator[dict]:
        """Every contributor's records, streamed. A contributor that fails is left out (or, if
        ``strict``, stops the rebuild so the index in use is kept)."""
        plugins = self.app.extensions["pathway_review.plugins"]
        try:
            for name, found in plugins.call_per_plugin("search_documents", stop_on_failure=strict):
                try:
                    for doc in found:
                        yield document_fields(doc, self.is_public(doc))
                except Exception as exc:
                    log.exception("plugin %s failed while listing its search documents", name)
                    plugins.record_failure(name, "search_documents", exc)
                    if strict:
                        raise ContributorFailed(f"plugin {name} failed: {type(exc).__name__}") from exc
        except PluginHookFailed as exc:  # raised as it was called, before yielding anything
            raise ContributorFailed(str(exc)) from exc

    def changed(self, documents, removed) -> None:
        """Queue a change, then apply the queue if the writer lock comes within the timeout."""
        upserts = [document_fields(doc, self.is_public(doc)) for doc in documents]
        if not upserts and not removed:
            return
        try:
            self.store.enqueue(upserts, removed)
        except OSError:
            # The change is saved in its source; only the index misses it until the next rebuild.
            log.exception("a search change could not be queued in %s", self.store.pending_dir)
            return
        if self.apply_in_background:
            self._apply_soon()
        else:
            self._apply_pending(self.lock_timeout)
            self._compact_if_due()

    def _compact_if_due(self) -> None:
        if self.store.needs_compacting(self.compact_interval):
            self._in_background(self._compact_in_background, "search-index-compact")

    def _apply_soon(self) -> None:
        with self._applier_lock:
            self._apply_wanted = True
            if self._applier is None or not self._applier.is_alive():
                self._applier = threading.Thread(target=self._drain, name="search-index-apply", daemon=True)
                self._applier.start()

    def _drain(self) -> None:
        while True:
            with self._applier_lock:
                if not self._apply_wanted:
                    self._applier = None
                    break
                self._apply_wanted = False
            self._apply_pending(self.lock_timeout)
        self._compact_if_due()  # after the queue is in, so merging never races a change

    def settle(self, timeout: float) -> None:
        """Wait (briefly) for this process's queued changes, so a person finds what they just saved."""
        applier = self._applier
        if applier is not None and applier is not threading.current_thread():
            applier.join(timeout)

    def _apply_pending(self, timeout: float) -> None:
        try:
            self.store.apply_pending(timeout)
        except (IndexBusy, IndexMissing):
            pass  # still queued: the writer holding the lock, the next search, or the build applies it
        except Exception:
            log.exception("queued search changes could not be applied; they stay queued")

    # ---- building --------------------------------------------------------------------------------

    def rebuild(self, timeout: float, strict: bool = False, unless=None) -> int | None:
        """Build a new generation from every contributor; returns the number of records indexed."""
        return self.store.rebuild(self.documents(strict), timeout, unless)

    def start_rebuild(self, failed: str | None = None) -> threading.Thread:
        """Build in the background, once per process at a time. ``failed`` is the generation that
        could not be read (None: there is none); if another process has replaced it by the time the
        lock is ours, nothing is rebuilt."""
        return self._in_background(self._build_in_background, "search-index-build", failed)

    def _in_background(self, work, name: str, *args) -> threading.Thread:
        # One background job per process at a time; a second request joins the one running.
        with self._thread_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=work, args=args, name=name, daemon=True)
                self._thread.start()
            return self._thread

    def _compact_in_background(self) -> None:
        try:
            self.store.compact(BACKGROUND_LOCK_TIMEOUT)
        except Exception:
            log.exception("the search index could not be compacted; it still answers, a little slower")

    def _build_in_background(self, failed: str | None) -> None:
        started = time.monotonic()
        with self.app.app_context():
            try:
                count = self.rebuild(BACKGROUND_LOCK_TIMEOUT, unless=lambda current: current not in (None, failed))
            except Exception:
                log.exception("the search index could not be built")
                return
        if failed is not None:
            self._replacement = (self.store.current(), time.monotonic())
        if count is not None:
            log.info("search index built: %d records in %.1fs", count, time.monotonic() - started)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for a background build of this process; True if none is running any more."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def ready(self, wait: float) -> bool:
        """Is there an index to search? If not, start building one and wait up to ``wait`` seconds."""
        current = self.store.current()
        if current is not None and current != self._failed:
            return True
        self.start_rebuild(failed=current)
        self.wait(wait)
        current = self.store.current()
        return current is not None and current != self._failed

    # ---- searching -------------------------------------------------------------------------------

    def search(self, text: str, scope: Scope, page: int = 1) -> engine.Results:
        """Raises QueryProblem for input that cannot be searched, Rebuilding while there is no
        index to search, Unavailable if a freshly rebuilt index still cannot answer."""
        for _ in range(2):
            if not self.ready(self.rebuild_wait):
                raise Rebuilding()
            self.settle(self.lock_timeout)
            self._apply_pending(0)
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
                replacement = self._replacement
                if replacement and replacement[0] == version and time.monotonic() - replacement[1] < REBUILD_COOLDOWN:
                    raise Unavailable() from None
            self.store.forget()
            self._failed = version
        raise Rebuilding()
