"""Feedback benchmark: sustained API submissions per second under gunicorn, beside a bare Flask route.

    .venv/bin/python benchmarks/feedback.py [--seconds 10] [--clients 4] [--workers 2] [--database URL]

One gunicorn run with 2 sync workers on 127.0.0.1 serves, from a WSGI module of the benchmark's own,
both the real app (a fresh temporary instance on SQLite, or with ``--database postgresql://...`` on a schema
of its own made on that server and dropped after) and a bare Flask app whose POST route only
parses the JSON and answers 201. Client processes, each with its own GP's bearer token, post feedback
for a fixed time, first to the bare route and then to ``POST /api/v1/pathways/<slug>/feedback``.

A `pathway-review worker` runs beside gunicorn, as in production. While the real API is driven, a probe
submits one feedback record with a word of its own every quarter second and asks the search API (as CfSD)
until it is found: the time from submission to searchable.

Reported: submissions per second of each and their ratio, the error count, how many times "database is
locked" appears in the server's log (the goal is 0 and 0; the ratio's goal is at least 0.25), and
time-to-searchable (p50, p95, worst).
Figures are printed, not asserted. Every request goes to this machine only, and every loop stops by itself.
"""
from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import random
import string
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
TODAY = "2026-11-21"  # inside the sample consultations

WSGI_MODULE = '''
"""The benchmark's WSGI app: the real Pathway Review app, and a bare Flask route beside it."""
import os

from flask import Flask, jsonify, request

from pathway_review import create_app

config = {"INSTANCE_PATH": os.environ["BENCH_INSTANCE"]}
if os.environ.get("BENCH_FEEDBACK_ALONE"):
    config.update(LOAD_ENTRY_POINTS=False, PLUGINS=["plugins.feedback"])
real = create_app(config)
bare = Flask("bare")


@bare.post("/bare/feedback")
def bare_feedback():
    body = request.get_json()
    return jsonify({"id": 1, "version": body.get("version")}), 201


def app(environ, start_response):
    target = bare if environ.get("PATH_INFO", "").startswith("/bare/") else real
    return target(environ, start_response)
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


DATABASE_URL = {}  # set once in main: the URL every process of the run uses


def environment(folder: Path) -> dict:
    env = dict(os.environ)
    env.update({
        "PATHWAY_REVIEW_DATABASE_URL": DATABASE_URL.get("url") or f"sqlite:///{folder / 'bench.sqlite3'}",
        "PATHWAY_REVIEW_SECRET_KEY": "benchmark",
        "PATHWAY_REVIEW_TODAY": TODAY,
        "PATHWAY_REVIEW_LIBRARY_CHECK_INTERVAL": "3600",
        # The benchmark is the flood the per-person limit exists to stop; measure throughput instead.
        "PATHWAY_REVIEW_FEEDBACK_RATE_LIMIT": "100000000/60",
        "BENCH_INSTANCE": str(folder / "instance"),
        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT), env.get("PYTHONPATH", "")]),
    })
    env.pop("DATABASE_URL", None)
    return env


def prepare(folder: Path, clients: int) -> tuple[list[str], tuple[str, str], str, dict]:
    """A fresh database with one GP (and token) per client, the probe's GP and CfSD tokens; the URL and a
    body to post."""
    for key, value in environment(folder).items():
        os.environ[key] = value
    from pathway_review import accounts, boards, create_app
    from pathway_review.db import upgrade

    # Plugins that read their tables on start-up find none yet in a fresh database; that is expected here.
    logging.disable(logging.CRITICAL)
    try:
        app = create_app({"INSTANCE_PATH": folder / "instance"})
        upgrade(app)
    finally:
        logging.disable(logging.NOTSET)
    logging.getLogger().setLevel(logging.WARNING)
    database = app.extensions["pathway_review.db"]
    tokens = []
    with database.transaction() as session:
        boards.seed_boards(session)
        session.flush()
        slugs = [slug for slug, _ in boards.TERRITORIAL_BOARDS]
        for i in range(clients):
            gp = accounts.create_user(session, f"bench.gp{i}@example.nhs.scot", f"Benchmark GP {i}", "gp", None,
                                      slugs[i % len(slugs)])
            session.flush()
            tokens.append(accounts.create_token(session, gp, "benchmark"))
        probe = accounts.create_user(session, "bench.probe@example.nhs.scot", "Probe GP", "gp", None, slugs[0])
        staff = accounts.create_user(session, "bench.cfsd@example.nhs.scot", "Probe CfSD", "cfsd", None, None)
        session.flush()
        probe_tokens = (accounts.create_token(session, probe, "probe"), accounts.create_token(session, staff, "probe"))
    library = app.extensions["pathway_review.library"]
    with app.app_context():
        from pathway_review.clock import today

        pv = next(v for p in library.pathways.values() for v in p.versions if v.consultation_state(today()) == "open")
    answers = {q.id: q.choices[0] for q in pv.questions if q.kind == "choice"}
    body = {"version": pv.version, "section": pv.sections[0].id, "type": "workload", "answers": answers,
            "text": "The proposed threshold moves **work** onto practices: we would need more phlebotomy.",
            "safety_concern": False, "anonymous": False}
    database.engine.dispose()
    return tokens, probe_tokens, f"/api/v1/pathways/{pv.slug}/feedback", body


def drive(port: int, path: str, token: str, body: dict, seconds: float) -> tuple[int, int, dict]:
    """Post for ``seconds``; return (201s, errors, {status: count} of the errors)."""
    payload = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    ok = failed = 0
    statuses: dict = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        try:
            connection.request("POST", path, payload, headers)
            response = connection.getresponse()
            response.read()
            if response.status == 201:
                ok += 1
            else:
                failed += 1
                statuses[response.status] = statuses.get(response.status, 0) + 1
        except OSError as exc:
            failed += 1
            statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
        finally:
            connection.close()
    return ok, failed, statuses


def run_clients(port, path, tokens, body, seconds) -> tuple[float, int, dict]:
    with ProcessPoolExecutor(len(tokens)) as pool:
        started = time.monotonic()
        results = list(pool.map(drive, [port] * len(tokens), [path] * len(tokens), tokens, [body] * len(tokens),
                                [seconds] * len(tokens)))
        elapsed = time.monotonic() - started
    statuses: dict = {}
    for _, _, found in results:
        for key, count in found.items():
            statuses[key] = statuses.get(key, 0) + count
    return sum(r[0] for r in results) / elapsed, sum(r[1] for r in results), statuses


def request(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection.request(method, path, json.dumps(body).encode() if body is not None else None, headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data.startswith(b"{") else {})
    finally:
        connection.close()


def wait_until_searchable(port: int, token: str, timeout: float = 120) -> None:
    """The worker builds the index as it starts; until then search answers 503."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if request(port, "GET", "/api/v1/search?q=referral", token)[0] == 200:
            return
        time.sleep(0.5)
    raise SystemExit("the worker did not build the search index within two minutes")


class Probe(threading.Thread):
    """Submit a record with a word of its own, then watch the index until it holds it; again and again.

    The index is read from disk, as every search reads it, rather than through the search API: polling the
    API would take the web workers' time from the submissions being measured. Each record found is then
    checked once through the search API.
    """

    def __init__(self, port: int, path: str, tokens: tuple[str, str], body: dict, index: Path):
        super().__init__(daemon=True)
        self.port, self.path, self.tokens, self.body = port, path, tokens, body
        from plugins.search.store import IndexStore

        self.store = IndexStore(index)
        self.times: list[float] = []
        self.lost = self.unconfirmed = 0
        self.stopping = threading.Event()

    def indexed(self, doc_id: str, word: str) -> bool:
        if DATABASE_URL.get("url"):  # hosts share the database's search, not a folder: ask the API
            return bool(request(self.port, "GET", f"/api/v1/search?q={word}", self.tokens[1])[1].get("total"))
        self.store.forget()
        _generation, ix = self.store.open()
        with ix.searcher() as searcher:
            return searcher.document(id=doc_id) is not None

    def run(self) -> None:
        gp, staff = self.tokens
        while not self.stopping.is_set():
            word = "".join(random.choices(string.ascii_lowercase, k=12))
            started = time.monotonic()
            status, record = request(self.port, "POST", self.path, gp, {**self.body, "text": f"Probe {word} here."})
            if status != 201:
                self.lost += 1
                continue
            while time.monotonic() - started < 30:
                if self.indexed(f"feedback:{record['id']}", word):
                    self.times.append(time.monotonic() - started)
                    if not request(self.port, "GET", f"/api/v1/search?q={word}", staff)[1].get("total"):
                        self.unconfirmed += 1
                    break
                time.sleep(0.02)
            else:
                self.lost += 1
            self.stopping.wait(0.25)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settled(pid: int, timeout: float = 60) -> None:
    """Wait until the worker has caught up: under 2% of a core over half a second."""
    deadline = time.monotonic() + timeout
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - before < 0.01:
            return
        before = now


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped before it served a request; see its log above")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within a minute")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each side is driven")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--log", type=Path, help="keep a copy of the server's log here")
    parser.add_argument("--database", help="a PostgreSQL server URL (a schema of its own is made and dropped)")
    parser.add_argument("--feedback-alone", action="store_true",
                        help="serve the feedback plugin without the other plugins (to see its own cost)")
    args = parser.parse_args()
    if args.feedback_alone:
        os.environ["BENCH_FEEDBACK_ALONE"] = "1"

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import support

    with tempfile.TemporaryDirectory(prefix="feedback-bench-") as tmp, \
            support.database_url(Path(tmp), args.database) as url:
        if args.database:
            DATABASE_URL["url"] = url
        folder = Path(tmp)
        # The worker's queue lives in the instance folder; creating the app makes no folder, so make it
        # here rather than race the web workers' start-up for it.
        (folder / "instance").mkdir()
        (folder / "bench_wsgi.py").write_text(WSGI_MODULE)
        tokens, probe_tokens, path, body = prepare(folder, args.clients)
        port, log_path = free_port(), folder / "server.log"
        with open(log_path, "w") as log, open(folder / "worker.log", "w") as worker_log:
            worker = subprocess.Popen(
                [str(Path(sys.executable).parent / "pathway-review"), "worker"],
                env={**environment(folder), "PATHWAY_REVIEW_INSTANCE_PATH": str(folder / "instance")},
                stdout=worker_log, stderr=subprocess.STDOUT)
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind", f"{HOST}:{port}",
                 "--chdir", str(folder), "--error-logfile", "-", "--capture-output", "bench_wsgi:app"],
                env=environment(folder), stdout=log, stderr=subprocess.STDOUT)
            try:
                wait_until_up(port, server)
                try:
                    wait_until_searchable(port, probe_tokens[1])
                except SystemExit:
                    for name in ("worker.log", "server.log"):
                        print(f"--- the end of {name}:\n" + (folder / name).read_text(errors="replace")[-2000:])
                    raise
                run_clients(port, "/bare/feedback", tokens, body, 1.0)  # warm both apps in every worker
                run_clients(port, path, tokens, body, 1.0)
                bare_rate, bare_errors, bare_statuses = run_clients(port, "/bare/feedback", tokens, body, args.seconds)
                probe = Probe(port, path, probe_tokens, body, folder / "instance" / "search-index")
                settled(worker.pid)  # the index build and the warm-up's deliveries are not the phase's
                worker_before = cpu_seconds(worker.pid)
                probe.start()
                real_rate, real_errors, real_statuses = run_clients(port, path, tokens, body, args.seconds)
                probe.stopping.set()
                probe.join(35)
                settled(worker.pid)  # what the phase left queued is still the phase's work
                worker_cpu = cpu_seconds(worker.pid) - worker_before
            finally:
                for process in (server, worker):
                    process.send_signal(signal.SIGTERM)
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        process.kill()
        text = log_path.read_text(errors="replace")
        if args.log:
            args.log.write_text(text)
        locked = text.lower().count("database is locked")
        tracebacks = text.count("Traceback")
        first = text[text.index("Traceback"):][:3000] if tracebacks else ""

    backend = "PostgreSQL" if args.database else "SQLite"
    print(f"feedback API under gunicorn ({args.workers} workers, {backend}), {args.clients} client processes, "
          f"{args.seconds:g} s each")
    print(f"  bare Flask POST route : {bare_rate:8.1f} submissions/s, errors {bare_errors} {bare_statuses or ''}")
    print(f"  POST {path} : {real_rate:8.1f} submissions/s, errors {real_errors} {real_statuses or ''}")
    print(f"  ratio (feedback API / bare route): {real_rate / bare_rate:.3f}  (goal: at least 0.25)"
          if bare_rate else "  ratio: n/a")
    print(f"  errors: {bare_errors + real_errors}; 'database is locked' in the server log: {locked} (goal: 0 and 0); "
          f"tracebacks: {tracebacks}")
    submitted = real_rate * args.seconds
    print(f"  the worker's CPU for the measured phase and its backlog: {worker_cpu:.1f} s "
          f"({worker_cpu / submitted * 1000:.1f} ms per submission)" if submitted else "")
    if probe.times:
        print(f"  time to searchable (submission to found by search, worker running, {len(probe.times)} probes): "
              f"p50 {percentile(probe.times, 0.5) * 1000:.0f} ms, p95 {percentile(probe.times, 0.95) * 1000:.0f} ms, "
              f"worst {max(probe.times) * 1000:.0f} ms; not found within 30 s: {probe.lost}; "
              f"in the index but not found by the search API: {probe.unconfirmed}")
    else:
        print(f"  time to searchable: no probe was found ({probe.lost} lost)")
    if first:
        print("\nthe first traceback in the server log:\n" + first)


if __name__ == "__main__":
    main()
