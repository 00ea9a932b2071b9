"""Excel workbooks: a Responses sheet (frozen, filterable header) and a Summary sheet of counts.

xlsxwriter's constant-memory mode flushes each row to a temporary file once the next row starts, so
rows must be written in order, sheet by sheet; the two sheets are independent, so the Summary is
written first (its counts come from the dataset up front) and gets the row count appended at the end.
The zip container can only be assembled when every row is in, so the workbook is built in an anonymous
temporary file and then streamed from it: disk, not memory, grows with the row count.

Text cells are always written as strings, never through ``write()``, so nothing is parsed as a
formula; text that a spreadsheet would take for one also carries Excel's quote-prefix style, so it
stays text even when someone edits the cell. The value itself is stored exactly.
"""
from __future__ import annotations

import math
import tempfile
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, Iterable, Iterator, Mapping, Sequence

import xlsxwriter

from .cells import TRIGGERS, as_utc, flat_text
from .formats import CHUNK, ExportInfo, values_of

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CELL = 32767  # Excel's limit on the characters in one cell
MAX_ROWS = 1_048_576
TRUNCATED = " [… cut at Excel's cell limit; the full text is in the CSV and JSON exports]"
SAMPLE_ROWS = 200  # column widths are judged from the first rows, not all of them
MIN_WIDTH, MAX_WIDTH = 8, 60
EXACT_INT = 2 ** 53  # beyond this Excel's doubles round integers; such ids are written as text
OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
           "strings_to_urls": False}


class _Cells:
    """Writes one value into one cell of a sheet with the right type and style."""

    def __init__(self, book):
        self.as_text = book.add_format({"quote_prefix": True})
        self.day = book.add_format({"num_format": "yyyy-mm-dd"})
        self.moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.bold = book.add_format({"bold": True})
        self.header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top",
                                       "quote_prefix": True})
        self.title = book.add_format({"bold": True, "font_size": 14})

    def text(self, sheet, r: int, c: int, value: str) -> int:
        if len(value) > MAX_CELL:
            value = value[:MAX_CELL - len(TRUNCATED)] + TRUNCATED
        if value and value[0] in TRIGGERS:
            sheet.write_string(r, c, value, self.as_text)
        else:
            sheet.write_string(r, c, value)
        return max(map(len, value.splitlines() or [""]))

    def put(self, sheet, r: int, c: int, value: Any) -> int:
        """Write any value; return how wide it shows, for column widths."""
        kind = type(value)
        if value is None:
            return 0
        if kind is str:
            return self.text(sheet, r, c, value) if value else 0
        if kind is bool:
            sheet.write_boolean(r, c, value)
            return 5
        if isinstance(value, int):
            if abs(value) < EXACT_INT:
                sheet.write_number(r, c, value)
                return len(str(value))
            return self.text(sheet, r, c, str(value))
        if isinstance(value, (float, Decimal)):
            value = float(value)
            if math.isfinite(value):
                sheet.write_number(r, c, value)
                return min(len(repr(value)), 12)
            return 0
        if isinstance(value, datetime):
            sheet.write_datetime(r, c, as_utc(value).replace(tzinfo=None), self.moment)
            return 19
        if isinstance(value, date):
            sheet.write_datetime(r, c, value, self.day)
            return 10
        return self.text(sheet, r, c, flat_text(value))


def write_xlsx(dataset, columns: Sequence[str], rows: Iterable[Mapping[str, Any]], filters,
               info: ExportInfo | None = None) -> Iterator[bytes]:
    info = info or ExportInfo()
    with tempfile.TemporaryFile() as target:
        _build(target, dataset, list(columns), rows, filters, info)
        target.seek(0)
        while chunk := target.read(CHUNK):
            yield chunk


def _build(target, dataset, columns: list[str], rows, filters, info: ExportInfo) -> None:
    book = xlsxwriter.Workbook(target, OPTIONS)
    cells = _Cells(book)
    responses = book.add_worksheet("Responses")
    summary = book.add_worksheet("Summary")
    next_summary_row = _write_summary(summary, cells, dataset, len(columns), filters, info)

    titles = [info.headings.get(name, name) for name in columns]
    widths = [min(max(len(title), MIN_WIDTH), MAX_WIDTH) for title in titles]
    responses.set_row(0, None, cells.header)
    for c, title in enumerate(titles):
        responses.write_string(0, c, title, cells.header)
    responses.freeze_panes(1, 0)

    rows, values = iter(rows), values_of(columns)
    r = 0
    put = cells.put
    for r, row in enumerate(islice(rows, min(SAMPLE_ROWS, MAX_ROWS - 1)), start=1):
        for c, value in enumerate(values(row)):
            widths[c] = max(widths[c], put(responses, r, c, value))
    text, write_string, as_text = cells.text, responses.write_string, cells.as_text
    sampled = r
    for r, row in enumerate(rows, start=sampled + 1):
        if r >= MAX_ROWS:
            continue  # counted, not written: the Summary says so
        for c, value in enumerate(values(row)):
            if type(value) is str:
                if len(value) > MAX_CELL:
                    text(responses, r, c, value)
                elif value and value[0] in TRIGGERS:
                    write_string(r, c, value, as_text)
                elif value:
                    write_string(r, c, value)
            elif value is not None:
                put(responses, r, c, value)
    matched, written = r, min(r, MAX_ROWS - 1)

    for c, width in enumerate(widths):
        responses.set_column(c, c, min(width, MAX_WIDTH) + 2)
    if columns:
        responses.autofilter(0, 0, max(written, 1), len(columns) - 1)

    summary.write_string(next_summary_row, 0, "Rows in the Responses sheet", cells.bold)
    summary.write_number(next_summary_row, 1, written)
    if matched > written:
        summary.write_string(next_summary_row + 1, 0, f"{matched:,} rows matched but a sheet holds {written:,}: "
                                                      f"export CSV or JSON for every row.")
    book.close()


def _write_summary(sheet, cells: _Cells, dataset, column_count: int, filters, info: ExportInfo) -> int:
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 1, 60)
    cells.text(sheet, 0, 0, dataset.title)
    sheet.set_row(0, None, cells.title)
    labels = {spec.name: spec.label for spec in dataset.filter_specs}
    described = "; ".join(f"{labels.get(name, name)}: {_shown(value)}" for name, value in filters.items())
    facts = [("Exported (UTC)", info.exported_at),
             ("Filters", described or "None: every record"),
             ("Pseudonymised", "Yes: names and email addresses replaced by a pseudonym per person"
              if info.pseudonymised else "No: people who chose to be named are named"),
             ("Columns", column_count)]
    r = 2
    for label, value in facts:
        sheet.write_string(r, 0, label, cells.bold)
        cells.put(sheet, r, 1, value)
        r += 1
    counts = dataset.summary(filters) if dataset.summary is not None else {}
    for heading, pairs in (counts or {}).items():
        r += 1
        cells.text(sheet, r, 0, str(heading))
        sheet.write_string(r, 1, "Count", cells.bold)
        sheet.set_row(r, None, cells.bold)
        r += 1
        for label, count in pairs:
            cells.put(sheet, r, 0, "(none)" if label is None or label == "" else label)
            cells.put(sheet, r, 1, count)
            r += 1
    return r + 1


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
