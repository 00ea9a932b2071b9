"""The project's tests use the same fixtures plugin authors get from ``pathway_review.testing``.

That module is a pytest plugin (the ``pytest11`` entry point), so ``app``, ``client``, ``runner``,
``auth``, ``sign_in`` and ``app_config`` come from it; the names below are re-exported for the tests
that import them from here. ``PATHWAY_REVIEW_TEST_DATABASE_URL`` set to PostgreSQL runs each test in a
schema of its own; otherwise each test gets a new SQLite file in its temporary instance folder.
"""
from __future__ import annotations

from pathlib import Path

from pathway_review.testing import (ACCOUNTS, PASSWORD, TODAY, AuthActions,  # noqa: F401
                                    csrf_token, make_app, temporary_database)
from tests.mail_support import smtp_server  # noqa: F401  (a real SMTP server for the mail tests)

ROOT = Path(__file__).resolve().parents[1]
# A frozen copy of the demo library: tests pin its titles, dates and counts, so pathways/ can change freely.
SAMPLE_PATHWAYS = ROOT / "tests" / "fixtures" / "pathways"
DEMO_PATHWAYS = ROOT / "pathways"
FIXTURE_PLUGINS = "tests.fixture_plugins"

__all__ = ["ACCOUNTS", "FIXTURE_PLUGINS", "PASSWORD", "ROOT", "SAMPLE_PATHWAYS", "DEMO_PATHWAYS", "TODAY",
           "AuthActions", "csrf_token", "make_app", "temporary_database"]
