"""Pathway page throughput as a share of a bare Flask route's, both served by one gunicorn in one run.

    .venv/bin/python benchmarks/pages.py [--seconds 10] [--workers 2] [--connections 8] [--url /pathways/...]

A fresh instance (temporary folder, SQLite, the sample pathways, the clock frozen) is initialised and a GP
account created and signed in. One gunicorn server with sync workers then serves a WSGI dispatcher: `/bare/`
goes to a bare Flask app returning a small HTML page, everything else to the real app. Both URLs are
measured with the same client, duration and workers, the pathway page with the GP's session cookie, and
the ratio is printed (goal: at least 75%). wrk is used when installed, else a threaded Python client
(one connection per request). Only 127.0.0.1 is contacted.
"""
from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EMAIL, PASSWORD = "bench.gp@lothian.example", "benchmark-password-2026"
BARE_HTML = ("<!DOCTYPE html><html lang=\"en-GB\"><head><title>Bare</title></head>"
             "<body><main><h1>Bare route</h1><p>A small page.</p></main></body></html>")

DISPATCHER = f'''
"""The benchmark's server: /bare/ is a bare Flask app, everything else the real one, in one process."""
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from pathway_review import create_app

bare = Flask("bare")


@bare.get("/")
def page():
    return {BARE_HTML!r}


app = DispatcherMiddleware(create_app(), {{"/bare": bare}})
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(folder: Path) -> dict:
    env = dict(os.environ,
               PATHWAY_REVIEW_INSTANCE_PATH=str(folder / "instance"),
               PATHWAY_REVIEW_DATABASE_URL=f"sqlite:///{folder / 'instance' / 'bench.sqlite3'}",
               PATHWAY_REVIEW_PATHWAYS_DIR=str(ROOT / "pathways"),
               PATHWAY_REVIEW_TODAY="2026-11-21",
               PATHWAY_REVIEW_SECRET_KEY="benchmark-secret",
               PATHWAY_REVIEW_LOGIN_RATE_LIMIT="1000/60")
    env.pop("DATABASE_URL", None)
    cli = [str(BIN / "pathway-review")]
    subprocess.run(cli + ["init"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(cli + ["users", "create", EMAIL, "--name", "Benchmark GP", "--role", "gp", "--board", "lothian"],
                   env=env, cwd=ROOT, check=True, capture_output=True, input=PASSWORD + "\n", text=True)
    (folder / "bench_dispatch.py").write_text(DISPATCHER)
    return env


def start_server(folder: Path, env: dict, workers: int):
    port = free_port()
    log = open(folder / "gunicorn.log", "w")
    proc = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "sync",
                             "--bind", f"127.0.0.1:{port}", "--pythonpath", f"{folder},{ROOT}",
                             "--log-level", "warning", "bench_dispatch:app"],
                            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/bare/", timeout=1)
            return proc, base, log
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((folder / "gunicorn.log").read_text()) from None
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def sign_in(base: str) -> str:
    """The session cookie of a signed-in GP, as 'name=value'."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token}).encode()
    landing = opener.open(base + "/login", data=data)
    if "/login" in landing.url:
        raise RuntimeError("the benchmark GP could not sign in")
    (cookie,) = [c for c in jar if c.name == "pathway_review_session"]
    return f"{cookie.name}={cookie.value}"


def check(base: str, path: str, cookie: str | None, expect: str) -> None:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request) as response:
        body = response.read().decode()
    if response.status != 200 or expect not in body or "/login" in response.url:
        raise RuntimeError(f"{path} did not return the expected page")


def with_wrk(url: str, cookie: str | None, seconds: int, connections: int) -> tuple[float, int]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, int(errors.group(1)) if errors else 0


def with_threads(url: str, cookie: str | None, seconds: int, connections: int) -> tuple[float, int]:
    parsed = urllib.parse.urlsplit(url)
    headers = {"Cookie": cookie, "Connection": "close"} if cookie else {"Connection": "close"}
    counts, errors, stop = [0] * connections, [0] * connections, time.monotonic() + seconds

    def run(i):
        while time.monotonic() < stop:
            connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
            connection.request("GET", parsed.path, headers=headers)
            response = connection.getresponse()
            response.read()
            connection.close()
            counts[i] += 1
            errors[i] += response.status != 200

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started), sum(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--url", default="/pathways/suspected-colorectal-cancer/")
    args = parser.parse_args()

    measure, client = (with_wrk, "wrk") if shutil.which("wrk") else (with_threads, "Python threads")
    with tempfile.TemporaryDirectory(prefix="pathway-review-bench-") as tmp:
        folder = Path(tmp)
        env = prepare(folder)
        proc, base, log = start_server(folder, env, args.workers)
        try:
            cookie = sign_in(base)
            check(base, args.url, cookie, "Red flags" if "colorectal" in args.url else "</main>")
            check(base, "/bare/", None, "Bare route")
            measure(base + "/bare/", None, 2, args.connections)  # warm both up: imports, caches
            measure(base + args.url, cookie, 2, args.connections)
            page_rate, page_errors = measure(base + args.url, cookie, args.seconds, args.connections)
            bare_rate, bare_errors = measure(base + "/bare/", None, args.seconds, args.connections)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            log.close()
    print(f"gunicorn, {args.workers} sync workers; client: {client}, {args.connections} connections, "
          f"{args.seconds} s each")
    print(f"bare Flask route /bare/           {bare_rate:9.1f} requests/s  ({bare_errors} errors)")
    print(f"pathway page, signed in as a GP   {page_rate:9.1f} requests/s  ({page_errors} errors)  {args.url}")
    ratio = page_rate / bare_rate if bare_rate else 0.0
    print(f"ratio                             {ratio:9.1%}  (goal: at least 75%)")


if __name__ == "__main__":
    main()
