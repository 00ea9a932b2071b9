"""``/healthz`` and ``/readyz``: what a load balancer asks each host before sending it people.

``/healthz`` says only that the process answers, touching nothing else, so a slow database never gets a
host restarted. ``/readyz`` checks what pages need: the database, the job queue, and whatever plugins add
through the ``readiness_checks`` hook (the search index, say); a 503 names the part that failed. Both are
asked every few seconds by machines, so neither needs sign-in, starts a session, writes an audit event or
shows in gunicorn's access log (``gunicorn.conf.py``).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from flask import Blueprint, current_app, jsonify

from .access import public
from .db import read_marks
from .plugins import host

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)

PATHS = ("/healthz", "/readyz")
RETRY_AFTER = "10"  # seconds: about one load-balancer check


@bp.route("/healthz")
@public
def healthz():
    return _answer({"status": "ok"}, 200)


@bp.route("/readyz")
@public
def readyz():
    app = current_app._get_current_object()
    checks: dict[str, Callable[[], Any]] = {"database": lambda: _database(app), "queue": lambda: _queue(app)}
    for answer in host().call("readiness_checks", app=app):
        for name, check in answer.items():
            checks.setdefault(str(name), check)
    results = {name: _run(name, check) for name, check in checks.items()}
    failing = [name for name, result in results.items() if not result["ok"]]
    if failing:
        return _answer({"status": "not ready", "failing": failing, "checks": results}, 503)
    return _answer({"status": "ready", "checks": results}, 200)


def _run(name: str, check: Callable[[], Any]) -> dict:
    try:
        answer = check()
    except Exception as exc:  # noqa: BLE001 (any failure means "not ready"; the reason goes to the log)
        # The message may carry a host name or a URL; this page is public, so it names only the kind.
        log.warning("not ready: %s: %s: %s", name, type(exc).__name__, str(exc).strip()[:300])
        return {"ok": False, "problem": f"unreachable ({type(exc).__name__})"}
    if isinstance(answer, str):
        return {"ok": False, "problem": answer}
    return {"ok": True, **(answer if isinstance(answer, dict) else {})}


def _database(app) -> dict | str:
    database = app.extensions["pathway_review.db"]
    path = database.engine.url.database
    # Asking must not create an empty SQLite file where the database should be.
    if database.is_sqlite and path and path != ":memory:" and not Path(path).exists():
        return "not initialised (run pathway-review init)"
    with database.engine.connect() as connection:
        read_marks(connection, ["readiness"])  # a table of the schema: initialised, not merely reachable
    return {}


def _queue(app) -> dict:
    from .jobs import job_queue

    queue = job_queue(app)
    storage = queue.huey.storage
    if hasattr(storage, "conn") and hasattr(storage.conn, "ping"):
        storage.conn.ping()  # Redis
    return {"waiting": queue.depth()}


def _answer(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 503:
        response.headers["Retry-After"] = RETRY_AFTER
    return response
