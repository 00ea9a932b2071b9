"""Apps for tests: a fresh database per test, the sample pathways, one account per role in two boards."""
from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import create_engine, text

from .. import create_app
from ..db import upgrade

# The checkout's sample library; an installed platform has none, so a small one is written instead.
SAMPLE_PATHWAYS = Path(__file__).resolve().parents[2] / "pathways"
TODAY = "2026-11-21"
PASSWORD = "correct horse battery staple"
OWN_BOARD, OTHER_BOARD = "lothian", "fife"

# who -> (email, name, role, board)
ACCOUNTS = {
    "gp": ("gp@lothian.example", "Dr Lothian GP", "gp", "lothian"),
    "gp-fife": ("gp@fife.example", "Dr Fife GP", "gp", "fife"),
    "cfsd": ("staff@cfsd.example", "CfSD Staff", "cfsd", None),
    "board-admin": ("admin@lothian.example", "Lothian Admin", "board-admin", "lothian"),
    "board-admin-fife": ("admin@fife.example", "Fife Admin", "board-admin", "fife"),
    "admin": ("admin@site.example", "Site Admin", "admin", None),
}

_SMALL_LIBRARY = {
    "2.0": ("published", "2026-03-02", ""),
    "3.0": ("consultation", "2026-11-02", "consultation_opens: 2026-11-02\nconsultation_closes: 2027-02-26\n"),
}


def postgres_url() -> str | None:
    url = os.environ.get("PATHWAY_REVIEW_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    return url if url and url.startswith("postgres") else None


@contextmanager
def temporary_database(folder: Path):
    """A database URL nobody else uses: a new SQLite file, or a new schema on the PostgreSQL server."""
    base = postgres_url()
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


def sample_pathways(folder: Path) -> Path:
    """The checkout's sample library, or (for an installed platform) two versions of one sample pathway."""
    if SAMPLE_PATHWAYS.is_dir():
        return SAMPLE_PATHWAYS
    root = folder / "pathways" / "suspected-colorectal-cancer"
    root.mkdir(parents=True, exist_ok=True)
    for version, (status, day, window) in _SMALL_LIBRARY.items():
        (root / f"{version}.md").write_text(
            f'---\ntitle: Suspected colorectal cancer\nspecialty: Colorectal\nversion: "{version}"\n'
            f"status: {status}\ndate: {day}\n{window}owning_group: Sample group\napproved_by: Sample group\n"
            f"summary: Illustrative sample content for tests, not clinical guidance.\nsample: true\n---\n"
            "Illustrative sample content, not clinical guidance.\n\n## Red flags\n\nRefer urgently.\n\n"
            "## How to refer\n\nThrough the referral system.\n", encoding="utf-8")
    return root.parent


def make_app(tmp_path: Path, database_url: str, **overrides: Any):
    """A migrated app on ``database_url`` with the 14 boards and the accounts of :data:`ACCOUNTS`."""
    config = {
        "TESTING": True,
        "INSTANCE_PATH": tmp_path / "instance",
        "DATABASE_URL": database_url,
        "PATHWAYS_DIR": str(sample_pathways(tmp_path)),
        "TODAY": TODAY,
        "SECRET_KEY": "test-secret",
        "LIBRARY_CHECK_INTERVAL": 0,
        # No worker runs beside tests: each job runs in the test as it is queued.
        "QUEUE_IMMEDIATE": True,
    }
    config.update(overrides)
    from .. import accounts, boards, serving

    # Tests create hundreds of accounts: argon2id at its minimal cost, never a setting a server could switch on.
    accounts.use_fast_hashing()
    app = create_app(config)
    upgrade(app)

    with app.extensions["pathway_review.db"].transaction() as session:
        boards.seed_boards(session)
        session.flush()
        for email, name, role, board in ACCOUNTS.values():
            accounts.create_user(session, email, name, role, PASSWORD, board)
    return serving.start(app)  # start-up work, as a server does once the database is ready


def registered_name(app, plugin: Any) -> str:
    """The name ``plugin`` (an object or a module's dotted name) is registered under in ``app``."""
    host = app.extensions["pathway_review.plugins"]
    if isinstance(plugin, str):
        if host.pm.has_plugin(plugin):
            return plugin
        import importlib

        plugin = importlib.import_module(plugin)
    name = host.pm.get_name(plugin)
    if name is None:
        failures = {n: i.failure for n, i in host.info.items() if i.failure}
        raise LookupError(f"{plugin!r} is not registered in this app; failed plugins: {failures or 'none'}")
    return name


def switch_on(app, plugin: Any, boards: Iterable[str], enabled: bool = True) -> str:
    """Switch an optional plugin on (or off) for boards, as a board admin would; returns its name."""
    from ..boards import get_board, set_plugin_enabled

    name = registered_name(app, plugin)
    with app.app_context():
        for slug in boards:
            with app.extensions["pathway_review.db"].transaction() as session:
                board = get_board(session, slug)
                if board is None:
                    raise LookupError(f"there is no board {slug!r}")
                set_plugin_enabled(session, name, board, enabled)  # announced through the outbox
    return name


def csrf_token(client) -> str:
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


class AuthActions:
    """Signing in and out with a test client, with CSRF protection on as in production."""

    def __init__(self, client):
        self.client = client

    def login(self, who: str = "gp", password: str = PASSWORD):
        """Sign in as one of :data:`ACCOUNTS` (``"gp"``, ``"gp-fife"``, ``"cfsd"``, ...) or an e-mail address."""
        email = ACCOUNTS[who][0] if who in ACCOUNTS else who
        return self.client.post("/login", data={"email": email, "password": password,
                                                "csrf_token": csrf_token(self.client)})

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": csrf_token(self.client)})

    def post(self, url, data=None, **kwargs):
        """A form post carrying the page's CSRF token, as a browser would send it."""
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_token(self.client))
        return self.client.post(url, data=data, **kwargs)
