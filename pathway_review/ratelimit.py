"""Fixed-window rate limits counted in the database, so every worker process shares one count."""
from __future__ import annotations

import time

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

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
    connection would wait for it. The count commits with the caller's work.
    """
    limit, seconds = parse_limit(spec)
    now = time.time() if now is None else now
    window, key = int(now // seconds) * seconds, key[:200]
    changed = session.execute(update(RateLimitWindow)
                              .where(RateLimitWindow.key == key, RateLimitWindow.window_start == window)
                              .values(count=RateLimitWindow.count + 1)).rowcount
    if not changed:
        try:
            with session.begin_nested():  # another worker may create the same window at the same moment
                session.add(RateLimitWindow(key=key, window_start=window, count=1))
        except IntegrityError:
            session.execute(update(RateLimitWindow)
                            .where(RateLimitWindow.key == key, RateLimitWindow.window_start == window)
                            .values(count=RateLimitWindow.count + 1))
    count = session.scalar(select(RateLimitWindow.count).where(
        RateLimitWindow.key == key, RateLimitWindow.window_start == window))
    return (count or 0) <= limit
