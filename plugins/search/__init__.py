"""Search: find the right section of the right pathway fast; CfSD can also search feedback.

Always on. Knows nothing of what it indexes beyond the ``search_documents`` hook (every record, for
a full rebuild) and the ``search_documents_changed`` event. Two backends: whoosh, an index in the
instance folder that the worker keeps current (a batch per commit); and PostgreSQL full-text search,
rows written in the very transaction of each change (``events_recorded``) so every host shares them.
Either is derived data, rebuilt from the contributors whenever it is missing or out of date.
"""
from __future__ import annotations

from pathway_review.plugin_api import hookimpl

title = "Search"
description = ("Full-text search of pathway sections, with highlighted snippets, GP abbreviations, filters and "
               "spelling suggestions; CfSD and admins can also search feedback.")
optional = False


@hookimpl
def migrations():
    from pathlib import Path

    return str(Path(__file__).parent / "migrations")


@hookimpl
def app_started(app):
    from .backend import backend_name

    backend_name(app)  # refuses, with the reason, a backend this database cannot have


@hookimpl
def events_recorded(app, session, events):
    from .backend import backend_name

    if backend_name(app) != "postgres":
        return
    from . import pg
    from .service import is_public

    latest = {}  # the transaction's last word on each record
    for found in events:
        if found["name"] == "search_documents_changed":
            for doc_id in found["payload"].get("removed") or ():
                latest[doc_id] = None
            for doc in found["payload"].get("documents") or ():
                latest[doc.id] = doc
    if latest:
        # Through the session's own connection: the rows commit, or roll back, with the change.
        pg.put(session.connection(), [d for d in latest.values() if d is not None],
               [i for i, d in latest.items() if d is None], lambda doc: is_public(app, doc))


@hookimpl
def readiness_checks(app):
    from .readiness import check

    return {"search": lambda: check(app)}


@hookimpl
def register_blueprints(app):
    from .views import bp

    return [bp]


@hookimpl
def header_search_url():
    from flask import url_for

    return url_for("search.results")


@hookimpl
def openapi_paths():
    from .openapi import paths

    return paths()


@hookimpl
def register_commands(cli):
    from .cli import register

    register(cli)


@hookimpl
def config_settings():
    from pathway_review.plugin_api import Setting

    return [
        Setting("SEARCH_BACKEND", "str", None, "`whoosh` (an index in the instance folder) or `postgres` "
                "(PostgreSQL full-text search, shared by every host); unset: postgres on a PostgreSQL database, "
                "whoosh on SQLite"),
        Setting("SEARCH_INDEX_DIR", "path", None, "where the search index lives; default `search-index/` in the "
                "instance folder"),
        Setting("SEARCH_LOCK_TIMEOUT", "float", 10.0, "seconds the worker waits for the index's writer lock "
                "before a batch is tried again"),
        Setting("SEARCH_REBUILD_WAIT", "float", 5.0, "seconds a search waits for an index being built"),
        Setting("SEARCH_COMPACT_INTERVAL", "float", 3600.0, "seconds between merges of the index's segments"),
    ]


@hookimpl
def search_documents_changed(app, documents, removed):
    from .service import service

    service(app).changed(documents, removed)


@hookimpl
def events_delivered(app):
    from .service import service

    service(app).apply_batch()


@hookimpl
def periodic_tasks():
    from pathway_review.plugin_api import PeriodicTask

    from .service import MAINTAIN, service

    return [PeriodicTask(MAINTAIN, run=lambda app: service(app).maintain(), every=30)]
