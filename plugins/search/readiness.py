"""What ``/readyz`` asks of search: can this host answer a search now?

On PostgreSQL the rows are shared by every host, so a host is ready once the table answers (a missing table
means the migrations have not run). The whoosh index is a host's own and is built by the worker in the
background: a host without one yet still serves every page, and search says it is being built, so that is
reported, not counted as a failure.
"""
from __future__ import annotations

from sqlalchemy import text as sql

from pathway_review.plugin_api import database

from .backend import BackendRefused, backend_name


def check(app) -> dict | str:
    try:
        backend = backend_name(app)
    except BackendRefused as refused:
        return str(refused)
    if backend == "postgres":
        with database().engine.connect() as connection:
            built = connection.execute(sql("SELECT value FROM search_state WHERE key = 'built'")).scalar()
        return {"backend": "postgres", "documents": "built" if built else "being built"}
    from .service import service

    current = service(app).store.current()
    return {"backend": "whoosh", "index": "built" if current is not None else "being built"}
