"""Which records a searcher may see, worked out once per index segment and kind of searcher.

A kind of searcher is a Scope: role, board, enabled plugins and filters. Each segment's answer is
kept (segments never change once written, and whoosh leaves deleted records out by itself), so
after an update only the new, small segment is looked at; the sets handed to whoosh are kept too,
per index (its segments) and scope, so a search of an unchanged index builds nothing. A search is
then given, through whoosh's public ``filter`` and ``mask`` arguments, the allowed records when they
are few (a GP among many pieces of feedback) or the refused ones when those are few (CfSD staff, who
see nearly everything).
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass

from whoosh import query as wq

from pathway_review.plugin_api import FragmentCache

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


@dataclass
class Visibility:
    """Global record numbers for whoosh's public ``filter`` (allowed) or ``mask`` (refused) arguments."""
    allow: set[int] | None    # set when few records are allowed
    refuse: set[int] | None   # set when few are refused; None with allow, or when nothing is refused

    def count(self, docnums) -> int:
        if self.allow is not None:
            return sum(1 for d in docnums if d in self.allow)
        refused = self.refuse or ()
        return sum(1 for d in docnums if d not in refused)


class VisibilityCache:
    def __init__(self):
        self._segments = FragmentCache(CACHED)
        self._answers = FragmentCache(CACHED)

    def get(self, searcher, scope: Scope) -> Visibility:
        leaves = searcher.leaf_searchers()
        key = (tuple((_segment_key(leaf.reader()), offset) for leaf, offset in leaves), scope)
        # CfSD's mask runs to tens of thousands of records at scale: built once, not on every search.
        return self._answers.get_or_build(key, lambda: self._build(leaves, scope))

    def _build(self, leaves, scope: Scope) -> Visibility:
        parts, allowed_total, everything = [], 0, 0
        for leaf, offset in leaves:
            allowed, size = self._segment(leaf, scope)
            parts.append((leaf, offset, allowed, size))
            allowed_total += len(allowed)
            everything += size
        if allowed_total * 2 <= everything:
            # whoosh reads an empty filter as "no filter": a record number that never exists stands in.
            return Visibility({offset + d for _, offset, allowed, _ in parts for d in allowed} or {-1}, None)
        refused = set()
        for _leaf, offset, allowed, size in parts:
            if len(allowed) < size:
                keep = set(allowed)
                # Deleted records may stay in the mask: whoosh never matches them anyway.
                refused.update(offset + d for d in range(size) if d not in keep)
        return Visibility(None, refused or None)

    def _segment(self, leaf, scope: Scope) -> tuple[array, int]:
        """The allowed record numbers of one segment (sorted), and how many records it has."""
        reader = leaf.reader()
        return self._segments.get_or_build(
            (_segment_key(reader), scope),
            lambda: (array("I", sorted(scope.restriction().docs(leaf))), reader.doc_count_all()))


def _segment_key(reader):
    # Segment ids are random and never reused, so they tell segments of every index apart.
    segment = reader.segment()
    return segment.segment_id() if segment is not None else id(reader)
