"""Search: find the right section of the right pathway fast; CfSD can also search feedback.

Always on. Knows nothing of what it indexes beyond the ``search_documents`` hook (every record, for
a full rebuild) and the ``search_documents_changed`` event (delivered by the worker, a batch per
commit). The index is derived data in the instance folder and is rebuilt from those whenever it is
missing or damaged.
"""
from __future__ import annotations

from pathway_review import hookimpl

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
def app_started(app):
    from .service import KEY, SearchService

    # Nothing is read or built here: the worker builds the index (search.maintain) when there is none.
    app.extensions[KEY] = SearchService(app)


@hookimpl
def search_documents_changed(app, documents, removed):
    from .service import KEY

    search = app.extensions.get(KEY)
    if search is not None:
        search.changed(documents, removed)


@hookimpl
def events_delivered(app):
    from .service import KEY

    search = app.extensions.get(KEY)
    if search is not None:
        search.apply_batch()


@hookimpl
def periodic_tasks():
    from pathway_review.contracts import PeriodicTask

    from .service import MAINTAIN, service

    return [PeriodicTask(MAINTAIN, run=lambda app: service(app).maintain(), every=30)]
