"""Fixed-window rate limits counted in the database, so every worker process shares one count."""
from __future__ import annotations

import time

from sqlalchemy import bindparam, delete

from .models import RateLimitWindow


def parse_limit(spec: str) -> tuple[int, int]:
    """``"10/300"`` → 10 attempts per 300 seconds."""
    count, _, seconds = spec.partition("/")
    return int(count), int(seconds or 60)


def hit(database, key: str, spec: str, now: float | None = None) -> bool:
    """Count one attempt for ``key`` in a transaction of its own; False once the window's limit is passed."""
    _, seconds = parse_limit(spec)
    now = time.time() if now is None else now
    with database.transaction() as session:
        allowed = count_in(session, key, spec, now)
        # Old windows are useless; trim them while holding the write lock anyway.
        session.execute(delete(RateLimitWindow).where(RateLimitWindow.window_start < now - 2 * seconds))
    return allowed


def hit_all(database, keys: list[str], spec: str) -> bool:
    return all([hit(database, key, spec) for key in keys])  # a list: every key counts, even past a refusal


def count_in(session, key: str, spec: str, now: float | None = None) -> bool:
    """Count one attempt inside the caller's own transaction; False once the window's limit is passed.

    For requests that already hold SQLite's write lock (form posts, API writes), where a second
    connection would wait for it. The count commits with the caller's work. One statement: an upsert
    that creates the window or adds one to it and returns the count, so two workers opening the same
    window at the same moment both count.
    """
    limit, seconds = parse_limit(spec)
    now = time.time() if now is None else now
    window = int(now // seconds) * seconds
    statement = _upsert(session.get_bind().dialect.name)
    return session.execute(statement, {"key": key[:200], "window": window}).scalar_one() <= limit


_UPSERTS: dict = {}


def _upsert(dialect: str):
    """The counting upsert for ``dialect``, built once: building it costs more than running it."""
    statement = _UPSERTS.get(dialect)
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = _UPSERTS[dialect] = (
            insert(RateLimitWindow).values(key=bindparam("key"), window_start=bindparam("window"), count=1)
            .on_conflict_do_update(index_elements=[RateLimitWindow.key, RateLimitWindow.window_start],
                                   set_={"count": RateLimitWindow.count + 1})
            .returning(RateLimitWindow.count))
    return statement


def trim(session, now: float | None = None, keep: int = 86_400) -> int:
    """Forget windows older than a day (no limit here spans more), so the table stays small."""
    now = time.time() if now is None else now
    return session.execute(delete(RateLimitWindow).where(RateLimitWindow.window_start < now - keep)).rowcount
