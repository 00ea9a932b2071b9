"""Export and read back with csv, openpyxl and json: every row, every awkward cell, as the database holds it."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timezone

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from tests.fixture_plugins import export_dataset as fixture

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def app_config():
    return {"PLUGINS": ["tests.fixture_plugins.export_dataset"]}


@pytest.fixture
def cfsd(client, auth):
    auth.login("cfsd")
    return client


def source(**where):
    return [row for row in fixture.source_rows() if all(row[k] == v for k, v in where.items())]


def cell(row, column):
    return row["deliverable" if column == "answer:deliverable" else column]


def utc_text(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


# ---- CSV -------------------------------------------------------------------------------------------

def csv_expected(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + value if value[:1] in (*TRIGGERS, "'") else value
    return value


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads the file as UTF-8"
    return list(csv.reader(io.StringIO(body.decode("utf-8")[1:], newline="")))


def test_csv_round_trips_every_row_with_formulas_neutralised(cfsd):
    response = cfsd.get("/api/v1/export/records.csv?pseudonymise=0")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="records-')
    body = response.get_data()
    assert body.split(b"\r\n", 1)[0] == "\ufeff".encode() + ",".join(fixture.COLUMNS).encode()
    header, *rows = read_csv(body)
    assert header == fixture.COLUMNS
    expected = source()
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected):
        for column, text in zip(header, got):
            value = csv_expected(cell(want, column))
            if isinstance(value, (int, float)):
                assert float(text) == value, (column, want["id"])
            else:
                assert text == str(value), (column, want["id"])
    formula_cells = [c for row in rows for c in row if c[:1] in TRIGGERS and not is_number(c)]
    assert formula_cells == [], "no text cell may start with a formula character"


def test_csv_prefix_is_undone_by_removing_one_apostrophe(cfsd):
    _, *rows = read_csv(cfsd.get("/api/v1/export/records.csv?columns=id,comment").get_data())
    restored = {int(i): (c[1:] if c.startswith("'") else c) for i, c in rows}
    for row in source():
        assert restored[row["id"]] == (row["comment"] or "")
    neutralised = {c for _, c in rows if c.startswith("'")}
    assert {"'" + text for text in fixture.FORMULA_LIKE} <= neutralised


def test_csv_quoting_is_rfc_4180(cfsd):
    body = cfsd.get("/api/v1/export/records.csv?columns=id,comment").get_data().decode("utf-8")
    assert '"He said ""refer now"", then left"' in body
    assert '"comma, separated, values"' in body
    assert '"Line one\nLine two\nLine three"' in body
    assert body.endswith("\r\n")
    assert body.count("\r\n") >= len(source()) + 1


# ---- XLSX --------------------------------------------------------------------------------------------

def xlsx_expected(value):
    if isinstance(value, str):
        if len(value) > 32767:
            return value[:32767 - 80]  # compared as a prefix: the rest is a note that it was cut
        return value or None
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value


def load(body: bytes):
    return openpyxl.load_workbook(io.BytesIO(body))


def test_xlsx_round_trips_every_row_and_nothing_is_a_formula(cfsd):
    response = cfsd.get("/api/v1/export/records.xlsx?pseudonymise=0")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load(response.get_data())
    assert book.sheetnames == ["Responses", "Summary"]
    sheet = book["Responses"]
    assert [c.value for c in sheet[1]] == fixture.COLUMNS
    assert sheet.freeze_panes == "A2"
    expected = source()
    assert sheet.max_row == len(expected) + 1
    for excel_row, want in zip(sheet.iter_rows(min_row=2), expected):
        for column, got in zip(fixture.COLUMNS, excel_row):
            assert got.data_type != "f", (column, want["id"])
            value, wanted = got.value, xlsx_expected(cell(want, column))
            # Excel decodes _xHHHH_ escapes (used for carriage returns and control characters);
            # openpyxl leaves them, so decode them here as Excel would.
            value = unescape(value) if isinstance(value, str) else value
            if isinstance(wanted, str) and len(cell(want, column) or "") > 32767:
                assert value.startswith(wanted) and len(value) <= 32767
                assert "cut at Excel's cell limit" in value
            else:
                assert value == wanted, (column, want["id"])
            if isinstance(value, str) and value.startswith(TRIGGERS):
                assert got.quotePrefix, "formula-like text keeps Excel's text style when edited"


def test_xlsx_columns_are_sized_and_filterable(cfsd):
    sheet = load(cfsd.get("/api/v1/export/records.xlsx?pseudonymise=0").get_data())["Responses"]
    widths = {key: dim.width for key, dim in sheet.column_dimensions.items()}
    assert widths["A"] < widths["H"] <= 63, "ids narrow, comments wide but bounded"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet["A1"].font.bold


def test_xlsx_summary_counts_match_the_rows(cfsd):
    summary = load(cfsd.get("/api/v1/export/records.xlsx?status=new&pseudonymise=0").get_data())["Summary"]
    values = [(row[0].value, row[1].value) for row in summary.iter_rows(max_col=2)]
    assert values[0][0] == "Test records"
    assert ("Filters", "Status: new") in values  # the filter's label, as on the export form
    rows = source(status="new")
    for board in fixture.BOARDS:
        count = sum(1 for r in rows if r["board"] == board)
        if count:
            assert (board, count) in values
    assert ("Rows in the Responses sheet", len(rows)) in values


def test_rows_beyond_a_sheet_are_counted_and_the_summary_says_so(cfsd, monkeypatch):
    monkeypatch.setattr("plugins.export.xlsx.MAX_ROWS", 6)
    book = load(cfsd.get("/api/v1/export/records.xlsx?pseudonymise=0").get_data())
    assert book["Responses"].max_row == 6
    values = [(row[0].value, row[1].value) for row in book["Summary"].iter_rows(max_col=2)]
    assert ("Rows in the Responses sheet", 5) in values
    assert f"{len(source())} rows matched but a sheet holds 5: export CSV or JSON for every row." in [
        label for label, _ in values]


# ---- JSON and NDJSON ------------------------------------------------------------------------------------

def json_expected(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def test_json_keeps_every_value_exactly(cfsd):
    response = cfsd.get("/api/v1/export/records.json?board=fife&pseudonymise=0")
    assert response.mimetype == "application/json"
    document = json.loads(response.get_data())
    expected = source(board="fife")
    assert document["dataset"] == "records"
    assert document["filters"] == {"board": "fife"}
    assert document["columns"] == fixture.COLUMNS
    assert document["pseudonymised"] is False
    assert document["count"] == len(expected) == len(document["rows"])
    for got, want in zip(document["rows"], expected):
        assert got == {c: json_expected(cell(want, c)) for c in fixture.COLUMNS}


def test_ndjson_is_one_exact_record_per_line(cfsd):
    response = cfsd.get("/api/v1/export/records.ndjson?pseudonymise=0")
    assert response.mimetype == "application/x-ndjson"
    lines = response.get_data().decode("utf-8").split("\n")
    assert lines[-1] == ""
    records = [json.loads(line) for line in lines[:-1]]
    assert records == [{c: json_expected(cell(r, c)) for c in fixture.COLUMNS} for r in source()]


# ---- slices -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, where", [
    ("board=tayside", {"board": "tayside"}),
    ("safety=yes", {"safety": True}),
    ("safety=false&status=triaged", {"safety": False, "status": "triaged"}),
])
def test_filters_select_exactly_the_matching_rows(cfsd, query, where):
    document = json.loads(cfsd.get(f"/api/v1/export/records.json?{query}").get_data())
    assert [r["id"] for r in document["rows"]] == [r["id"] for r in source(**where)]


def test_date_range_includes_both_ends(cfsd):
    document = json.loads(cfsd.get("/api/v1/export/records.json?submitted_from=2026-11-03"
                                   "&submitted_to=2026-11-05").get_data())
    assert [r["submitted_on"] for r in document["rows"]] == ["2026-11-03", "2026-11-04", "2026-11-05"]


def test_a_filter_matching_nothing_gives_valid_empty_files(cfsd):
    query = "?submitted_from=2031-01-01"
    header, *rows = read_csv(cfsd.get(f"/api/v1/export/records.csv{query}").get_data())
    assert header == fixture.COLUMNS and rows == []
    sheet = load(cfsd.get(f"/api/v1/export/records.xlsx{query}").get_data())["Responses"]
    assert [c.value for c in sheet[1]] == fixture.COLUMNS and sheet.max_row == 1
    document = json.loads(cfsd.get(f"/api/v1/export/records.json{query}").get_data())
    assert document["rows"] == [] and document["count"] == 0 and document["columns"] == fixture.COLUMNS
    assert cfsd.get(f"/api/v1/export/records.ndjson{query}").get_data() == b""


def test_chosen_columns_come_in_the_order_asked(cfsd):
    header, *rows = read_csv(cfsd.get("/api/v1/export/records.csv?columns=comment,id").get_data())
    assert header == ["comment", "id"]
    assert [int(r[1]) for r in rows] == [r["id"] for r in source()]


# ---- streaming -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "ndjson"])
def test_every_format_is_streamed(cfsd, fmt):
    response = cfsd.get(f"/api/v1/export/records.{fmt}", buffered=False)
    assert response.status_code == 200
    assert response.is_streamed
    assert b"".join(response.response)
    response.close()
