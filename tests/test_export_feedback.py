"""Round trip through the real feedback dataset: what GPs wrote comes out of every format intact."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest
from flask import g
from openpyxl.utils.escape import unescape
from sqlalchemy import select

from pathway_review.models import User
from plugins.export.cells import json_value
from pathway_review.plugins import host
from tests.conftest import ACCOUNTS

pytest.importorskip("plugins.feedback")

ROUND = {"pathway": "suspected-colorectal-cancer", "version": "3.0"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
QUERY = "pathway=suspected-colorectal-cancer&version=3.0"
TEXTS = [
    '=HYPERLINK("http://evil.example","Click for details")',
    "+1 for this change, it helps",
    "-2 weeks of waiting before referral",
    "@SUM(1+1) is what the clinic letter says",
    'Line one\nLine two, with "quotes" and, commas',
    "Emoji 🩺👍🏽 café Ærø — مرحبا بالعالم — שלום",
]


@pytest.fixture
def seeded(app, client, auth, runner):
    result = runner.invoke(args=["feedback", "demo", "150", "--seed", "11"])
    assert result.exit_code == 0, result.output
    auth.login("gp")
    for text in TEXTS:
        response = client.post("/api/v1/pathways/suspected-colorectal-cancer/feedback",
                               json={"version": "3.0", "type": "other", "text": text},
                               headers={"X-CSRFToken": _csrf(client)})
        assert response.status_code == 201, response.get_json()
    auth.logout()
    auth.login("cfsd")
    return client


def _csrf(client):
    from tests.conftest import csrf_token

    return csrf_token(client)


def feedback_dataset(app):
    with app.test_request_context("/"):
        g.hooks = host().view(None)
        return next(d for d in host().call("datasets", view=g.hooks) for d in d if d.name == "feedback")


def dataset_rows(app, filters, for_people=False):
    """The feedback plugin's own reading of its records: the source the export must reproduce."""
    with app.test_request_context("/"):
        with app.extensions["pathway_review.db"].sessions() as session:
            g.user = session.scalar(select(User).where(User.email == ACCOUNTS["cfsd"][0]))
        g.hooks = host().view(None)
        dataset = next(d for d in host().call("datasets", view=g.hooks) for d in d if d.name == "feedback")
        rows = [dict(row) for row in dataset.rows(filters)]
        if for_people:
            label = dataset.labeller(filters)
            rows = [label(row) for row in rows]
        return dataset.columns(filters), rows


def test_feedback_round_trips_through_csv_xlsx_and_json(app, seeded):
    columns, rows = dataset_rows(app, ROUND)
    assert len(rows) > len(TEXTS)
    assert {t for t in TEXTS} <= {r["text"] for r in rows}
    assert any(c.startswith("answer:") for c in columns)

    # Identified, so that named rows come out as they are; JSON keeps column names and codes.
    document = json.loads(seeded.get(f"/api/v1/export/feedback.json?{QUERY}&pseudonymise=0").get_data())
    assert document["columns"] == columns
    assert document["rows"] == [{c: json_value(r[c]) if isinstance(r[c], datetime) else r.get(c) for c in columns}
                                for r in rows]

    # Spreadsheets are for people: headings and labels, real dates.
    _, shown = dataset_rows(app, ROUND, for_people=True)
    with app.test_request_context("/"):
        g.hooks = host().view(None)
        headings = feedback_dataset(app).headings(ROUND)
    body = seeded.get(f"/api/v1/export/feedback.csv?{QUERY}&pseudonymise=0").get_data().decode("utf-8")
    header, *lines = list(csv.reader(io.StringIO(body[1:], newline="")))
    assert header == [headings[c] for c in columns] and len(lines) == len(rows)
    assert header[:3] == ["Feedback number", "Pathway", "Version"] and "Health Board" in header
    assert "Can your practice act on the proposed FIT threshold as written?" in header
    for line, row in zip(lines, shown):
        for column, text in zip(columns, line):
            value = row.get(column)
            if value is None:
                assert text == ""
            elif isinstance(value, datetime):
                assert text == value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
            elif isinstance(value, str):
                assert text == ("'" + value if value.startswith(FORMULA_START) else value), column
            else:
                assert float(text) == value

    sheet = openpyxl.load_workbook(io.BytesIO(seeded.get(f"/api/v1/export/feedback.xlsx?{QUERY}&pseudonymise=0")
                                              .get_data()))["Responses"]
    assert [c.value for c in sheet[1]] == [headings[c] for c in columns]
    for excel_row, row in zip(sheet.iter_rows(min_row=2), shown, strict=True):
        for column, got in zip(columns, excel_row):
            assert got.data_type != "f"
            expected = row.get(column)
            if isinstance(expected, datetime):
                assert got.is_date, column
                assert abs(got.value - expected.astimezone(timezone.utc).replace(tzinfo=None)) < timedelta(seconds=1)
                continue
            value = unescape(got.value) if isinstance(got.value, str) else got.value
            assert value == (expected if expected != "" else None), column


def test_spreadsheets_show_labels_and_name_the_file_after_the_filter(app, seeded):
    response = seeded.get(f"/export/feedback/download?format=xlsx&{QUERY}&board=lothian")
    assert response.status_code == 200
    today = date.today().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="feedback-suspected-colorectal-cancer-3.0-lothian-{today}.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data()))["Responses"]
    header = [c.value for c in sheet[1]]
    board, status, section = header.index("Health Board"), header.index("Status"), header.index("Section")
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {row[board] for row in values} == {"NHS Lothian"}
    assert {row[status] for row in values} <= {"New", "Acknowledged", "Accepted", "Partly accepted",
                                               "Not accepted", "Changed in next version"}
    assert "The whole pathway" in {row[section] for row in values}
    safety = seeded.get("/api/v1/export/feedback.csv?safety=yes&submitted_from=2026-11-01")
    assert safety.headers["Content-Disposition"] == (
        f'attachment; filename="feedback-safety-from-2026-11-01-{today}.csv"')


def test_feedback_filters_from_the_dashboard_are_accepted(app, seeded):
    for query in ("board=lothian", "safety=yes", "type=other&status=new",
                  "submitted_from=2026-10-01&submitted_to=2026-11-21", "round=suspected-colorectal-cancer/3.0"):
        response = seeded.get(f"/api/v1/export/feedback.json?{query}")
        assert response.status_code == 200, (query, response.get_data()[:300])
        _, rows = dataset_rows(app, _parsed(app, query))
        assert response.get_json()["count"] == len(rows), query


def _parsed(app, query):
    from urllib.parse import parse_qs

    from plugins.export.exporting import parse_filters

    with app.test_request_context("/"):
        g.hooks = host().view(None)
        dataset = next(d for d in host().call("datasets", view=g.hooks) for d in d if d.name == "feedback")
        return parse_filters(dataset, parse_qs(query))


def test_feedback_summary_sheet_counts_sections_types_boards_and_statuses(seeded):
    book = openpyxl.load_workbook(io.BytesIO(seeded.get(f"/api/v1/export/feedback.xlsx?{QUERY}").get_data()))
    labels = [row[0].value for row in book["Summary"].iter_rows(max_col=1)]
    for heading in ("By section", "By type", "By board", "By status"):
        assert heading in labels


def test_the_consultation_dashboard_offers_downloads_of_its_round(seeded):
    page = seeded.get("/consultations/suspected-colorectal-cancer/3.0/").get_data(as_text=True)
    href = "/export/feedback/download?format=xlsx&amp;pathway=suspected-colorectal-cancer&amp;version=3.0"
    assert href in page and "Download Excel" in page
    response = seeded.get(href.replace("&amp;", "&"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data()))["Responses"]
    assert sheet.max_row > len(TEXTS)
