"""What ``make run`` starts serves several people, one after another, without an error, and stops on ctrl-C.

Runs the very script ``make run`` runs (``scripts/run.py``), with an instance folder and a port of its own.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from pathway_review.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def make_run(tmp_path):
    port = free_port()
    # Exactly the environment of a newcomer's `make run`, apart from where the instance lives and the port.
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PATHWAY_REVIEW_") and key != "DATABASE_URL"}
    env.update(PATHWAY_REVIEW_INSTANCE_PATH=str(tmp_path / "instance"), HOST="127.0.0.1", PORT=str(port))
    output = open(tmp_path / "make-run.log", "w+")
    proc = subprocess.Popen([sys.executable, "scripts/run.py"], cwd=ROOT, env=env, stdout=output,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # first run: migrations and 300 demo feedback records
        while True:
            try:
                urllib.request.urlopen(base + "/login", timeout=2)
                break
            except OSError:
                assert proc.poll() is None, "make run stopped:\n" + (tmp_path / "make-run.log").read_text()
                assert time.monotonic() < deadline, "make run did not serve in time"
                time.sleep(0.5)
        yield base, proc, tmp_path / "make-run.log"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        output.close()


def sign_in(base: str, email: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"email": email, "password": DEMO_PASSWORD, "csrf_token": token}).encode()
    landing = opener.open(base + "/login", data=data)
    assert landing.status == 200 and "/login" not in landing.url, f"{email} could not sign in"
    return opener


def test_make_run_serves_every_demo_account_and_stops_on_ctrl_c(make_run):
    base, proc, log = make_run
    problems = []
    for email, *_ in DEMO_ACCOUNTS:
        try:
            opener = sign_in(base, email)
            catalogue = opener.open(base + "/").read().decode()
            pathway = re.search(r'href="(/pathways/[a-z0-9-]+/)"', catalogue).group(1)
            page = opener.open(base + pathway)
            assert page.status == 200 and "/login" not in page.url and "<h1" in page.read().decode()
        except (urllib.error.HTTPError, AssertionError, AttributeError) as exc:
            problems.append(f"{email}: {exc!r}")
    assert problems == []
    index = log.parent / "instance" / "search-index" / "CURRENT"
    for _ in range(120):  # each worker's start-up work builds the missing search index in the background
        if index.exists():
            break
        time.sleep(0.5)
    assert index.exists(), "the servers' start-up work did not build the search index"

    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 0
    text = log.read_text()
    assert "Traceback" not in text and " ERROR " not in text, text[-5000:]
    assert text.count("Demo accounts (password for all") == 1
    assert "Stopped." in text
    with pytest.raises(OSError):  # nothing is left serving
        urllib.request.urlopen(base + "/login", timeout=2)
