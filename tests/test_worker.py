"""A real `pathway-review worker` process beside the app, on SQLite's queue and on Redis: it delivers
events, keeps search up to date and runs periodic tasks; killed with SIGKILL in the middle of a burst of
submissions and started again, it loses no search entry and no listener acts twice on one event."""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from pathway_review.jobs import job_queue
from pathway_review.models import PeriodicRun
from plugins.search.service import service
from tests.conftest import AuthActions, make_app
from tests.feedback_support import OPEN, api_body, token
from tests.fixture_plugins import event_ledger
from tests.jobs_support import pending_events

pytestmark = pytest.mark.slow

API = f"/api/v1/pathways/{OPEN[0]}/feedback"
COMMAND = Path(sys.executable).parent / "pathway-review"


def redis_is_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture(params=["sqlite", "redis"])
def queue_settings(request):
    if request.param == "sqlite":
        return {}
    if not redis_is_running():
        pytest.skip("no Redis on 127.0.0.1:6379")
    return {"QUEUE_URL": "redis://127.0.0.1:6379/0", "QUEUE_NAME": f"pathway-review-test-{uuid.uuid4().hex[:10]}"}


@pytest.fixture
def worker_app(tmp_path, database_url, queue_settings):
    settings = {"QUEUE_IMMEDIATE": False, "PLUGINS": ["tests.fixture_plugins.event_ledger"],
                "QUEUE_CLAIM_SECONDS": 3, "QUEUE_SWEEP_AFTER": 2, "QUEUE_SWEEP_INTERVAL": 1,
                "SEARCH_LOCK_TIMEOUT": 5, **queue_settings,
                # The worker keeping the embedded index current is what is tested here, on either database;
                # PostgreSQL's search rows are written with the change (test_search_postgres, test_two_hosts).
                "SEARCH_BACKEND": "whoosh"}
    instance = tmp_path / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    # The worker process reads the same settings from the instance folder.
    (instance / "config.py").write_text("".join(f"{key} = {value!r}\n" for key, value in settings.items()))
    app = make_app(tmp_path, database_url, **settings)
    yield app
    if queue_settings:
        job_queue(app).huey.flush()
    app.extensions["pathway_review.db"].dispose()


class Worker:
    def __init__(self, app):
        self.app = app
        self.process = None
        self.log = Path(app.instance_path) / "worker.log"

    def start(self):
        env = {**os.environ, "PATHWAY_REVIEW_INSTANCE_PATH": self.app.instance_path,
               "DATABASE_URL": self.app.config["DATABASE_URL"], "PATHWAY_REVIEW_PATHWAYS_DIR":
               self.app.config["PATHWAYS_DIR"], "PATHWAY_REVIEW_TODAY": self.app.config["TODAY"],
               "PATHWAY_REVIEW_SECRET_KEY": self.app.config["SECRET_KEY"],
               "PYTHONPATH": str(Path(__file__).parents[1])}  # the fixture plugins live in tests/
        with open(self.log, "a") as log:
            self.process = subprocess.Popen([str(COMMAND), "worker", "--threads", "2"], env=env, stdout=log,
                                            stderr=subprocess.STDOUT, cwd=Path(__file__).parents[1])
        return self

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(20)


@pytest.fixture
def worker(worker_app):
    worker = Worker(worker_app).start()
    yield worker
    if worker.process.poll() is None:
        worker.kill()


def until(check, timeout: float, what: str, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    tail = worker.log.read_text()[-3000:] if worker else ""
    raise AssertionError(f"{what} did not happen within {timeout}s\n{tail}")


def searcher(app):
    client = app.test_client()
    AuthActions(client).login("cfsd")
    return lambda q: client.get("/api/v1/search", query_string={"q": q}).get_json()["total"]


def test_the_worker_delivers_events_and_runs_periodic_tasks(worker_app, worker):
    search = service(worker_app)
    until(lambda: search.store.current() is not None, 40, "the worker building the index", worker)
    client, headers = worker_app.test_client(), token(worker_app, "gp")
    started = time.monotonic()
    for n in range(5):
        assert client.post(API, json=api_body(text=f"Capybara clinic number {n}"), headers=headers).status_code == 201
    found = searcher(worker_app)
    until(lambda: found("capybara") == 5, 30, "five submissions becoming searchable", worker)
    assert time.monotonic() - started < 30
    assert len(event_ledger.acted_on(worker_app)) == 5
    with worker_app.extensions["pathway_review.db"].sessions() as session:
        runs = {run.name: run for run in session.scalars(select(PeriodicRun))}
    assert runs["core.outbox_sweep"].finished_at and runs["core.outbox_sweep"].error is None
    assert runs["search.maintain"].finished_at
    assert worker.stop() == 0  # SIGTERM: finishes what it is doing and exits


def test_kill_9_of_the_worker_during_a_burst_loses_nothing_and_repeats_nothing(worker_app, worker):
    search = service(worker_app)
    until(lambda: search.store.current() is not None, 40, "the worker building the index", worker)
    client, headers, submitted = worker_app.test_client(), token(worker_app, "gp"), []

    def burst():
        for n in range(40):
            response = client.post(API, json=api_body(text=f"Wombat referral problem {n}"), headers=headers)
            submitted.append(response.get_json()["id"])

    sender = threading.Thread(target=burst)
    sender.start()
    until(lambda: len(event_ledger.acted_on(worker_app)) >= 5, 30, "the first deliveries", worker)
    worker.kill()
    time.sleep(0.5)
    worker.start()
    sender.join(60)
    assert len(submitted) == 40

    until(lambda: not pending_events(worker_app), 40, "every event being delivered", worker)
    found = searcher(worker_app)
    assert found("wombat") == 40
    acted = event_ledger.acted_on(worker_app)
    assert sorted(feedback for _, feedback in acted) == sorted(submitted)
    assert len({event for event, _ in acted}) == len(acted) == 40
    assert worker.stop() == 0
