"""The job queue (huey) and the worker that consumes it.

SQLite storage in the instance folder by default; ``QUEUE_URL=redis://...`` selects Redis for several
hosts. The queue is built on first use, never by ``create_app``. Web processes only put jobs on it;
``pathway-review worker`` runs them, with the periodic tasks of the core and of every plugin.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .contracts import PeriodicTask
from .extensions import app_extension
from .models import PeriodicRun, as_utc, utcnow

log = logging.getLogger(__name__)

KEY = "pathway_review.jobs"
UK = ZoneInfo("Europe/London")


class JobQueue:
    """One app's huey instance and its two tasks: deliver outbox events, run a periodic task."""

    def __init__(self, app):
        self.app = app
        self.huey = _make_huey(app)
        self.deliver_events = self.huey.task(name="deliver_events", retries=2, retry_delay=5)(self._deliver)
        self.run_periodic = self.huey.task(name="run_periodic")(self._run_periodic)
        # Every commit with events puts a job on the queue, but one delivering thread per process is enough:
        # a job that finds another delivering asks it to go round once more and ends. The database's claims
        # still keep workers on several hosts apart; this only spares them splitting a burst into many small
        # batches (each a search index commit) and waiting on each other's locks.
        self._delivering = threading.Lock()
        self._wanted = threading.Event()

    def _deliver(self, event_ids=()):
        from . import outbox

        self._wanted.set()
        while self._wanted.is_set():
            if not self._delivering.acquire(blocking=False):
                return  # the thread holding it sees the wish before it lets go
            try:
                while self._wanted.is_set():
                    self._wanted.clear()
                    # A moment's wait lets the events of a burst arrive and go as one batch.
                    if not self.huey.immediate:
                        time.sleep(float(self.app.config.get("QUEUE_BATCH_WAIT", 0.1)))
                    outbox.deliver_pending(self.app)
            finally:
                self._delivering.release()

    def _run_periodic(self, name: str):
        task = periodic_tasks(self.app).get(name)
        if task is None:
            log.warning("no periodic task %r (its plugin was removed?)", name)
            return
        run_task(self.app, task)

    def depth(self) -> int:
        return 0 if self.huey.immediate else self.huey.pending_count()


def _make_huey(app):
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    name = app.config.get("QUEUE_NAME") or "pathway-review"
    url = app.config.get("QUEUE_URL") or ""
    if app.config.get("QUEUE_IMMEDIATE"):
        # Tests and one-off commands without a worker: a job runs as it is put on the queue.
        return MemoryHuey(name, immediate=True, results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from redis import ConnectionPool

        # Bounded waits: a Redis that does not answer fails a hand-over in seconds (the outbox keeps the
        # event) instead of holding a page. Above huey's 1 s blocking read; the URL may set its own.
        pool = ConnectionPool.from_url(url, socket_connect_timeout=3, socket_timeout=5)
        return RedisHuey(name, connection_pool=pool, results=False)
    if url and not url.startswith("sqlite:///"):
        raise RuntimeError(f"QUEUE_URL must start with redis://, rediss://, unix:// or sqlite:///, not {url[:20]!r}")
    filename = url[len("sqlite:///"):] if url else str(Path(app.instance_path) / "job-queue.sqlite3")
    # No fsync per job (it cost a request ~6 ms): a job lost with the power is only a hint, as the outbox
    # row it points at is durable and the sweep delivers it.
    return SqliteHuey(name, filename=filename, results=False, fsync=False)


def job_queue(app) -> JobQueue:
    return app_extension(app, KEY, JobQueue)


def init_app(app) -> None:
    """Hand committed outbox events to the queue (the queue itself is built on the first commit that has some)."""
    def committed(event_ids):
        job_queue(app).deliver_events(list(event_ids))

    app.extensions["pathway_review.db"].events_committed = committed
    from . import outbox

    outbox.init_app(app)


def run_soon(app, name: str) -> None:
    """Run a periodic task now, in the worker (at once in tests, where the queue is immediate)."""
    job_queue(app).run_periodic(name)


# ---- periodic tasks -------------------------------------------------------------------------------

def periodic_tasks(app) -> dict[str, PeriodicTask]:
    """The core's and every plugin's periodic tasks, by name (collected once per app)."""
    found = app.extensions.get("pathway_review.periodic_tasks")
    if found is None:
        from .plugins import flatten

        plugins = app.extensions["pathway_review.plugins"]
        found = {}
        with app.app_context():
            declared = flatten(plugins.call("periodic_tasks"))
        for task in declared:
            if not isinstance(task, PeriodicTask) or task.name in found:
                log.error("periodic task %r left out: not a PeriodicTask, or its name is taken", task)
                continue
            found[task.name] = task
        app.extensions["pathway_review.periodic_tasks"] = found
    return found


def next_time(task: PeriodicTask, after: datetime) -> datetime:
    if task.every is not None:
        return after + timedelta(seconds=task.every)
    hour, minute = (int(part) for part in task.at.split(":"))
    local = after.astimezone(UK)
    due = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if due <= local:
        due = (local + timedelta(days=1)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return due.astimezone(after.tzinfo)


def claim_due(app, tasks: dict[str, PeriodicTask]) -> list[str]:
    """The tasks due now, each claimed by moving its next time on, so two workers never both run it."""
    database = app.extensions["pathway_review.db"]
    now = utcnow()
    with database.sessions() as session:  # asked every second: no write lock unless something is due
        known = {row.name: as_utc(row.next_due) for row in session.scalars(select(PeriodicRun))}
    if all(name in known and known[name] > now for name in tasks):
        return []
    due = []
    with database.transaction() as session:
        rows = {row.name: row for row in session.scalars(select(PeriodicRun).with_for_update())}
        for name, task in tasks.items():
            row = rows.get(name)
            if row is None:
                first = now if task.every is not None else next_time(task, now)
                row = PeriodicRun(name=name, next_due=first)
                session.add(row)
            if as_utc(row.next_due) <= now:
                row.next_due = next_time(task, now)
                due.append(name)
    return due


def run_task(app, task: PeriodicTask) -> None:
    """Run one periodic task in an app context and record the run; a failure is logged, not raised."""
    database = app.extensions["pathway_review.db"]
    started, clock = utcnow(), time.monotonic()
    error = None
    try:
        with app.app_context():
            task.run(app)
    except Exception as exc:
        log.exception("periodic task %s failed; it runs again at its next time", task.name)
        error = repr(exc)[:2000]
    with database.transaction() as session:
        row = session.get(PeriodicRun, task.name)
        if row is None:
            row = PeriodicRun(name=task.name, next_due=next_time(task, started))
            session.add(row)
        row.started_at, row.finished_at = started, utcnow()
        row.seconds, row.error = round(time.monotonic() - clock, 3), error


# ---- the worker -----------------------------------------------------------------------------------

def run_worker(app, workers: int = 4) -> None:
    """Consume the queue until SIGINT or SIGTERM, with a thread putting periodic tasks on it when due."""
    queue = job_queue(app)
    if queue.huey.immediate:
        raise RuntimeError("QUEUE_IMMEDIATE is on: there is no queue for a worker to consume")
    tasks = periodic_tasks(app)
    stopping = threading.Event()

    def schedule():
        while not stopping.is_set():
            try:
                for name in claim_due(app, tasks):
                    queue.run_periodic(name)
            except Exception:
                log.exception("periodic tasks could not be scheduled; trying again")
            stopping.wait(1.0)

    log.info("worker: %d threads; periodic tasks: %s", workers, ", ".join(sorted(tasks)) or "none")
    try:
        queue.deliver_events([])  # whatever was waiting while no worker ran
    except Exception as exc:  # noqa: BLE001 (any storage's failure to connect; the worker cannot start)
        raise RuntimeError(f"the job queue cannot be reached ({type(exc).__name__}: {exc}); check QUEUE_URL and "
                           "that Redis answers") from None
    # This thread lives in the worker process, never a web process. Due tasks are claimed in the database
    # (claim_due), so several workers on several hosts run each task once; huey's own periodic scheduler
    # would run it once per consumer.
    scheduler = threading.Thread(target=schedule, name="periodic-scheduler", daemon=True)
    scheduler.start()
    consumer = queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=False,
                                          check_worker_health=True, max_delay=0.5)

    def stop_while_starting(_signum, _frame):
        consumer.stop_flag.set()  # the consumer's loop sees it first thing and stops, as its own handler would

    # huey starts its worker threads before it installs its signal handlers; a SIGTERM in between (a
    # deployment stopping a worker that has just started) would otherwise kill it without a clean stop.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop_while_starting)
    try:
        consumer.run()
    finally:
        stopping.set()
        scheduler.join(5)
