"""Several worker processes writing to one index at once, one of them rebuilding it meanwhile:
afterwards the index holds exactly the records its sources hold, and nothing was lost."""
import multiprocessing

import pytest

from plugins.search.service import service
from tests.fixture_plugins import search_journal
from tests.jobs_support import deliver_outbox, pending_events

WORKERS, ENTRIES = 4, 30


@pytest.fixture
def app_config():
    # A short lock timeout makes writers give up often, leaving their batch to be delivered again.
    # The whoosh index's writer lock is what is under test, whatever the database.
    return {"PLUGINS": ["tests.fixture_plugins.search_journal"], "SEARCH_LOCK_TIMEOUT": 0.05,
            "SEARCH_BACKEND": "whoosh"}


def test_concurrent_writers_lose_nothing(app, client, auth):
    search = service(app)
    auth.login("gp")
    assert client.get("/api/v1/search?q=hoarseness").get_json()["total"]  # the index exists

    config = {key: app.config[key] for key in ("TESTING", "DATABASE_URL", "PATHWAYS_DIR", "TODAY", "SECRET_KEY",
                                               "LIBRARY_CHECK_INTERVAL", "PLUGINS",
                                               "SEARCH_LOCK_TIMEOUT", "QUEUE_IMMEDIATE", "SEARCH_BACKEND")}
    config["INSTANCE_PATH"] = app.instance_path
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=search_journal.worker,
                             args=(config, 1000 * (n + 1), ENTRIES, 3 if n == 0 else 0)) for n in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(240)
    assert [w.exitcode for w in workers] == [0] * WORKERS

    kept = WORKERS * ENTRIES - WORKERS * ENTRIES // 5
    assert len(list(search_journal.folder(app).glob("*.json"))) == kept
    # Batches that found the index busy are delivered again, as the worker's sweep would.
    deliver_outbox(app)
    found = client.get("/api/v1/search?q=wombat").get_json()
    assert found["total"] == kept
    with app.app_context():
        sources = sum(1 for _ in search.documents())
    assert search.store.doc_count() == sources == 243 + kept
    assert pending_events(app) == []
