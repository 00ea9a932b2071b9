"""The index on disk: generations, one writer at a time, and a queue of changes not yet applied.

Layout of the index folder::

    CURRENT          the generation readers use ("gen-<ns>-<pid> <schema version>"), replaced atomically
    gen-.../         one complete whoosh index per generation
    pending/         changes waiting for the writer lock, one JSON file each, applied in name order
    writer.lock      held (flock) by whoever writes: an update, a compaction or a rebuild
    compacted        touched when deleted records were last merged away

A rebuild writes a new generation beside the current one and switches CURRENT only when it is
complete, so readers never see a half-built index; whoosh's own commits are atomic too. Every change
is written to ``pending/`` before the lock is tried, and removed only after the index holding it is
committed, so a writer that times out, or a process killed mid-update, loses nothing: the next
writer (or search) applies it. Applying a change twice is harmless, as it replaces by id.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index
from whoosh.filedb.filestore import FileStorage
from whoosh.util.filelock import FileLock, try_for

from .analysis import synonyms_fingerprint
from .ranking import BM25F
from .schema import make_schema

log = logging.getLogger(__name__)

# Bump when the schema or the analyser changes: an index written by older code is rebuilt, as is
# one built with a different list of synonyms.
SCHEMA_VERSION = "2." + synonyms_fingerprint()
_sequence = count()


def _storage(folder: Path) -> FileStorage:
    # Without memory mapping: whoosh copies a mapped segment into memory every time a reader
    # opens it (about 90 ms for a 150 MB index), while plain reads go through the page cache.
    return FileStorage(str(folder), supports_mmap=False)


class IndexBusy(Exception):
    """Another writer held the lock for longer than this one would wait."""


class IndexMissing(Exception):
    """There is no usable index yet (never built, deleted, or written by older code)."""


class IndexStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.pending_dir = self.root / "pending"
        self.schema = make_schema()
        self._opened: tuple[str, index.Index] | None = None
        self._open_lock = threading.Lock()

    # ---- reading ---------------------------------------------------------------------------------

    def current(self) -> str | None:
        """The current generation's folder name, or None if the index was never built (or is stale)."""
        try:
            name, _, version = (self.root / "CURRENT").read_text(encoding="utf-8").strip().partition(" ")
        except (OSError, UnicodeDecodeError):
            return None
        if version != SCHEMA_VERSION or not name.startswith("gen-") or "/" in name:
            return None
        return name

    def open(self) -> tuple[str, index.Index]:
        """The current generation and its index; raises IndexMissing, or whoosh's error if it is damaged."""
        generation = self.current()
        if generation is None or not (self.root / generation).is_dir():
            raise IndexMissing(generation or "never built")
        with self._open_lock:
            if self._opened is None or self._opened[0] != generation:
                self._opened = (generation, _storage(self.root / generation).open_index())
            return self._opened

    def searcher(self):
        """(generation, searcher) for the current generation; close the searcher when done."""
        generation, ix = self.open()
        return generation, ix.searcher(weighting=BM25F())

    def forget(self) -> None:
        """Drop the cached index object, so the next open reads the files afresh."""
        with self._open_lock:
            self._opened = None

    # ---- the queue -------------------------------------------------------------------------------

    def enqueue(self, upserts: list[dict], removed: Iterable[str]) -> Path:
        """Write one change durably; it is applied by whichever writer next holds the lock."""
        self.pending_dir.mkdir(parents=True, exist_ok=True)
        unique = f"{os.getpid():07d}-{next(_sequence):06d}"
        temporary = self.pending_dir / f".{unique}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump({"upsert": upserts, "remove": list(removed)}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        # Named by the time it becomes visible, so changes are applied in the order they were made.
        final = self.pending_dir / f"{time.time_ns():020d}-{unique}.json"
        os.replace(temporary, final)
        return final

    def pending(self) -> list[Path]:
        try:
            names = sorted(e.name for e in os.scandir(self.pending_dir)
                           if e.name.endswith(".json") and not e.name.startswith("."))
        except FileNotFoundError:
            return []
        return [self.pending_dir / n for n in names]

    def _apply_pending(self, ix, timeout: float) -> int:
        applied = 0
        while True:
            files = self.pending()
            if not files:
                return applied
            # The last word on each record, in the order the changes were made: whoosh cannot delete
            # a record added earlier in the same commit, so each id must be touched once.
            latest: dict[str, dict | None] = {}
            for path in files:
                try:
                    change = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    log.error("search change %s could not be read; a reindex will restore it", path.name)
                    continue
                for doc_id in change.get("remove", ()):
                    latest[doc_id] = None
                for fields in change.get("upsert", ()):
                    latest[fields["id"]] = fields
                applied += 1
            writer = ix.writer(timeout=timeout)
            try:
                for doc_id, fields in latest.items():
                    if fields is None:
                        writer.delete_by_term("id", doc_id)
                    else:
                        writer.update_document(**fields)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            for path in files:
                path.unlink(missing_ok=True)

    # ---- writing ---------------------------------------------------------------------------------

    @contextmanager
    def writing(self, timeout: float):
        """Hold the index-wide writer lock, waiting up to ``timeout`` seconds; else IndexBusy."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root / "writer.lock"))
        if not try_for(lock.acquire, timeout=timeout, delay=0.02):
            raise IndexBusy(f"the search index was busy for {timeout:g}s")
        try:
            yield
        finally:
            lock.release()

    def apply_pending(self, timeout: float) -> int:
        """Apply queued changes to the current generation; raises IndexBusy or IndexMissing."""
        if not self.pending():
            return 0
        if self.current() is None:
            raise IndexMissing("never built")  # the build will take the queue with it
        with self.writing(timeout):
            generation, ix = self.open()
            return self._apply_pending(ix, timeout)

    def rebuild(self, documents: Iterable[dict], timeout: float,
                unless: Callable[[str | None], bool] | None = None) -> int | None:
        """Write every document into a new generation and switch readers to it.

        ``documents`` is consumed once, as it comes: nothing is held but whoosh's bounded buffer.
        ``unless(current_generation)`` is asked once the lock is held; if it answers True (another
        process has just rebuilt), nothing is done and None is returned.
        """
        with self.writing(timeout):
            if unless is not None and unless(self.current()):
                return None
            previous = self.current()
            generation = f"gen-{time.time_ns()}-{os.getpid()}"
            folder = self.root / generation
            folder.mkdir()
            ix = _storage(folder).create_index(self.schema)
            writer = ix.writer(timeout=timeout, limitmb=128)
            seen: set[str] = set()
            try:
                for fields in documents:
                    if fields["id"] in seen:
                        log.warning("search document %s was contributed twice; the first is kept", fields["id"])
                        continue
                    seen.add(fields["id"])
                    writer.add_document(**fields)
            except BaseException:
                writer.cancel()
                shutil.rmtree(folder, ignore_errors=True)
                raise
            writer.commit()
            self._apply_pending(ix, timeout)
            self._switch(generation)
            self._remove_generations(keep={generation, previous})
            self._remove_abandoned_changes()
            return len(seen)

    def needs_compacting(self, interval: float) -> bool:
        """Records replaced or removed are only marked deleted, and whoosh then checks every match
        against the marks, which slows every search; merging drops them. At most once per interval."""
        try:
            ix = self.open()[1]
            if ix.doc_count_all() == ix.doc_count():
                return False
            last = max((self.root / name).stat().st_mtime for name in ("CURRENT", "compacted")
                       if (self.root / name).exists())
        except Exception:
            return False  # a damaged or missing index is the search's business, not this one's
        return time.time() - last >= interval

    def compact(self, timeout: float) -> bool:
        """Merge the current generation into one segment without its deleted records."""
        with self.writing(timeout):
            generation, ix = self.open()
            if ix.doc_count_all() == ix.doc_count():
                return False
            ix.writer(timeout=timeout).commit(optimize=True)
            (self.root / "compacted").touch()
            self._apply_pending(ix, timeout)
            return True

    def _switch(self, generation: str) -> None:
        temporary = self.root / f".CURRENT.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(f"{generation} {SCHEMA_VERSION}\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.root / "CURRENT")
        self.forget()

    def _remove_generations(self, keep: set) -> None:
        # The one just replaced is kept: a reader in another process may be opening it right now.
        for entry in os.scandir(self.root):
            if entry.is_dir() and entry.name.startswith("gen-") and entry.name not in keep:
                shutil.rmtree(entry.path, ignore_errors=True)

    def _remove_abandoned_changes(self) -> None:
        # A process killed while queueing a change leaves its temporary file behind; the change is
        # in its source, which this rebuild has just read afresh.
        cutoff = time.time() - 3600
        for path in self.pending_dir.glob(".*.tmp"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass

    def doc_count(self) -> int:
        return self.open()[1].doc_count()
