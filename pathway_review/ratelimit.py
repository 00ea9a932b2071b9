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
    """Count one attempt for ``key``; False once the limit for the current window is exceeded."""
    limit, seconds = parse_limit(spec)
    now = time.time() if now is None else now
    window = int(now // seconds) * seconds
    key = key[:200]
    with database.transaction() as session:
        changed = session.execute(update(RateLimitWindow)
                                  .where(RateLimitWindow.key == key, RateLimitWindow.window_start == window)
                                  .values(count=RateLimitWindow.count + 1)).rowcount
        if not changed:
            session.add(RateLimitWindow(key=key, window_start=window, count=1))
            # Old windows are useless; trim them while holding the write lock anyway.
            session.execute(delete(RateLimitWindow).where(RateLimitWindow.window_start < window - seconds))
    with database.sessions() as session:
        count = session.scalar(select(RateLimitWindow.count).where(
            RateLimitWindow.key == key, RateLimitWindow.window_start == window))
    return (count or 0) <= limit


def hit_all(database, keys: list[str], spec: str) -> bool:
    allowed = True
    for key in keys:
        try:
            allowed = hit(database, key, spec) and allowed
        except IntegrityError:  # two workers created the same window at once; count it next time
            pass
    return allowed
