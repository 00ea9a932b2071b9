"""For tests: run a search test once per backend. PostgreSQL runs when the test database is PostgreSQL.

    from plugins.search.testing import BACKENDS

    @pytest.fixture(params=BACKENDS)
    def backend(request):
        return request.param
"""
from __future__ import annotations

import os

import pytest

# As the test kit decides (PATHWAY_REVIEW_TEST_DATABASE_URL, else DATABASE_URL, naming PostgreSQL).
ON_POSTGRES = (os.environ.get("PATHWAY_REVIEW_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or "").startswith(
    "postgres")
BACKENDS = [
    pytest.param("whoosh", id="whoosh"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.skipif(
        not ON_POSTGRES, reason="the PostgreSQL backend needs PATHWAY_REVIEW_TEST_DATABASE_URL set to PostgreSQL")),
]
