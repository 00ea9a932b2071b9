"""For tests: run a search test once per backend. PostgreSQL runs when the test database is PostgreSQL.

    from plugins.search.testing import BACKENDS

    @pytest.fixture(params=BACKENDS)
    def backend(request):
        return request.param
"""
from __future__ import annotations

import pytest

from pathway_review.testing.apps import postgres_url

ON_POSTGRES = postgres_url() is not None
BACKENDS = [
    pytest.param("whoosh", id="whoosh"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.skipif(
        not ON_POSTGRES, reason="the PostgreSQL backend needs PATHWAY_REVIEW_TEST_DATABASE_URL set to PostgreSQL")),
]
