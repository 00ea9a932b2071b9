"""What the load benchmarks share: an instance with accounts, gunicorn beside a bare Flask route, signing in,
timing requests, and a fresh PostgreSQL schema when ``--database`` names a server.

Only 127.0.0.1 (and the PostgreSQL server given) is contacted; every server started is stopped.
"""
from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
TODAY = "2026-11-21"  # inside the sample consultations
PASSWORD = "benchmark-password-2026"

DISPATCHER = '''
"""The benchmark's server: /bare/ is a bare Flask app, everything else the real one, in one process."""
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from pathway_review import create_app

bare = Flask("bare")


@bare.get("/")
def page():
    return "<!DOCTYPE html><html lang=en-GB><head><title>Bare</title></head><body><p>A small page.</p></body></html>"


app = DispatcherMiddleware(create_app(), {"/bare": bare})
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


@contextmanager
def database_url(folder: Path, server: str | None):
    """A SQLite file in ``folder``, or a schema of its own on the PostgreSQL ``server`` (dropped after)."""
    if not server:
        yield f"sqlite:///{folder / 'instance' / 'bench.sqlite3'}"
        return
    from sqlalchemy import create_engine, text

    base = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", server)
    schema = "bench_" + uuid.uuid4().hex[:12]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def environment(folder: Path, url: str, **extra: str) -> dict:
    env = dict(os.environ)
    env.update({
        "PATHWAY_REVIEW_INSTANCE_PATH": str(folder / "instance"),
        "PATHWAY_REVIEW_DATABASE_URL": url,
        "PATHWAY_REVIEW_PATHWAYS_DIR": str(ROOT / "pathways"),
        "PATHWAY_REVIEW_TODAY": TODAY,
        "PATHWAY_REVIEW_SECRET_KEY": "benchmark-secret",
        "PATHWAY_REVIEW_LIBRARY_CHECK_INTERVAL": "3600",
        "PATHWAY_REVIEW_LOGIN_RATE_LIMIT": "100000/60",
        # The benchmarks are the flood the per-person limit exists to stop; measure throughput instead.
        "PATHWAY_REVIEW_FEEDBACK_RATE_LIMIT": "100000000/60",
        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT), os.environ.get("PYTHONPATH", "")]),
        **extra,
    })
    env.pop("DATABASE_URL", None)
    return env


def app_for(env: dict):
    """The app the servers will run, in this process (for accounts and data), quietly."""
    import logging

    for key in ("PATHWAY_REVIEW_INSTANCE_PATH", "PATHWAY_REVIEW_DATABASE_URL", "PATHWAY_REVIEW_PATHWAYS_DIR",
                "PATHWAY_REVIEW_TODAY", "PATHWAY_REVIEW_SECRET_KEY"):
        os.environ[key] = env[key]
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    from pathway_review import create_app

    logging.disable(logging.WARNING)
    return create_app()


def init(env: dict) -> None:
    subprocess.run([str(BIN / "pathway-review"), "init"], env=env, cwd=ROOT, check=True, capture_output=True)


def add_people(app, gps: int, boards: list[str] | None = None) -> tuple[list[tuple[str, int]], str]:
    """``gps`` GPs spread over the boards and one CfSD account, all with the benchmark password, written
    in one bulk insert (one argon2 hash for all: hashing each would take minutes); (email, id) per GP."""
    from sqlalchemy import select

    from pathway_review import accounts
    from pathway_review.boards import TERRITORIAL_BOARDS
    from pathway_review.models import Board, User, utcnow

    slugs = boards or [slug for slug, _ in TERRITORIAL_BOARDS]
    database = app.extensions["pathway_review.db"]
    hashed, now = accounts.hash_password(PASSWORD), utcnow()
    with database.transaction() as session:
        board_ids = dict(session.execute(select(Board.slug, Board.id)).all())
        rows = [{"email": f"bench.gp{i}@example.nhs.scot", "name": f"Benchmark GP {i}", "role": "gp",
                 "board_id": board_ids[slugs[i % len(slugs)]], "password_hash": hashed, "active": True,
                 "created_at": now} for i in range(gps)]
        rows.append({"email": "bench.cfsd@example.nhs.scot", "name": "Benchmark CfSD", "role": "cfsd",
                     "board_id": None, "password_hash": hashed, "active": True, "created_at": now})
        session.execute(User.__table__.insert(), rows)
        ids = dict(session.execute(select(User.email, User.id).where(User.email.like("bench.%"))).all())
    return [(row["email"], ids[row["email"]]) for row in rows[:-1]], "bench.cfsd@example.nhs.scot"


def api_token(app, email: str) -> str:
    from sqlalchemy import select

    from pathway_review import accounts
    from pathway_review.models import User

    with app.extensions["pathway_review.db"].transaction() as session:
        return accounts.create_token(session, session.scalar(select(User).where(User.email == email)), "bench")


@contextmanager
def gunicorn(folder: Path, env: dict, workers: int = 2):
    """The real app with /bare/ beside it, under gunicorn with sync workers; yields the port."""
    (folder / "bench_dispatch.py").write_text(DISPATCHER)
    port = free_port()
    with open(folder / "gunicorn.log", "w") as log:
        proc = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "sync",
                                 "--bind", f"{HOST}:{port}", "--chdir", str(folder), "--log-level", "warning",
                                 "--error-logfile", "-", "--capture-output", "bench_dispatch:app"],
                                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(300):
                try:
                    if get(port, "/bare/")[0] == 200:
                        break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError((folder / "gunicorn.log").read_text()) from None
                    time.sleep(0.2)
            else:
                raise RuntimeError("gunicorn did not start")
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def get(port: int, path: str, cookie: str | None = None) -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body, dict(response.getheaders())


def timed_get(port: int, path: str, cookie: str | None = None) -> tuple[int, float]:
    started = time.perf_counter()
    status, _body, _headers = get(port, path, cookie)
    return status, time.perf_counter() - started


def post_json(port: int, path: str, token: str, body: dict) -> int:
    import json

    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    connection.request("POST", path, body=json.dumps(body),
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def sign_in(port: int, email: str) -> str:
    """The session cookie of a signed-in person, as 'name=value'."""
    status, page, headers = get(port, "/login")
    cookie = headers.get("Set-Cookie", "").split(";", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    connection.request("POST", "/login", body=urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "csrf_token": token}),
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    signed = response.getheader("Set-Cookie", "").split(";", 1)[0]
    connection.close()
    if response.status != 302 or "/login" in (response.getheader("Location") or "") or not signed:
        raise RuntimeError(f"{email} could not sign in ({response.status})")
    return signed


def open_consultation(app):
    """The sample pathway version whose consultation is open on the benchmark's day."""
    from pathway_review.consultation import consultation_status

    library = app.extensions["pathway_review.library"]
    with app.app_context():
        return next(v for p in sorted(library.pathways.values(), key=lambda p: p.slug) for v in p.versions
                    if consultation_status(v).state == "open")


def feedback_body(pv) -> dict:
    answers = {q.id: q.choices[0] for q in pv.questions if q.kind == "choice"}
    return {"version": pv.version, "section": pv.sections[0].id, "type": "workload", "answers": answers,
            "text": "The proposed threshold moves work onto practices: we would need more phlebotomy.",
            "safety_concern": False, "anonymous": False}
