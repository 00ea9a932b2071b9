"""Which records a searcher may see, worked out once per index segment and kind of searcher.

A kind of searcher is a Scope: role, board, enabled plugins and filters. Each segment's answer is
kept (segments never change once written, and whoosh leaves deleted records out by itself), so
after an update only the new, small segment is looked at. A search then either walks just the
allowed records, when they are few (a GP among many pieces of feedback), or skips the refused
ones, when those are few (CfSD staff, who see nearly everything).
"""
from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher, RequireMatcher

from .schema import ALL_BOARDS, EVERYONE

CACHED = 256


@dataclass(frozen=True)
class Scope:
    """Who is searching and which slice they asked for."""
    role: str
    board: str | None            # None: national staff, who see every board's records
    plugins: frozenset[str]      # plugins enabled for the user's board
    all_versions: bool = False
    specialty: str | None = None  # a specialty key (casefolded)
    status: str | None = None

    def restriction(self) -> wq.Query:
        terms = [wq.Or([wq.Term("roles", EVERYONE), wq.Term("roles", self.role)]),
                 wq.Or([wq.Term("plugin", name) for name in sorted(self.plugins)] or [wq.NullQuery])]
        if self.board is not None:
            terms.append(wq.Or([wq.Term("board", ALL_BOARDS), wq.Term("board", self.board)]))
        if not self.all_versions:
            terms.append(wq.Term("current", "yes"))
        if self.specialty:
            terms.append(wq.Term("specialty_key", self.specialty))
        if self.status:
            terms.append(wq.Term("status", self.status))
        return wq.And(terms)


class _Restricted(RequireMatcher):
    # whoosh's own asserts when skipping ahead by score lands both sides on the same record.
    def skip_to_quality(self, minquality):
        skipped = self.a.skip_to_quality(minquality)
        if self.child.is_active() and self.a.id() != self.b.id():
            self.child._find_next()
        return skipped


class _Listed(ListMatcher):
    def skip_to(self, docnum):
        if self.is_active() and docnum > self.id():
            self._i = bisect_left(self._ids, docnum, self._i)


class Only(wq.Query):
    """Matches exactly the given records (numbers in the whole index), in a segment-aware way."""

    def __init__(self, docnums: list[int]):
        self.docnums = docnums

    def __eq__(self, other):
        return isinstance(other, Only) and self.docnums == other.docnums

    def __hash__(self):
        return hash((Only, len(self.docnums)))

    def estimate_size(self, ixreader):
        return len(self.docnums)

    def matcher(self, searcher, context=None):
        parent = searcher.get_parent()
        offset = next((o for s, o in parent.leaf_searchers() if s is searcher), 0)
        start = bisect_left(self.docnums, offset)
        end = bisect_left(self.docnums, offset + searcher.doc_count_all())
        local = [d - offset for d in self.docnums[start:end]]
        return _Listed(local) if local else NullMatcher()


class Within(wq.Require):
    """Matches of ``a`` that are also records of ``b``, scored by ``a`` alone."""

    def matcher(self, searcher, context=None):
        return _Restricted(self.a.matcher(searcher, context), self.b.matcher(searcher, searcher.boolean_context()))


@dataclass
class Visibility:
    allow: list[int] | None    # sorted; set when few records are allowed
    refuse: set[int] | None    # set when few are refused; None with allow, or when nothing is refused

    def query(self, q: wq.Query) -> wq.Query:
        return Within(q, Only(self.allow)) if self.allow is not None else q

    def count(self, docnums) -> int:
        if self.allow is not None:
            allowed = set(self.allow)
            return sum(1 for d in docnums if d in allowed)
        refused = self.refuse or ()
        return sum(1 for d in docnums if d not in refused)


class VisibilityCache:
    def __init__(self):
        self._segments: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, searcher, scope: Scope) -> Visibility:
        parts, allowed_total, everything = [], 0, 0
        for leaf, offset in searcher.leaf_searchers():
            allowed, size = self._segment(leaf, scope)
            parts.append((leaf, offset, allowed, size))
            allowed_total += len(allowed)
            everything += size
        if allowed_total * 2 <= everything:
            return Visibility([offset + d for _, offset, allowed, _ in parts for d in allowed], None)
        refused = set()
        for leaf, offset, allowed, size in parts:
            if len(allowed) < size:
                keep = set(allowed)
                # Deleted records are never matched anyway; leaving them out keeps the mask small.
                refused.update(offset + d for d in leaf.reader().all_doc_ids() if d not in keep)
        return Visibility(None, refused or None)

    def _segment(self, leaf, scope: Scope) -> tuple[array, int]:
        """The allowed record numbers of one segment (sorted), and how many records it has."""
        reader = leaf.reader()
        key = (getattr(reader, "_segid", None) or id(reader), scope)
        with self._lock:
            found = self._segments.get(key)
            if found is not None:
                self._segments.move_to_end(key)
                return found
        found = (array("I", sorted(scope.restriction().docs(leaf))), reader.doc_count_all())
        with self._lock:
            self._segments[key] = found
            while len(self._segments) > CACHED:
                self._segments.popitem(last=False)
        return found
