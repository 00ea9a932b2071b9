"""Records kept as files in the instance folder (their source of truth), announced to search on change.

``worker`` runs in a process of its own, so tests can have several processes writing at once.
"""
import json
import os
from pathlib import Path

from flask import current_app

from pathway_review import hookimpl, outbox
from pathway_review.contracts import SearchDocument

title = "Journal (search test)"
optional = False
NAME = __name__.rsplit(".", 1)[-1]


def folder(app) -> Path:
    return Path(app.instance_path) / "search-journal"


def document(number: int, text: str) -> SearchDocument:
    return SearchDocument(id=f"{NAME}:{number}", kind="journal", title=f"Journal entry {number}",
                          heading="Entry", text=text, url=f"/journal/{number}", plugin=NAME)


def announce(app, documents=(), removed=()) -> None:
    # The files are the source of truth, so the event has a transaction of its own.
    with app.extensions["pathway_review.db"].transaction() as session:
        outbox.record(session, "search_documents_changed", about=([d.id for d in documents] + list(removed))[0],
                      documents=list(documents), removed=list(removed))


def write(app, number: int, text: str) -> None:
    path = folder(app)
    path.mkdir(parents=True, exist_ok=True)
    temporary = path / f".{number}.tmp"
    temporary.write_text(json.dumps({"number": number, "text": text}))
    os.replace(temporary, path / f"{number}.json")
    announce(app, documents=[document(number, text)])


def remove(app, number: int) -> None:
    (folder(app) / f"{number}.json").unlink()
    announce(app, removed=[f"{NAME}:{number}"])


@hookimpl
def search_documents():
    for path in sorted(folder(current_app).glob("*.json")):
        try:
            entry = json.loads(path.read_text())
        except FileNotFoundError:
            continue  # removed since the folder was listed; its removal is announced separately
        yield document(entry["number"], entry["text"])


def worker(config: dict, first: int, count: int, rebuilds: int) -> None:
    """Write ``count`` entries from ``first``, remove every fifth again, rebuild ``rebuilds`` times."""
    from pathway_review import create_app

    app = create_app(config)
    from plugins.search.service import service

    search = service(app)
    with app.app_context():
        for n in range(first, first + count):
            write(app, n, f"entry {n} about wombat ultrasound access")
            if n % 5 == 0:
                remove(app, n)
            if rebuilds and n % max(1, count // rebuilds) == 0:
                search.rebuild(timeout=120, strict=True)
    app.extensions["pathway_review.db"].engine.dispose()
