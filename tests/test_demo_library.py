"""The demo library in pathways/ (what `make run` serves), checked as an editor would before publishing.

The rest of the suite reads a frozen copy in tests/fixtures/pathways, so these are the only tests that
follow pathways/ as it changes.
"""
import pytest

from pathway_review.document import parse_document
from pathway_review.library import check_library
from tests.conftest import DEMO_PATHWAYS

DOCUMENTS = sorted(DEMO_PATHWAYS.glob("*/*.md"))
DISCLAIMER = "illustrative sample content, not clinical guidance"


def test_demo_library_has_documents():
    assert len(DOCUMENTS) >= 5


def test_demo_library_has_no_problems():
    assert [str(p) for p in check_library(DEMO_PATHWAYS)] == []


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_demo_document_says_it_is_sample_content(path):
    pv = parse_document(path)
    # `sample: true` puts the "Sample content — not clinical guidance" warning on the page;
    # the summary carries the same words into the catalogue, search results and exports.
    assert pv.sample is True, f"{path}: set sample: true"
    assert DISCLAIMER in " ".join(pv.summary.split()).lower(), f"{path}: the summary must say “{DISCLAIMER}”"
