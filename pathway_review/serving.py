"""Start-up work, run only by what serves or works: gunicorn workers, ``pathway-review run``, the job worker.

Building the app (:func:`pathway_review.create_app`) does nothing but build it; warm-up that needs an
initialised database or starts threads (building a missing search index, say) happens here, through
the ``app_started`` hook, once per app and process.
"""
from __future__ import annotations

import threading

from flask import Flask

_lock = threading.Lock()


def start(app: Flask) -> Flask:
    """Run every plugin's ``app_started`` for this app, once; later calls do nothing."""
    plugins = app.extensions["pathway_review.plugins"]
    with _lock:
        if plugins.started:
            return app
        plugins.started = True
    plugins.call("app_started", app=app)
    # The first write hands its events to the job queue: load the queue's library now (about a second
    # with its storage back ends), not on the first GP's submission in each worker.
    import huey  # noqa: F401
    return app


def find_app(wsgi) -> Flask | None:
    """The Pathway Review app inside a WSGI callable (itself, or wrapped in middleware such as a dispatcher)."""
    for _ in range(8):
        if isinstance(wsgi, Flask) and "pathway_review.plugins" in wsgi.extensions:
            return wsgi
        wsgi = getattr(wsgi, "app", None)
        if wsgi is None:
            return None
    return None
