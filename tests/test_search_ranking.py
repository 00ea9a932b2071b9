"""Search ranks results exactly as whoosh's BM25F does, though field lengths are read from memory."""
from whoosh import fields, index
from whoosh.qparser import QueryParser
from whoosh.scoring import BM25F

from plugins.search.scoring import SegmentBM25F

TEXTS = [
    "ultrasound access",
    "ultrasound access is limited in our area and the waiting list grows every month",
    "waiting times for ultrasound access are long, so patients wait for an ultrasound scan",
    "access to phlebotomy",
    "ultrasound " * 30 + "access",
    "the referral form asks for an ultrasound we cannot get: access is poor",
]


def ranked(folder, weighting):
    ix = index.open_dir(str(folder))
    with ix.searcher(weighting=weighting) as searcher:
        q = QueryParser("content", ix.schema).parse("ultrasound access")
        return [(hit["id"], round(hit.score, 9)) for hit in searcher.search(q, limit=None)]


def test_results_come_in_whoosh_s_own_order_with_its_scores_across_segments(tmp_path):
    ix = index.create_in(str(tmp_path), fields.Schema(id=fields.ID(stored=True), content=fields.TEXT))
    for start in (0, 3):  # two commits: two segments, each with lengths of its own
        with ix.writer() as writer:
            for n, text in enumerate(TEXTS[start:start + 3], start):
                writer.add_document(id=str(n), content=text)
    assert len(ix.reader().leaf_readers()) == 2

    expected = ranked(tmp_path, BM25F())
    assert len(expected) == 5
    assert ranked(tmp_path, SegmentBM25F()) == expected
    assert ranked(tmp_path, SegmentBM25F()) == expected  # again, from the kept lengths
