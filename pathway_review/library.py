"""Every pathway document under one folder, parsed once and re-parsed when its file changes."""
from __future__ import annotations

import logging
import math
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

from .document import VERSION_RE, DocumentError, PathwayVersion, Problem, parse_document

log = logging.getLogger("pathway_review.library")


@dataclass
class Pathway:
    slug: str
    versions: list[PathwayVersion]  # sorted by version_key ascending

    def __post_init__(self):
        self.versions = sorted(self.versions, key=lambda v: v.version_key)
        self._by_version = {v.version: v for v in self.versions}

    def version(self, v) -> PathwayVersion | None:
        return self._by_version.get(v) if isinstance(v, str) else None

    @property
    def latest(self) -> PathwayVersion:
        return self.versions[-1]

    @property
    def current(self) -> PathwayVersion:
        """What a GP should read: the draft out for consultation, else the published version."""
        for status in ("consultation", "published"):
            found = [v for v in self.versions if v.status == status]
            if found:
                return found[-1]
        return self.latest

    @property
    def title(self) -> str:
        return self.current.title

    def previous(self, pv: PathwayVersion) -> PathwayVersion | None:
        earlier = [v for v in self.versions if v.version_key < pv.version_key]
        return earlier[-1] if earlier else None


@dataclass(frozen=True)
class _State:
    """One consistent snapshot; replaced whole so readers never see a half-done reload."""
    signatures: dict = field(default_factory=dict)     # "slug/1.0.md" -> stat signature
    parsed: dict = field(default_factory=dict)         # "slug/1.0.md" -> PathwayVersion
    file_problems: dict = field(default_factory=dict)  # "slug/1.0.md" -> [Problem]
    pathways: Mapping[str, Pathway] = field(default_factory=lambda: MappingProxyType({}))
    problems: tuple[Problem, ...] = ()


def _inside(entry: os.DirEntry, real_root: Path, problems: list[Problem]) -> bool:
    if entry.is_symlink() and not Path(entry.path).resolve().is_relative_to(real_root):
        problems.append(Problem(entry.path, 0, "symlink points outside the pathway folder; ignored"))
        return False
    return True


def _scan(root: Path) -> tuple[dict[str, tuple], list[Problem]]:
    """Stat signature of every <slug>/<version>.md under root, and files in the wrong place."""
    signatures: dict[str, tuple] = {}
    problems: list[Problem] = []
    try:
        real_root = root.resolve(strict=True)
        top = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        return {}, [Problem(str(root), 0, f"cannot read the pathway folder: {exc}")]
    for folder in top:
        if folder.name.startswith("."):  # .git, editor files
            continue
        if folder.is_file():
            if folder.name.endswith(".md") and folder.name.lower() != "readme.md":
                problems.append(Problem(folder.path, 0, "not in a pathway folder: expected "
                                                        "<slug>/<version>.md; ignored"))
            continue
        if not folder.is_dir() or not _inside(folder, real_root, problems):
            continue
        for entry in sorted(os.scandir(folder.path), key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            if entry.is_dir() and any(n.endswith(".md") for *_, names in
                                      os.walk(entry.path) for n in names):
                problems.append(Problem(entry.path, 0, "folder inside a pathway folder: "
                                                       "documents go in <slug>/<version>.md; ignored"))
            if not entry.is_file() or not entry.name.endswith(".md"):
                continue
            if not VERSION_RE.match(entry.name[:-3]):
                problems.append(Problem(entry.path, 0, "file name must be <version>.md, "
                                                       "e.g. 3.0.md; ignored"))
            elif _inside(entry, real_root, problems):
                st = entry.stat()
                # ctime and inode too: an editor's save-by-rename can keep mtime and size.
                signatures[f"{folder.name}/{entry.name}"] = (
                    st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
    return signatures, problems


def _assemble(parsed: dict[str, PathwayVersion]):
    """Group versions into pathways; duplicate versions are reported and dropped."""
    by_slug: dict[str, list[tuple[str, PathwayVersion]]] = {}
    for rel, pv in sorted(parsed.items()):
        by_slug.setdefault(pv.slug, []).append((rel, pv))
    pathways, problems = {}, []
    for slug, entries in by_slug.items():
        kept: dict[tuple, PathwayVersion] = {}
        for _rel, pv in sorted(entries, key=lambda e: (e[1].version_key, len(e[0]), e[0])):
            if pv.version_key in kept:
                problems.append(Problem(pv.path, 1, f"version {pv.version} duplicates version "
                                        f"{kept[pv.version_key].version}; ignored"))
            else:
                kept[pv.version_key] = pv
        published = [pv for pv in kept.values() if pv.status == "published"]
        for pv in published[:-1]:
            problems.append(Problem(pv.path, 1, f"{slug} has more than one published version "
                                    f"({', '.join(p.version for p in published)}); mark the "
                                    "older ones superseded"))
        pathways[slug] = Pathway(slug, list(kept.values()))
    ordered = sorted(pathways.items(), key=lambda kv: (kv[1].title.casefold(), kv[0]))
    return MappingProxyType(dict(ordered)), problems


class PathwayLibrary:
    def __init__(self, root: Path, on_change: Callable[[set[str]], None] | None = None,
                 check_interval: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.root = Path(root)
        self.on_change = on_change
        self.check_interval = check_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._state = _State()
        self._loaded = False
        self._last_check = -math.inf

    @property
    def pathways(self) -> Mapping[str, Pathway]:
        return self._state.pathways

    @property
    def problems(self) -> list[Problem]:
        return list(self._state.problems)

    def load(self) -> None:
        """Parse every document again. Calls on_change only on a reload, not the first load."""
        with self._lock:
            first = not self._loaded
            changed = self._update(reparse_all=True)
            self._loaded = True
            self._last_check = self._clock()
        if changed and not first:
            self._notify(changed)

    def refresh(self) -> set[str]:
        """Re-parse what changed on disk, at most once per check_interval; return changed slugs."""
        now = self._clock()
        if now - self._last_check < self.check_interval:
            return set()
        # Another thread is already refreshing: let this request go on with the current state.
        if not self._lock.acquire(blocking=False):
            return set()
        try:
            self._last_check = now
            changed = self._update(reparse_all=False)
            self._loaded = True
        finally:
            self._lock.release()
        if changed:
            self._notify(changed)
        return changed

    def _notify(self, slugs: set[str]) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change(set(slugs))
        except Exception:
            log.exception("on_change callback failed for %s", sorted(slugs))

    def _update(self, reparse_all: bool, quiet: bool = False) -> set[str]:
        old = self._state
        signatures, problems = _scan(self.root)
        parsed, file_problems, changed = {}, {}, set()
        for rel, signature in signatures.items():
            if signature != old.signatures.get(rel):
                changed.add(rel.split("/")[0])
            elif not reparse_all:
                if rel in old.parsed:
                    parsed[rel] = old.parsed[rel]
                if rel in old.file_problems:
                    file_problems[rel] = old.file_problems[rel]
                continue
            try:
                parsed[rel] = parse_document(self.root / rel)
            except DocumentError as exc:
                file_problems[rel] = exc.problems
            except Exception as exc:  # a bug in one document's parsing must not hide the rest
                log.exception("could not parse %s", rel)
                file_problems[rel] = [Problem(str(self.root / rel), 1, f"could not parse: {exc!r}")]
        changed |= {rel.split("/")[0] for rel in old.signatures.keys() - signatures.keys()}
        pathways, library_problems = _assemble(parsed)
        for found in file_problems.values():
            problems.extend(found)
        problems.extend(library_problems)
        problems.sort(key=lambda p: (p.path, p.line))
        self._state = _State(signatures, parsed, file_problems, pathways, tuple(problems))
        if not quiet:
            seen = set() if reparse_all else set(old.problems)
            for problem in problems:
                if problem not in seen:
                    log.warning("%s", problem)
        return changed

    def get(self, slug) -> Pathway | None:
        return self._state.pathways.get(slug) if isinstance(slug, str) else None

    def get_version(self, slug, version) -> PathwayVersion | None:
        pathway = self.get(slug)
        return pathway.version(version) if pathway else None

    def specialties(self) -> list[str]:
        return sorted({p.current.specialty for p in self._state.pathways.values()}, key=str.casefold)

    @staticmethod
    def check(root: Path) -> list[Problem]:
        return check_library(root)


def check_library(root: Path) -> list[Problem]:
    """Every problem in every document under root, plus problems with the folder as a whole."""
    library = PathwayLibrary(root)
    library._update(reparse_all=True, quiet=True)
    return library.problems
