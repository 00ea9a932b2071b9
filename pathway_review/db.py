"""The database: one SQLAlchemy engine per app, one session per request, Alembic migrations.

SQLite is the default (WAL, a busy timeout, foreign keys on); ``DATABASE_URL`` selects PostgreSQL.
Plugins own their tables: they declare them on :data:`Base` (or their own metadata) and ship an
Alembic versions folder through the ``migrations`` hook.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, g, request
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

log = logging.getLogger(__name__)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


CORE_MIGRATIONS = Path(__file__).parent / "migrations"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CONNECT_TIMEOUT = 5  # seconds
# An execution option: the connection runs one SELECT, which SQLite makes atomic without a BEGIN (for an
# in-memory database, whose single reads cannot have an engine of their own; see Database._single_reads).
SINGLE_READ = "pathway_review_single_read"


def make_engine(url: str, single_reads: bool = False):
    """The engine for ``url``. ``single_reads`` (SQLite only): one for reads of a single SELECT each, with
    no transaction round them and so no connection events, which every statement would pay for."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _tune_sqlite(engine, transactions=not single_reads)
        return engine
    from sqlalchemy.engine import make_url

    # A database that does not answer costs a page a few seconds and a 503, not a worker held until the
    # operating system gives up on the connection (minutes); the URL may set its own.
    timeout = {} if "connect_timeout" in make_url(url).query else {"connect_timeout": CONNECT_TIMEOUT}
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, connect_args=timeout)


def _tune_sqlite(engine, transactions: bool = True) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when a transaction starts (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    if not transactions:
        return

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A deferred transaction that reads and then writes cannot wait for the write lock:
        # SQLite fails it at once with "database is locked". Writers take the lock up front.
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT" or options.get(SINGLE_READ):
            return  # a single read needs no transaction around it
        if options.get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


# Bookkeeping that changes on page views or sign-ins and never alters what a page shows.
UNTRACKED_TABLES = {"login_session", "audit_event", "rate_limit_window", "cache_mark", "api_token",
                    "outbox_event", "periodic_run", "plugin_failure", "signin_failure", "account_link",
                    "held_form"}
SITE = "site"


def version_scope(slug: str, version: str) -> str:
    return f"version:{slug}@{version}"[:200]


def board_scope(board_id) -> str:
    return f"board:{board_id}"


def staff_scope(slug: str, version: str) -> str:
    """What staff pages of a version show beyond the version itself: counts of what people wrote about it."""
    return staff_scope_for(version_scope(slug, version))


def staff_scope_for(scope: str | None) -> str | None:
    """The staff scope beside a version's scope (see :func:`version_scope`), else None."""
    if scope and scope.startswith("version:"):
        return "staff:" + scope[len("version:"):]
    return None


def user_scope(user_id, scope: str) -> str:
    """What one person's own parts of a page under ``scope`` show (their own feedback on that version)."""
    return f"user:{user_id}:{scope}"[:200]


def _is_core(table) -> bool:
    return table.name in _core_tables()


def _core_tables() -> frozenset:
    found = getattr(_core_tables, "found", None)
    if found is None:
        from . import models

        found = _core_tables.found = frozenset(
            m.local_table.name for m in Base.registry.mappers if m.class_.__module__ == models.__name__)
    return found


def scopes_of(obj) -> tuple:
    """Which cache marks a changed row moves on: its pathway version, its board, the whole site, or none.

    A row with a pathway slug and version is that version's data; a plugin's row with a board is that
    board's; other core rows (accounts, boards) are shared by every page; other plugin rows (mail logs,
    preferences) are on no cached page. A table declared ``"authored"`` (``info={"page_scope": ...}``)
    holds what people write about a version (feedback): its author sees their own rows in their part of
    a shared page, and other people's show only as counts on staff pages. Its rows move the author's mark
    for that version and the version's staff mark, so one GP's feedback leaves every other GP's page of
    that version cached, and the author's own parts of every other version's page too.
    """
    table = getattr(type(obj), "__table__", None)
    if table is None or table.name in UNTRACKED_TABLES or table.info.get("page_scope") == "ignore":
        return ()
    declared = table.info.get("page_scope")
    slug, version = getattr(obj, "pathway_slug", None), getattr(obj, "version", None)
    versioned = isinstance(slug, str) and isinstance(version, str)
    if declared == "authored" and versioned:
        author = getattr(obj, "user_id", None)
        own = (user_scope(author, version_scope(slug, version)),) if author is not None else ()
        return (staff_scope(slug, version), *own)
    if declared is None and versioned:
        return (version_scope(slug, version),)
    board = getattr(obj, "board_id", None)
    if board is not None and (declared == "board" or (declared is None and not _is_core(table))):
        return (board_scope(board),)
    return (SITE,) if _is_core(table) else ()


def _scope_of_bulk(table) -> str | None:
    # Which rows a bulk statement touches is not known here, so it moves on every page it might be on.
    if table is None or table.name in UNTRACKED_TABLES or table.info.get("page_scope") == "ignore":
        return None
    columns = set(table.c.keys())
    if _is_core(table) or {"pathway_slug", "version"} <= columns or "board_id" in columns:
        return SITE
    return None


def _shown_change(session, obj) -> bool:
    """False for an update that only touches columns no page shows (a last sign-in time)."""
    from sqlalchemy import inspect

    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.columns[0].info.get("page_scope") == "ignore":
            continue
        if state.attrs[attr.key].history.has_changes():
            return True
    return False


def track_changes(sessions: sessionmaker) -> None:
    """Move on the cache marks of what a transaction changes, as it commits.

    Rendered pages are cached per pathway version, board and plugin set (see ``cache``), so a plugin's
    write (a comment, a local note) shows on the next page view in every worker and host, without the
    plugin having to know about the cache, and drops only the pages that show it.
    """
    def mark(session, scopes) -> None:
        scopes = {s for s in scopes if s}
        if scopes:
            session.info.setdefault("pr_scopes", set()).update(scopes)

    @event.listens_for(sessions, "after_flush")
    def _after_flush(session, _context):
        dirty = (o for o in session.dirty if session.is_modified(o) and _shown_change(session, o))
        mark(session, {scope for obj in (*session.new, *session.deleted, *dirty) for scope in scopes_of(obj)})

    @event.listens_for(sessions, "do_orm_execute")
    def _bulk(state):
        if state.is_insert or state.is_update or state.is_delete:
            mark(state.session, {_scope_of_bulk(getattr(state.statement, "table", None))})

    @event.listens_for(sessions, "before_commit")
    def _before_commit(session):
        session.flush()  # commit() flushes after this event; flush first so its changes are counted
        scopes = session.info.pop("pr_scopes", None)
        if scopes:
            # Last in the transaction: on PostgreSQL the mark's row stays locked until the commit.
            session.execute(bump_statement(session.get_bind().dialect.name),
                            [{"scope": scope} for scope in sorted(scopes)])

    @event.listens_for(sessions, "after_rollback")
    def _after_rollback(session):
        session.info.pop("pr_scopes", None)


_BUMPS: dict = {}


def bump_statement(dialect: str):
    """The upsert that moves a mark on; run it with one ``{"scope": ...}`` per mark, in sorted order so two
    writers lock marks in the same order. Built and compiled once: it runs in every write."""
    found = _BUMPS.get(dialect)
    if found is not None:
        return found
    from sqlalchemy import bindparam

    from .models import CacheMark

    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = CacheMark.__table__
    statement = insert(table).values(scope=bindparam("scope"), stamp=1)
    found = _BUMPS[dialect] = statement.on_conflict_do_update(index_elements=[table.c.scope],
                                                              set_={"stamp": table.c.stamp + 1})
    return found


def read_marks(connection, scopes) -> dict[str, int]:
    """The current stamps of ``scopes`` in one query; a scope never changed reads 0."""
    from sqlalchemy import select

    from .models import CacheMark

    found = dict(connection.execute(select(CacheMark.scope, CacheMark.stamp)
                                    .where(CacheMark.scope.in_(list(scopes)))).all())
    return {scope: found.get(scope, 0) for scope in scopes}


def hand_over_events(database: "Database") -> None:
    """After a commit, give the job queue the outbox events written in that transaction.

    The one place this happens, so no call site can forget it. A hand-over that fails (the queue is
    down, the process dies first) loses nothing: the rows are in the database and the sweep finds them.
    """
    @event.listens_for(database.sessions, "before_commit")
    def _before_commit(session):
        from .outbox import write_recorded

        write_recorded(session)
        # Listeners that change with the record (events_recorded) hear each event once, before the commit.
        written = session.info.get("pr_outbox")
        heard = session.info.get("pr_outbox_heard", 0)
        if written and len(written) > heard and database.events_recording is not None:
            session.info["pr_outbox_heard"] = len(written)
            database.events_recording(session, written[heard:])
            write_recorded(session)  # any event a listener recorded in turn

    @event.listens_for(database.sessions, "after_commit")
    def _after_commit(session):
        session.info.pop("pr_outbox_heard", None)
        written = session.info.pop("pr_outbox", None)
        if written and database.events_committed is not None:
            try:
                database.events_committed([row.id for row in written])
            except Exception:
                log.exception("outbox events could not be handed to the job queue; the sweep will deliver them")

    @event.listens_for(database.sessions, "after_rollback")
    def _after_rollback(session):
        session.info.pop("pr_outbox", None)
        session.info.pop("pr_outbox_heard", None)
        session.info.pop("pr_outbox_new", None)
        session.info.pop("pr_outbox_new", None)


class Database:
    """The app's engine and session factory, kept in ``app.extensions``."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.reads = self._single_reads(url)
        # Set by the job queue: called with the ids of outbox events a transaction has just committed.
        self.events_committed = None
        # Set by the outbox: called in the transaction with the outbox rows it wrote, before the commit.
        self.events_recording = None
        hand_over_events(self)
        track_changes(self.sessions)  # after: its cache marks are the commit's last write (locked until it)

    def _single_reads(self, url: str):
        """What a page view's one read (who is asking) goes through: no BEGIN or ROLLBACK round it.

        On SQLite an engine of its own (its own pool on the same file), without the BEGIN listener: an
        engine with any connection event runs every statement's event dispatch, which cost this read a
        third of its time. SQLite's AUTOCOMMIT level cannot be used instead, as handing the connection
        back would switch off the transaction handling set up in _tune_sqlite. An in-memory database is
        one per connection pool, so it reads through the main engine. PostgreSQL reads in autocommit.
        """
        if not self.is_sqlite:
            return self.engine.execution_options(isolation_level="AUTOCOMMIT")
        if self.engine.url.database in (None, "", ":memory:"):
            return self.engine.execution_options(**{SINGLE_READ: True})
        return make_engine(url, single_reads=True)

    @property
    def engines(self) -> tuple:
        """Every engine with a pool of its own: the main one, and on SQLite the single reads'."""
        return (self.engine,) if self.reads.pool is self.engine.pool else (self.engine, self.reads)

    def read_rows(self, statement, params: dict) -> list:
        """The rows of one read (a single SELECT), as mappings, on a pooled connection that goes back to
        the pool unchanged, with no transaction round it."""
        with self.reads.connect() as conn:
            return conn.execute(statement, params).mappings().all()  # fetched whole: usable once closed

    def marks(self, scopes) -> dict[str, int]:
        """The current stamps of ``scopes`` (see :func:`read_marks`), in one read outside any transaction."""
        with self.reads.connect() as conn:
            return read_marks(conn, scopes)

    def dispose(self) -> None:
        """Close every connection (tests, and forked servers that must not share them)."""
        for engine in self.engines:
            engine.dispose()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self, write: bool = False) -> Session:
        session = self.sessions()
        if write and self.is_sqlite:
            session.connection(execution_options={"sqlite_immediate": True})
        return session

    @contextmanager
    def transaction(self):
        """A write transaction outside a request (CLI, background work)."""
        session = self.session(write=True)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def init_app(app) -> Database:
    database = Database(app.config["DATABASE_URL"])
    app.extensions["pathway_review.db"] = database
    app.teardown_appcontext(_close_session)
    return database


def database() -> Database:
    return current_app.extensions["pathway_review.db"]


def get_session() -> Session:
    """The request's session, opened on first use; writes start with the write lock on SQLite."""
    if "db_session" not in g:
        from flask import has_request_context

        write = has_request_context() and request.method not in SAFE_METHODS
        g.db_session = database().session(write=write)
    return g.db_session


def _close_session(exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()


# ---- migrations -------------------------------------------------------------

def alembic_config(app, connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(CORE_MIGRATIONS))
    locations = [str(CORE_MIGRATIONS / "versions")]
    for folder in app.extensions["pathway_review.plugins"].migration_folders():
        locations.append(str(folder))
    # Alembic splits on this separator; spaces may appear in paths.
    cfg.set_main_option("path_separator", "os")
    import os

    cfg.set_main_option("version_locations", os.pathsep.join(locations))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(app) -> list[str]:
    """Bring the core's and every installed plugin's tables up to date.

    Returns the revisions recorded in the database that no installed plugin provides (one uninstalled,
    or failing to import): they are left recorded and their tables kept (see :mod:`.retirement`).
    """
    from alembic import command

    from .retirement import unknown_set_aside

    database_ = app.extensions["pathway_review.db"]
    path = database_.engine.url.database
    if database_.is_sqlite and path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)  # SQLite makes the file, not its folder
    with database_.engine.begin() as connection:
        config = alembic_config(app, connection)
        with unknown_set_aside(config, connection) as unknown:
            command.upgrade(config, "heads")
    return unknown


def optimize(database_: Database, full: bool = False) -> None:
    """Refresh the query planner's statistics, so each list uses the index that matches it.

    Without them SQLite guesses, and picked the consultation's index for a GP's own count. ``full`` (at
    init) analyses every table; otherwise SQLite's ``PRAGMA optimize`` analyses only what changed enough.
    PostgreSQL's autovacuum also analyses; an explicit ANALYZE catches a bulk load between its runs.
    """
    # In a write transaction like any other, not in AUTOCOMMIT: on SQLite, handing an AUTOCOMMIT connection
    # back to the pool would give transactions back to the driver for that connection (see _tune_sqlite).
    with database_.engine.connect().execution_options(sqlite_immediate=True) as connection, connection.begin():
        if database_.is_sqlite:
            connection.exec_driver_sql("ANALYZE" if full else "PRAGMA optimize")
        else:
            connection.exec_driver_sql("ANALYZE")


def upkeep(app) -> None:
    """The periodic task: planner statistics, and rate-limit windows nobody counts any more."""
    from . import ratelimit

    database_ = app.extensions["pathway_review.db"]
    with database_.transaction() as session:
        ratelimit.trim(session)
    optimize(database_)


def current_heads(app) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with app.extensions["pathway_review.db"].engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def schema_problem(app) -> str | None:
    """Why the database cannot be used yet, in a few words; None when it is initialised and up to date.

    Looks without touching: a SQLite file that does not exist is not created by asking.
    """
    database_ = app.extensions["pathway_review.db"]
    path = database_.engine.url.database
    if database_.is_sqlite and path and path != ":memory:" and not Path(path).exists():
        return f"there is no database yet ({path})"
    from sqlalchemy.exc import SQLAlchemyError

    # Alembic announces its plugins (as it is imported) and its dialect at INFO: noise before every command.
    quiet = [logging.getLogger(name) for name in ("alembic.runtime.plugins", "alembic.runtime.migration")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.WARNING)
    try:
        from alembic.script import ScriptDirectory

        current = current_heads(app)
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        return f"the database cannot be read ({type(cause).__name__}: {str(cause).strip()})"
    finally:
        for logger, level in zip(quiet, levels):
            logger.setLevel(level)
    if not current:
        return "the database has no tables yet"
    expected = set(ScriptDirectory.from_config(alembic_config(app)).get_heads())
    if expected - current:
        return "the database needs migrating"
    return None
