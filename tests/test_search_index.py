"""The index's life: built when needed, kept in step with the pathways and other plugins' records
(through outbox events the worker delivers; here, as they are committed), rebuilt on request, and
recovered when damaged or missing, without a search ever failing."""
import os
import shutil

import pytest

from plugins.search.service import service
from pathway_review.jobs import periodic_tasks, run_task
from tests.conftest import SAMPLE_PATHWAYS, AuthActions, make_app
from tests.fixture_plugins import search_journal, search_slow
from tests.jobs_support import deliver_outbox, pending_events, run_queued_jobs

NECK = "suspected-head-and-neck-cancer/1.0.md"


@pytest.fixture
def app_config(tmp_path):
    library = tmp_path / "pathways"
    shutil.copytree(SAMPLE_PATHWAYS, library)
    # The life of the whoosh index in the instance folder, whatever the database.
    return {"PATHWAYS_DIR": str(library), "PLUGINS": ["tests.fixture_plugins.search_journal"],
            "SEARCH_LOCK_TIMEOUT": 0.2, "SEARCH_BACKEND": "whoosh"}


@pytest.fixture
def search(app):
    return service(app)


def urls(client, q):
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [r["url"] for r in response.get_json()["results"]]


def edit(app, name, old, new):
    path = os.path.join(app.config["PATHWAYS_DIR"], name)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert old in text
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text.replace(old, new))


def source_count(search, app):
    with app.app_context():
        return sum(1 for _ in search.documents())


def test_apps_start_without_building_an_index_until_someone_searches(app, client, auth, search):
    assert search.store.current() is None
    auth.login("gp")
    assert urls(client, "hoarseness")
    assert search.store.doc_count() == source_count(search, app) == 243


def test_the_worker_builds_a_missing_index_in_its_periodic_task(app, client, auth, search):
    assert search.store.current() is None
    run_task(app, periodic_tasks(app)["search.maintain"])
    assert search.store.current() is not None and search.store.doc_count() == 243
    auth.login("gp")
    assert urls(client, "hoarseness")


def test_an_edited_pathway_is_found_by_its_new_words_at_the_next_search(app, client, auth):
    auth.login("gp")
    assert urls(client, "zebrafinch") == []
    edit(app, NECK, "Persistent hoarseness", "Persistent zebrafinch hoarseness")
    assert urls(client, "zebrafinch") == ["/pathways/suspected-head-and-neck-cancer/1.0/#throat-and-voice"]


def test_a_section_taken_out_of_a_pathway_leaves_the_index(app, client, auth, search):
    auth.login("gp")
    assert "/pathways/suspected-head-and-neck-cancer/1.0/#throat-and-voice" in urls(client, "hoarseness")
    edit(app, NECK, "### Throat and voice", "Throat and voice:")
    assert all("#throat-and-voice" not in url for url in urls(client, "hoarseness"))
    assert search.store.doc_count() == source_count(search, app) == 242


def test_a_new_pathway_file_is_found(app, client, auth):
    auth.login("gp")
    folder = os.path.join(app.config["PATHWAYS_DIR"], "zebrafinch-fever")
    os.makedirs(folder)
    with open(os.path.join(SAMPLE_PATHWAYS, "dyspepsia", "1.0.md"), encoding="utf-8") as handle:
        text = handle.read().replace("title: Dyspepsia", "title: Zebrafinch fever")
    with open(os.path.join(folder, "1.0.md"), "w", encoding="utf-8") as handle:
        handle.write(text)
    assert urls(client, "zebrafinch")[0].startswith("/pathways/zebrafinch-fever/1.0/#")


def test_replaced_records_are_merged_away_in_the_background(app, client, auth, search):
    auth.login("gp")
    urls(client, "hoarseness")
    search.compact_interval = 0
    edit(app, NECK, "Persistent hoarseness", "Persistent zebrafinch hoarseness")
    assert urls(client, "zebrafinch")
    assert search.wait(60)
    _, ix = search.store.open()
    assert ix.doc_count_all() == ix.doc_count() == 243
    assert (search.store.root / "compacted").exists()
    assert urls(client, "zebrafinch") == ["/pathways/suspected-head-and-neck-cancer/1.0/#throat-and-voice"]


def test_records_announced_by_a_plugin_are_found_and_forgotten(app, client, auth, search):
    auth.login("gp")
    urls(client, "hoarseness")
    with app.app_context():
        search_journal.write(app, 7, "a note about capybara clinics")
    assert urls(client, "capybara") == ["/journal/7"]
    with app.app_context():
        search_journal.write(app, 7, "a note about okapi clinics")
    assert urls(client, "capybara") == [] and urls(client, "okapi") == ["/journal/7"]
    with app.app_context():
        search_journal.remove(app, 7)
    assert urls(client, "okapi") == []
    assert search.store.doc_count() == source_count(search, app) == 243


def test_a_change_made_while_another_process_writes_is_delivered_again_later(app, client, auth, search):
    auth.login("gp")
    urls(client, "hoarseness")
    with search.store.writing(timeout=1):
        edit(app, NECK, "Persistent hoarseness", "Persistent zebrafinch hoarseness")
        response = client.get("/search?q=zebrafinch")
        assert response.status_code == 200 and "0 results" in response.get_data(as_text=True)
        [waiting] = pending_events(app)
        assert waiting.name == "search_documents_changed" and "IndexBusy" in waiting.last_error
    assert deliver_outbox(app) == 1
    assert urls(client, "zebrafinch") == ["/pathways/suspected-head-and-neck-cancer/1.0/#throat-and-voice"]
    assert pending_events(app) == []


def test_a_record_added_and_removed_while_the_lock_was_held_stays_removed(app, client, auth, search):
    auth.login("gp")
    urls(client, "hoarseness")
    with search.store.writing(timeout=1), app.app_context():
        search_journal.write(app, 5, "a fleeting capybara")
        search_journal.write(app, 6, "a lasting capybara")
        search_journal.remove(app, 5)
        search_journal.write(app, 6, "a lasting okapi")
        assert len(pending_events(app)) == 4
    assert deliver_outbox(app) == 4
    assert urls(client, "capybara") == [] and urls(client, "okapi") == ["/journal/6"]
    assert search.store.doc_count() == source_count(search, app) == 244


def test_rebuild_command_rebuilds_from_every_plugin(app, runner, search):
    with app.app_context():
        search_journal.write(app, 1, "wombat")
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Search index rebuilt (whoosh): 244 records" in result.output
    first = search.store.current()
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    folders = sorted(p.name for p in search.store.root.iterdir() if p.name.startswith("gen-"))
    assert first not in folders and len(folders) == 2  # the one in use and the one before
    status = runner.invoke(args=["search", "status"])
    assert "244 records, 0 event(s) waiting for the worker" in status.output


def test_status_before_any_index_says_how_to_build_one(runner):
    assert "pathway-review search rebuild" in runner.invoke(args=["search", "status"]).output


def garble(folder, how):
    for path in folder.iterdir():
        if path.is_file() and how == "truncate":
            path.write_bytes(b"")
        elif path.is_file() and how == "noise":
            path.write_bytes(os.urandom(max(64, path.stat().st_size)))


@pytest.mark.parametrize("damage", ["truncate", "noise", "delete folder", "delete generation", "garble CURRENT"])
def test_a_damaged_or_missing_index_is_rebuilt_while_search_still_answers(app, client, auth, search, damage):
    auth.login("gp")
    assert urls(client, "hoarseness")
    damaged = search.store.current()
    root, generation = search.store.root, search.store.root / damaged
    if damage in ("truncate", "noise"):
        garble(generation, damage)
    elif damage == "delete folder":
        shutil.rmtree(root)
    elif damage == "delete generation":
        shutil.rmtree(generation)
    else:
        (root / "CURRENT").write_bytes(b"\xff\x00 not a generation")
    response = client.get("/search?q=hoarseness")
    assert response.status_code in (200, 503)
    if response.status_code == 503:
        assert "Search is being rebuilt" in response.get_data(as_text=True)
    assert search.wait(60)
    assert urls(client, "hoarseness")[0] == "/pathways/suspected-head-and-neck-cancer/1.0/#throat-and-voice"
    assert search.store.current() != damaged
    assert search.store.doc_count() == 243


@pytest.fixture
def slow(app_config):
    search_slow.release.clear()
    yield {**app_config, "PLUGINS": ["tests.fixture_plugins.search_slow"], "SEARCH_REBUILD_WAIT": 0}
    search_slow.release.set()


def test_while_the_index_is_built_the_page_says_so(tmp_path, database_url, slow):
    # A real queue this time (SQLite in the instance folder): the rebuild waits for a worker.
    app = make_app(tmp_path, database_url, **slow, QUEUE_IMMEDIATE=False)
    client = app.test_client()
    AuthActions(client).login("gp")
    page = client.get("/search?q=hoarseness")
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert "Search is being rebuilt" in page.get_data(as_text=True)
    assert 'value="hoarseness"' in page.get_data(as_text=True)
    api = client.get("/api/v1/search?q=hoarseness")
    assert api.status_code == 503 and api.get_json()["rebuilding"] is True
    search_slow.release.set()
    assert run_queued_jobs(app) >= 1
    assert client.get("/api/v1/search?q=tortoise").get_json()["total"] == 1
    app.extensions["pathway_review.db"].engine.dispose()


def test_an_index_that_still_fails_after_a_rebuild_gives_a_clear_message(app, client, auth, search, monkeypatch):
    auth.login("gp")
    assert urls(client, "hoarseness")
    before = search.store.current()
    search.rebuild_wait = 60  # let the rebuild finish within the request, however busy the machine

    def broken(*args, **kwargs):
        raise RuntimeError("unreadable segment")

    monkeypatch.setattr("plugins.search.engine.search", broken)
    page = client.get("/search?q=hoarseness")
    assert page.status_code == 503 and "Search cannot answer just now" in page.get_data(as_text=True)
    api = client.get("/api/v1/search?q=hoarseness")
    assert api.status_code == 503 and api.get_json()["rebuilding"] is False
    rebuilt = search.store.current()
    assert rebuilt != before  # rebuilt once, then not again: the fault was not in the index
    client.get("/search?q=hoarseness")
    assert search.store.current() == rebuilt
