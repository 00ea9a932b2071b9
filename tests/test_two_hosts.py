"""Two app hosts and one worker sharing nothing but PostgreSQL, Redis and the installation's keys.

Host A and host B are gunicorn servers on loopback with instance folders of their own, as two machines
behind a load balancer would be; one ``pathway-review worker`` consumes the Redis queue. A person's
requests may land on either host, so whatever one host learns (a session, a sign-in failure, a pseudonym)
must hold on the other. Runs when PATHWAY_REVIEW_TEST_DATABASE_URL is PostgreSQL and Redis answers.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from pathway_review.testing.apps import postgres_url, temporary_database
from tests.conftest import ACCOUNTS, PASSWORD, ROOT, SAMPLE_PATHWAYS, TODAY
from tests.feedback_support import OPEN, api_body

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
REDIS = "redis://127.0.0.1:6379/0"
GP, CFSD, GUESSED = ACCOUNTS["gp"][0], ACCOUNTS["cfsd"][0], ACCOUNTS["gp-fife"][0]


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def until(check, timeout: float, what: str, logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs if log.exists())
    raise AssertionError(f"{what} did not happen within {timeout}s\n{tails}")


class Process:
    """A command in a process group of its own, so stopping it stops gunicorn's workers too."""

    def __init__(self, name: str, args: list[str], env: dict, log: Path):
        self.name, self.log = name, log
        with open(log, "a") as output:
            self.popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                          start_new_session=True)

    def stop(self) -> None:
        if self.popen.poll() is not None:
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)


class Host:
    def __init__(self, name: str, base: str, process: Process, access_log: Path):
        self.name, self.base, self.process, self.access_log = name, base, process, access_log

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    if not postgres_url():
        pytest.skip("needs PATHWAY_REVIEW_TEST_DATABASE_URL=postgresql://... (several hosts share PostgreSQL)")
    if not redis_answers():
        pytest.skip("needs Redis on 127.0.0.1:6379 (several hosts share the job queue)")
    folder = tmp_path_factory.mktemp("two-hosts")
    queue_name = f"pathway-review-two-hosts-{uuid.uuid4().hex[:10]}"
    with temporary_database(folder) as database_url:
        base_env = {key: value for key, value in os.environ.items()
                    if not key.startswith("PATHWAY_REVIEW_") and key != "DATABASE_URL"}
        # What every host of an installation shares; nothing else is the same between them.
        base_env.update({
            "PATHWAY_REVIEW_DATABASE_URL": database_url, "PATHWAY_REVIEW_QUEUE_URL": REDIS,
            "PATHWAY_REVIEW_QUEUE_NAME": queue_name, "PATHWAY_REVIEW_SECRET_KEY": uuid.uuid4().hex * 2,
            "PATHWAY_REVIEW_PSEUDONYM_KEY": uuid.uuid4().hex * 2, "PATHWAY_REVIEW_PATHWAYS_DIR": str(SAMPLE_PATHWAYS),
            "PATHWAY_REVIEW_TODAY": TODAY, "PATHWAY_REVIEW_LOGIN_RATE_LIMIT": "3/900",
            # The load balancer's X-Forwarded-For is believed, so tests can sign in "from" several addresses.
            "PATHWAY_REVIEW_TRUSTED_PROXIES": "1", "PATHWAY_REVIEW_QUEUE_SWEEP_INTERVAL": "1",
            "PATHWAY_REVIEW_QUEUE_SWEEP_AFTER": "2",
        })

        def env_for(name: str) -> dict:
            return {**base_env, "PATHWAY_REVIEW_INSTANCE_PATH": str(folder / name / "instance")}

        def command(*args, stdin: str = "") -> str:
            done = subprocess.run([str(BIN / "pathway-review"), *args], cwd=ROOT, env=env_for("admin"), input=stdin,
                                  capture_output=True, text=True, timeout=180)
            assert done.returncode == 0, f"{args}: {done.stderr}"
            return done.stdout

        command("init")
        for email, name, role, board in (ACCOUNTS[who] for who in ("gp", "gp-fife", "cfsd")):
            command("users", "create", email, "--name", name, "--role", role,
                    *(["--board", board] if board else []), stdin=PASSWORD + "\n")
        tokens = {email: command("tokens", "create", email).strip() for email in (GP, CFSD)}

        processes, hosts = [], {}
        try:
            for name in ("a", "b"):
                (folder / name).mkdir(exist_ok=True)
                port, access_log = free_port(), folder / name / "access.log"
                process = Process(name, [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--bind",
                                         f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", str(access_log),
                                         "wsgi:app"], env_for(name), folder / name / "server.log")
                processes.append(process)
                hosts[name] = Host(name, f"http://127.0.0.1:{port}", process, access_log)
            (folder / "worker").mkdir(exist_ok=True)
            processes.append(Process("worker", [str(BIN / "pathway-review"), "worker", "--threads", "2"],
                                     env_for("worker"), folder / "worker" / "worker.log"))
            logs = [process.log for process in processes]
            for host in hosts.values():
                until(lambda host=host: _ready(host), 120, f"host {host.name} answering /readyz", logs)
            yield {"hosts": hosts, "tokens": tokens, "logs": logs, "processes": processes}
        finally:
            for process in processes:
                process.stop()
            from huey import RedisHuey

            RedisHuey(queue_name, url=REDIS).flush()


def _ready(host: Host) -> bool:
    try:
        return requests.get(host.url("/readyz"), timeout=5).status_code == 200
    except requests.RequestException:
        return False


def sign_in(browser: requests.Session, host: Host, email: str, password: str = PASSWORD, address: str = "") -> int:
    headers = {"X-Forwarded-For": address} if address else {}
    page = browser.get(host.url("/login"), headers=headers, timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = browser.post(host.url("/login"), data={"email": email, "password": password, "csrf_token": token},
                          headers=headers, allow_redirects=False, timeout=30)
    return answer.status_code


def signed_in_on(browser_or_cookie, host: Host) -> bool:
    """Whether a page for signed-in people opens (rather than sending the browser to sign in)."""
    if isinstance(browser_or_cookie, str):
        page = requests.get(host.url("/"), headers={"Cookie": browser_or_cookie}, allow_redirects=False, timeout=30)
    else:
        page = browser_or_cookie.get(host.url("/"), allow_redirects=False, timeout=30)
    assert page.status_code in (200, 302), page.status_code
    return page.status_code == 200


def test_a_session_from_a_works_on_b_and_signing_out_on_a_ends_it_on_b(installation):
    a, b = installation["hosts"]["a"], installation["hosts"]["b"]
    browser = requests.Session()
    assert not signed_in_on(browser, b)
    assert sign_in(browser, a, GP) == 302
    assert signed_in_on(browser, b), "host B does not know the session host A started"
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    page = browser.get(a.url("/"), timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert browser.post(a.url("/logout"), data={"csrf_token": token}, allow_redirects=False,
                        timeout=30).status_code == 302
    # The cookie from before signing out, as a copied cookie or another tab would still send it.
    assert not signed_in_on(cookie, b), "signing out on host A left the session alive on host B"
    assert not signed_in_on(cookie, a)


def test_sign_in_limits_are_shared(installation):
    a, b = installation["hosts"]["a"], installation["hosts"]["b"]
    guessing = "192.0.2.77"
    # A first wrong try is let through and counted: B itself does not refuse early.
    assert sign_in(requests.Session(), b, "nobody@nowhere.example", "wrong", address="192.0.2.78") == 401
    for _ in range(3):
        assert sign_in(requests.Session(), a, GUESSED, "wrong", address=guessing) == 401
    refused = requests.Session()
    assert sign_in(refused, b, GUESSED, "wrong again", address=guessing) == 429, \
        "host B did not know of the failures on host A"


def test_exports_from_a_and_b_pseudonymise_the_same_person_identically(installation):
    a, b = installation["hosts"]["a"], installation["hosts"]["b"]
    tokens = installation["tokens"]
    submitted = requests.post(a.url(f"/api/v1/pathways/{OPEN[0]}/feedback"), json=api_body(text="Kits run out"),
                              headers={"Authorization": f"Bearer {tokens[GP]}"}, timeout=30)
    assert submitted.status_code == 201, submitted.text
    exports = {}
    for host in (a, b):
        answer = requests.get(host.url("/api/v1/export/feedback.json?pseudonymise=1"), timeout=60,
                              headers={"Authorization": f"Bearer {tokens[CFSD]}"})
        assert answer.status_code == 200, answer.text
        assert ACCOUNTS["gp"][1] not in answer.text and GP not in answer.text
        exports[host.name] = {row["id"]: row["author_name"] for row in answer.json()["rows"]}
    assert exports["a"] and exports["a"] == exports["b"]
    assert all(re.fullmatch(r"Respondent [0-9a-f]{10}", name) for name in exports["a"].values())


def test_both_hosts_say_ready_and_keep_probes_out_of_the_access_log(installation):
    for host in installation["hosts"].values():
        answer = requests.get(host.url("/readyz"), timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "ready"
        assert {"database", "queue"} <= answer.json()["checks"].keys()
        assert requests.get(host.url("/healthz"), timeout=10).json() == {"status": "ok"}
        requests.get(host.url("/login"), timeout=10)
        until(lambda host=host: "GET /login" in host.access_log.read_text(), 10,
              f"host {host.name} logging a page view")
        logged = host.access_log.read_text()
        assert "/readyz" not in logged and "/healthz" not in logged


def test_feedback_submitted_on_a_is_found_on_b_and_withdrawn_on_b_leaves_a(installation):
    a, b = installation["hosts"]["a"], installation["hosts"]["b"]
    tokens = installation["tokens"]
    word = f"quokka{uuid.uuid4().hex[:8]}"

    def found_on(host: Host) -> int:
        answer = requests.get(host.url("/api/v1/search"), params={"q": word}, timeout=30,
                              headers={"Authorization": f"Bearer {tokens[CFSD]}"})
        return answer.json().get("total", 0) if answer.status_code == 200 else 0

    submitted = requests.post(a.url(f"/api/v1/pathways/{OPEN[0]}/feedback"), json=api_body(text=f"The {word} clinic"),
                              headers={"Authorization": f"Bearer {tokens[GP]}"}, timeout=30)
    assert submitted.status_code == 201, submitted.text
    until(lambda: found_on(b) == 1, 2, "feedback submitted on host A being found on host B")
    withdrawn = requests.delete(b.url(f"/api/v1/feedback/{submitted.json()['id']}"), timeout=30,
                                headers={"Authorization": f"Bearer {tokens[GP]}"})
    assert withdrawn.status_code in (200, 204), withdrawn.text
    until(lambda: found_on(a) == 0, 2, "feedback withdrawn on host B leaving host A's search")
