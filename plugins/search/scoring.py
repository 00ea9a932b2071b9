"""BM25F ranking, as whoosh computes it, with each segment's field lengths read once.

whoosh's BM25F reads a matched record's field length from the segment's files for every match it
scores; a common pair of words in CfSD's search matches thousands of pieces of feedback, and those
reads were a third of the search. Segments never change once written, so their lengths are read
once (about a tenth of a second for 85,000 records) through the reader's public ``doc_field_length``
and kept per segment. Scores, and so the order of results, are exactly whoosh's own
(tests/test_search_ranking.py compares them).

Written against whoosh-reloaded 2.7.5: it sets the scorer's ``dfl``, the length function
``WeightLengthScorer.setup()`` gives every BM25F scorer. If a later whoosh no longer reads it, the scorer is
whoosh's own again and only the speed-up is lost; the comparison test says whether scores still agree.
"""
from __future__ import annotations

from array import array

from whoosh.scoring import BM25F, BM25FScorer

from pathway_review.plugin_api import FragmentCache

SEGMENTS = 32  # kept per process: a few generations' worth of segments and scored fields


# Field lengths per (segment, field), read on first use.
_lengths = FragmentCache(SEGMENTS)


def _lengths_of(reader, fieldname: str) -> array | None:
    segment = reader.segment()
    if segment is None:  # not a single segment's reader: nothing stable to key the lengths by
        return None
    # whoosh's scorer reads a missing length as 1, so that is what is kept for it.
    return _lengths.get_or_build((segment.segment_id(), fieldname), lambda: array(
        "d", (reader.doc_field_length(d, fieldname, 1) or 1 for d in range(reader.doc_count_all()))))


class SegmentBM25F(BM25F):
    """whoosh's BM25F whose scorers look lengths up in memory instead of in the segment's files."""

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf)
        if isinstance(scorer, BM25FScorer):
            lengths = _lengths_of(searcher.reader(), fieldname)
            if lengths is not None:
                # ``dfl`` is the per-record length function WeightLengthScorer.setup() documents.
                scorer.dfl = lengths.__getitem__
        return scorer
