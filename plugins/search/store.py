"""The index on disk: generations, and one writer at a time.

Layout of the index folder::

    CURRENT          the generation readers use ("gen-<ns>-<pid> <schema version>"), replaced atomically
    gen-.../         one complete whoosh index per generation
    writer.lock      held (flock) by whoever writes: a batch of changes, a compaction or a rebuild
    compacted        touched when deleted records were last merged away
    rebuild-wanted   a search found no usable index: the generation that failed ("" for none)
    replaced         "<failed generation> <its replacement> <unix time>", after such a rebuild

A rebuild writes a new generation beside the current one and switches CURRENT only when it is
complete, so readers never see a half-built index; whoosh's own commits are atomic too. Changes come
from the outbox, in batches, in the job-queue worker: a batch that cannot get the lock is delivered
again later, so nothing here needs to be durable beyond the index itself.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable

from whoosh import index
from whoosh.filedb.filestore import FileStorage
from whoosh.util.filelock import FileLock, try_for

from .analysis import synonyms_fingerprint
from .schema import make_schema
from .scoring import SegmentBM25F

log = logging.getLogger(__name__)

# Bump when the schema or the analyser changes: an index written by older code is rebuilt, as is
# one built with a different list of synonyms.
SCHEMA_VERSION = "3." + synonyms_fingerprint()


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
        return generation, ix.searcher(weighting=SegmentBM25F())

    def forget(self) -> None:
        """Drop the cached index object, so the next open reads the files afresh."""
        with self._open_lock:
            self._opened = None

    # ---- changes -------------------------------------------------------------------------------

    def apply(self, latest: dict[str, dict | None], timeout: float) -> int:
        """Apply the last word on each record (fields, or None to remove it) in one commit.

        Raises IndexBusy if the lock does not come within ``timeout``. With no index yet nothing is
        written: whoever builds it reads every record afresh, and cannot have started without the lock.
        """
        if not latest:
            return 0
        with self.writing(timeout):
            if self.current() is None:
                return 0
            generation, ix = self.open()
            writer = ix.writer(timeout=timeout)
            try:
                # One searcher finds every old copy; update_document would open one per record.
                with writer.searcher() as searcher:
                    for doc_id in latest:
                        for docnum in searcher.document_numbers(id=doc_id):
                            writer.delete_document(docnum)
                for fields in latest.values():
                    if fields is not None:
                        writer.add_document(**fields)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            return len(latest)

    # ---- rebuilds asked for by searches ----------------------------------------------------------

    def want_rebuild(self, failed: str | None) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / f".rebuild-wanted.{os.getpid()}.tmp"
        temporary.write_text(failed or "", encoding="utf-8")
        os.replace(temporary, self.root / "rebuild-wanted")

    def rebuild_wanted(self) -> str | None:
        """The generation a search could not use ("" if there was none), or None if no rebuild is wanted."""
        try:
            return (self.root / "rebuild-wanted").read_text(encoding="utf-8").strip()
        except OSError:
            return None

    def rebuild_done(self, failed: str | None, generation: str | None) -> None:
        (self.root / "rebuild-wanted").unlink(missing_ok=True)
        if failed and generation:
            (self.root / "replaced").write_text(f"{failed} {generation} {time.time():.0f}", encoding="utf-8")

    def replaced_within(self, generation: str, seconds: float) -> bool:
        """Was ``generation`` itself built, within ``seconds``, to replace one that failed?"""
        try:
            _failed, replacement, when = (self.root / "replaced").read_text(encoding="utf-8").split()
        except (OSError, ValueError):
            return False
        return replacement == generation and time.time() - float(when) < seconds

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
            self._switch(generation)
            self._remove_generations(keep={generation, previous})
            return len(seen)

    def needs_compacting(self, interval: float) -> bool:
        """Records replaced or removed are only marked deleted, and whoosh then checks every match
        against the marks, which slows every search; merging drops them. At most once per interval."""
        try:
            # The clock first: counting the deleted records opens every segment, and this is asked per batch.
            last = max((self.root / name).stat().st_mtime for name in ("CURRENT", "compacted")
                       if (self.root / name).exists())
            if time.time() - last < interval:
                return False
            ix = self.open()[1]
            return ix.doc_count_all() != ix.doc_count()
        except Exception:
            return False  # a damaged or missing index is the search's business, not this one's

    def compact(self, timeout: float) -> bool:
        """Merge the current generation into one segment without its deleted records."""
        with self.writing(timeout):
            generation, ix = self.open()
            if ix.doc_count_all() == ix.doc_count():
                return False
            ix.writer(timeout=timeout).commit(optimize=True)
            (self.root / "compacted").touch()
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

    def doc_count(self) -> int:
        return self.open()[1].doc_count()
