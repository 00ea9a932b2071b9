"""The export benchmark's own dataset: feedback-like rows in a table of its own, streamed by a Core query.

Loaded as a plugin by ``benchmarks/export.py`` (never by the app itself), so the benchmark measures the
export plugin against the bare libraries on exactly the same rows and the same query.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, Text, func, insert, select

from pathway_review import hookimpl
from pathway_review.contracts import Dataset, DatasetFilter
from pathway_review.db import get_session

title = "Export benchmark dataset"
BATCH = 5000
metadata = MetaData()
table = Table(
    "bench_feedback", metadata,
    Column("id", Integer, primary_key=True),
    Column("pathway", String(64)), Column("version", String(8)),
    Column("section_id", String(64)), Column("section_title", String(128)),
    Column("type", String(32)), Column("status", String(32)), Column("safety_concern", Boolean),
    Column("board", String(32)), Column("practice_code", String(8)),
    Column("author_name", String(128)), Column("author_email", String(254)),
    Column("text", Text), Column("response", Text), Column("submitted_at", DateTime(timezone=True)),
    Column("deliverable", String(32)), Column("tests_available", String(128)), Column("gp_minutes", Integer),
)

PATHWAYS = [("suspected-colorectal-cancer", "3.0"), ("visible-haematuria", "1.1"), ("headache-in-adults", "1.0")]
SECTIONS = [("red-flags", "Red flags"), ("investigations", "Investigations before referral"),
            ("primary-care-management", "Primary-care management"), ("who-to-refer", "Who to refer"),
            (None, None)]
TYPES = ["red-flags", "referral-criteria", "investigations", "primary-care-management", "patient-information",
         "workload", "other"]
STATUSES = ["new", "acknowledged", "accepted", "partly-accepted", "not-accepted"]
BOARDS = ["ayrshire-and-arran", "borders", "fife", "grampian", "greater-glasgow-and-clyde", "highland",
          "lanarkshire", "lothian", "tayside"]
SENTENCES = [
    "Our practice cannot get a FIT result back within the time this section expects.",
    "The red flags are clear, but \"persistent\" needs a duration, say three weeks.",
    "This moves work onto general practice: repeat bloods should be requested by the clinic.",
    "Please say who tells the patient the result, and who acts on it.",
    "We have no direct access to ultrasound; this step would add weeks for rural patients.",
    "- Thresholds are clear\n- The table of priorities helps\n- The advice-only route needs a contact",
    "=IF(the clinic letter asks us to prescribe, then the 28-day supply should come from them)",
    "+1 to the change in the referral form, which now matches what the hospital asks for.",
    "The patient leaflet should be available in other languages — e.g. العربية, polski, Gàidhlig.",
    "Safety netting advice is sensible 👍; could the pathway give a standard text for the record?",
]
RESPONSES = [None, None, "Thank you. We have clarified the wording in the next draft.",
             "Agreed: the hospital team will request these tests from now on."]
TESTS = ["FBC; ferritin", "FBC; U&E; LFT", "FIT", "FBC; ferritin; FIT; coeliac serology", ""]


def create(engine, count: int, seed: int = 2026) -> None:
    """Fill the table with ``count`` rows, the same rows for the same seed."""
    rng = random.Random(seed)
    metadata.create_all(engine)
    start = datetime(2026, 9, 1, tzinfo=timezone.utc)
    people = [(f"Dr Demo GP {i}", f"demo.gp{i}@example.nhs.scot") for i in range(400)]
    with engine.begin() as connection:
        for first in range(1, count + 1, BATCH):
            batch = []
            for i in range(first, min(first + BATCH, count + 1)):
                pathway, version = rng.choice(PATHWAYS)
                section_id, section_title = rng.choice(SECTIONS)
                name, email = rng.choice(people)
                batch.append({
                    "id": i, "pathway": pathway, "version": version, "section_id": section_id,
                    "section_title": section_title, "type": rng.choice(TYPES), "status": rng.choice(STATUSES),
                    "safety_concern": rng.random() < 0.05, "board": rng.choice(BOARDS),
                    "practice_code": f"P{rng.randrange(1000):03d}", "author_name": name, "author_email": email,
                    "text": " ".join(rng.sample(SENTENCES, rng.randint(1, 3))),
                    "response": rng.choice(RESPONSES),
                    "submitted_at": start + timedelta(seconds=rng.randrange(80 * 86400)),
                    "deliverable": rng.choice(["Yes", "With extra resources", "No", None]),
                    "tests_available": rng.choice(TESTS), "gp_minutes": rng.choice([0, 5, 10, 15, 30, None]),
                })
            connection.execute(insert(table), batch)


def query():
    """The one query both the dataset and the bare baselines stream."""
    c = table.c
    return select(c.id, c.pathway, c.version, c.section_id, c.section_title, c.type, c.status,
                  c.safety_concern, c.board, c.practice_code, c.author_name, c.author_email, c.text,
                  c.response, c.submitted_at, c.deliverable.label("answer:deliverable"),
                  c.tests_available.label("answer:tests_available"),
                  c.gp_minutes.label("answer:gp_minutes")).order_by(c.id)


COLUMNS = [column.name for column in query().selected_columns]


def _rows(filters):
    statement = query()
    if "board" in filters:
        statement = statement.where(table.c.board == filters["board"])
    result = get_session().execute(statement.execution_options(yield_per=1000))
    return iter(result.mappings())


def _summary(filters):
    counts = {}
    for heading, column in (("By section", table.c.section_title), ("By type", table.c.type),
                            ("By board", table.c.board), ("By status", table.c.status)):
        statement = select(column, func.count()).group_by(column).order_by(func.count().desc())
        if "board" in filters:
            statement = statement.where(table.c.board == filters["board"])
        counts[heading] = [(label or "The whole pathway", n) for label, n in get_session().execute(statement)]
    return counts


@hookimpl
def datasets():
    return [Dataset(name="bench", title="Benchmark feedback", rows=_rows, columns=lambda filters: list(COLUMNS),
                    summary=_summary, filter_specs=[DatasetFilter("board", "Board", "choice", BOARDS)],
                    personal_columns=("author_name", "author_email"))]
