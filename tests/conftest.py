"""Fixtures in the style of Flask's tutorial: a fresh app and database for every test.

``DATABASE_URL`` (or ``PATHWAY_REVIEW_TEST_DATABASE_URL``) set to PostgreSQL runs each test in a schema
of its own; otherwise each test gets a new SQLite file in its temporary instance folder.
"""
from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from pathway_review import create_app
from pathway_review.db import upgrade

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PATHWAYS = ROOT / "pathways"
FIXTURE_PLUGINS = "tests.fixture_plugins"
TODAY = "2026-11-21"
PASSWORD = "correct horse battery staple"

ACCOUNTS = {
    "gp": ("gp@lothian.example", "Dr Lothian GP", "gp", "lothian"),
    "gp-fife": ("gp@fife.example", "Dr Fife GP", "gp", "fife"),
    "cfsd": ("staff@cfsd.example", "CfSD Staff", "cfsd", None),
    "board-admin": ("admin@lothian.example", "Lothian Admin", "board-admin", "lothian"),
    "board-admin-fife": ("admin@fife.example", "Fife Admin", "board-admin", "fife"),
    "admin": ("admin@site.example", "Site Admin", "admin", None),
}


def _postgres_url() -> str | None:
    url = os.environ.get("PATHWAY_REVIEW_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    return url if url and url.startswith("postgres") else None


@contextmanager
def temporary_database(folder: Path):
    """A database URL nobody else uses: a new SQLite file, or a new schema on the PostgreSQL server."""
    base = _postgres_url()
    if base is None:
        yield f"sqlite:///{folder / 'instance' / 'test.sqlite3'}"
        return
    base = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", base)
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(tmp_path):
    with temporary_database(tmp_path) as url:
        yield url


def make_app(tmp_path, database_url, **overrides):
    config = {
        "TESTING": True,
        "INSTANCE_PATH": tmp_path / "instance",
        "DATABASE_URL": database_url,
        "PATHWAYS_DIR": str(SAMPLE_PATHWAYS),
        "TODAY": TODAY,
        "SECRET_KEY": "test-secret",
        "FAST_PASSWORD_HASHING": True,
        "LIBRARY_CHECK_INTERVAL": 0,
        # No worker runs beside the tests: each job runs as it is queued (see tests/jobs_support.py otherwise).
        "QUEUE_IMMEDIATE": True,
    }
    config.update(overrides)
    app = create_app(config)
    upgrade(app)
    from pathway_review import accounts, boards

    with app.extensions["pathway_review.db"].transaction() as session:
        boards.seed_boards(session)
        session.flush()
        for email, name, role, board in ACCOUNTS.values():
            accounts.create_user(session, email, name, role, PASSWORD, board)
    return app


@pytest.fixture
def app_config():
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(tmp_path, database_url, app_config):
    app = make_app(tmp_path, database_url, **app_config)
    yield app
    app.extensions["pathway_review.db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client) -> str:
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, who: str = "gp", password: str = PASSWORD):
        email = ACCOUNTS[who][0] if who in ACCOUNTS else who
        return self._client.post("/login", data={"email": email, "password": password,
                                                 "csrf_token": csrf_token(self._client)})

    def logout(self):
        return self._client.post("/logout", data={"csrf_token": csrf_token(self._client)})

    def post(self, url, data=None, **kwargs):
        """A form post carrying the page's CSRF token, as a browser would send it."""
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_token(self._client))
        return self._client.post(url, data=data, **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)
