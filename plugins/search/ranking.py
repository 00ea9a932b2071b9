"""BM25F ranking, with each segment's field lengths read once instead of once per scored record.

Scoring a common word touches tens of thousands of records; whoosh looks each record's length up
in a file as it goes, which is a third of the time. Segments never change once written (deleting
a record does not change the others' lengths), so their lengths are kept in memory, per segment.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

_TABLE = [byte_to_length(b) or 1 for b in range(256)]
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()
CACHED_SEGMENTS = 64


def _lengths(reader, fieldname) -> list[int] | None:
    """Every record's length in ``fieldname`` for one segment reader, or None to use whoosh's own."""
    try:
        # Segment ids are random and never reused, so they tell segments of every index apart.
        perdoc, key = reader._perdoc, (reader._segid, fieldname)
    except AttributeError:
        return None
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    try:
        raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
    except AttributeError:
        return None
    lengths = [_TABLE[b] for b in raw]
    lengths.extend([1] * (reader.doc_count_all() - len(lengths)))
    with _cache_lock:
        _cache[key] = lengths
        while len(_cache) > CACHED_SEGMENTS:
            _cache.popitem(last=False)
    return lengths


class BM25F(scoring.BM25F):
    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf)
        if isinstance(scorer, scoring.BM25FScorer):
            lengths = _lengths(searcher.reader(), fieldname)
            if lengths is not None:
                scorer.dfl = lengths.__getitem__
        return scorer
