"""A listener that must not act twice: it keeps a ledger of the feedback events it has acted on, by event id.

The ledger is a file in the instance folder, shared by every worker process (under a file lock). Every
delivery is also appended to ``deliveries.txt``, so a test can see repeats the ledger turned away. With
``EVENT_LEDGER_FAIL_BATCHES`` set, every batch fails after its listeners ran (a target that is down).
"""
import fcntl
from pathlib import Path

from pathway_review import hookimpl

title = "Event ledger (outbox test)"


def ledger(app) -> Path:
    return Path(app.instance_path) / "event-ledger.txt"


def acted_on(app) -> list[tuple[int, int]]:
    """(event id, feedback id) of every event acted on, in the order acted on."""
    try:
        lines = ledger(app).read_text().split()
    except FileNotFoundError:
        return []
    return [tuple(int(part) for part in line.split(":")) for line in lines]


@hookimpl
def feedback_submitted(app, feedback, event_id):
    folder = Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)  # creating the app makes no folder; on PostgreSQL nothing else does
    with open(folder / "deliveries.txt", "a") as deliveries:
        deliveries.write(f"{event_id}\n")
    with open(folder / "event-ledger.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if event_id in {event for event, _ in acted_on(app)}:
            return  # delivered before, and acted on then
        with open(ledger(app), "a") as handle:
            handle.write(f"{event_id}:{feedback['id']}\n")
            handle.flush()


@hookimpl
def events_delivered(app, event_ids):
    if app.config.get("EVENT_LEDGER_FAIL_BATCHES"):
        raise ConnectionError("the ledger's target is down")
