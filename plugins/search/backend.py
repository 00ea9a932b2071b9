"""Which search backend an app uses: whoosh (an index in the instance folder) or PostgreSQL's own."""
from __future__ import annotations

BACKENDS = ("whoosh", "postgres")


class BackendRefused(Exception):
    """SEARCH_BACKEND names a backend this database cannot have; the message says what to change."""


def backend_name(app) -> str:
    """``SEARCH_BACKEND`` if set, else postgres on a PostgreSQL database and whoosh on SQLite."""
    chosen = (app.config.get("SEARCH_BACKEND") or "").strip().lower()
    sqlite = str(app.config.get("DATABASE_URL", "")).startswith("sqlite")
    if not chosen:
        return "whoosh" if sqlite else "postgres"
    if chosen not in BACKENDS:
        raise BackendRefused(f"SEARCH_BACKEND must be whoosh or postgres, not {chosen!r}")
    if chosen == "postgres" and sqlite:
        raise BackendRefused("SEARCH_BACKEND is postgres but DATABASE_URL is a SQLite database: PostgreSQL "
                             "full-text search needs PostgreSQL. Set SEARCH_BACKEND=whoosh, or leave it unset "
                             "to choose by database.")
    return chosen
