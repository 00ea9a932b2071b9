"""Search: find the right section of the right pathway fast; CfSD can also search feedback.

Always on. Knows nothing of what it indexes beyond the ``search_documents`` hook (every record, for
a full rebuild) and the ``search_documents_changed`` event (one change at a time). The index is
derived data in the instance folder and is rebuilt from those whenever it is missing or damaged.
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
        Setting("SEARCH_BUILD_ON_START", "bool", None, "build a missing index when a server starts (default: "
                "yes, except in tests, where the first search builds it)"),
        Setting("SEARCH_LOCK_TIMEOUT", "float", 1.0, "seconds a change waits for the index's writer lock "
                "before it is left queued"),
        Setting("SEARCH_REBUILD_WAIT", "float", 5.0, "seconds a search waits for an index being built"),
        Setting("SEARCH_COMPACT_INTERVAL", "float", 3600.0, "seconds between merges of the index's segments"),
        Setting("SEARCH_APPLY_IN_BACKGROUND", "bool", True, "apply index changes after the response, not "
                "during the request"),
    ]


@hookimpl
def app_started(app):
    from .service import service

    # Tests build hundreds of apps that never search: there the index is built on first search.
    build = app.config.get("SEARCH_BUILD_ON_START")
    if build is None:
        build = not app.testing
    search = service(app)
    if build and search.store.current() is None:
        search.start_rebuild()


@hookimpl
def search_documents_changed(app, documents, removed):
    from .service import service

    service(app).changed(documents, removed)
