"""Search: find the right section of the right pathway fast; CfSD can also search feedback.

Always on. Knows nothing of what it indexes beyond the ``search_documents`` hook (every record, for
a full rebuild) and the ``search_documents_changed`` event (delivered by the worker, a batch per
commit). The index is derived data in the instance folder and is rebuilt from those whenever it is
missing or damaged.
"""
from __future__ import annotations

from pathway_review.plugin_api import hookimpl

title = "Search"
description = ("Full-text search of pathway sections, with highlighted snippets, GP abbreviations, filters and "
               "spelling suggestions; CfSD and admins can also search feedback.")
optional = False


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
