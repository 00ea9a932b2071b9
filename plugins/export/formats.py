"""CSV, JSON and NDJSON: each written as a stream of byte chunks, one buffer's worth at a time.

A writer takes ``(dataset, columns, rows, filters)`` as :class:`~pathway_review.contracts.ExportFormat`
says, and this plugin's writers also take ``info`` (when and how the export was made) for their
metadata. Rows are read once, in order, and never held: memory stays flat whatever the row count.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from operator import itemgetter
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .cells import ESCAPED, csv_value, json_safe, json_value, neutralise

# Big enough that a WSGI server makes few writes, small enough to keep memory flat.
CHUNK = 64 * 1024
BOM = "\ufeff"  # without it Excel reads UTF-8 as the local code page and mangles accents


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ExportInfo:
    """What the writers of this plugin record about an export beside the rows themselves."""
    exported_at: datetime = field(default_factory=utcnow)
    pseudonymised: bool = False
    # Column headings for people (spreadsheets); a column without one is headed by its name.
    headings: Mapping[str, str] = field(default_factory=dict)


def encode(text: str) -> bytes:
    # A lone surrogate cannot be UTF-8; one odd character must not abort a whole export.
    return text.encode("utf-8", "replace")


def values_of(columns: Sequence[str]) -> Callable[[Mapping[str, Any]], Sequence[Any]]:
    """A function giving a row's values in column order, None for any column the row lacks."""
    columns = list(columns)
    if not columns:
        return lambda row: ()
    fetch = itemgetter(*columns)
    single = len(columns) == 1

    def values(row: Mapping[str, Any]) -> Sequence[Any]:
        # itemgetter runs in C: several times faster per row than one .get() call per column.
        try:
            found = fetch(row)
        except KeyError:
            return [row.get(name) for name in columns]
        return (found,) if single else found

    return values


def write_csv(dataset, columns: Sequence[str], rows: Iterable[Mapping[str, Any]], filters,
              info: ExportInfo | None = None) -> Iterator[bytes]:
    """RFC 4180: comma separated, CRLF line ends, fields with commas, quotes or line breaks quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    headings = info.headings if info else {}
    writer.writerow([neutralise(headings.get(name, name)) for name in columns])
    writerow, tell, values = writer.writerow, buffer.tell, values_of(columns)
    for row in rows:
        # Strings, blanks and integers are nearly every cell: decided inline, without a call (the csv
        # module writes None as an empty field).
        writerow([("'" + v if v[:1] in ESCAPED else v) if type(v) is str
                  else v if v is None or type(v) is int else csv_value(v)
                  for v in values(row)])
        if tell() >= CHUNK:
            yield encode(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    yield encode(buffer.getvalue())


def _encoder():
    return json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=json_value,
                            separators=(",", ":")).encode


def _records(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    dump, values = _encoder(), values_of(columns)
    for row in rows:
        record = dict(zip(columns, values(row)))
        try:
            yield dump(record)
        except ValueError:  # NaN or infinity somewhere in the row
            yield dump({name: json_safe(value) for name, value in record.items()})


def _chunked(parts: Iterable[str]) -> Iterator[bytes]:
    pending: list[str] = []
    size = 0
    for part in parts:
        pending.append(part)
        size += len(part)
        if size >= CHUNK:
            yield encode("".join(pending))
            pending.clear()
            size = 0
    if pending:
        yield encode("".join(pending))


def write_json(dataset, columns: Sequence[str], rows: Iterable[Mapping[str, Any]], filters,
               info: ExportInfo | None = None) -> Iterator[bytes]:
    """One JSON object: what was exported and how, then ``rows`` (one object each), then ``count``."""
    info = info or ExportInfo()
    head = {"dataset": dataset.name, "title": dataset.title, "exported_at": info.exported_at,
            "filters": dict(filters), "pseudonymised": info.pseudonymised, "columns": list(columns)}

    def parts() -> Iterator[str]:
        # The count goes last: it is only known once the rows have gone out.
        yield _encoder()(head)[:-1] + ',"rows":['
        count = 0
        for record in _records(columns, rows):
            yield ("\n" if count == 0 else ",\n") + record
            count += 1
        yield ("\n" if count else "") + f'],"count":{count}}}\n'

    return _chunked(parts())


def write_ndjson(dataset, columns: Sequence[str], rows: Iterable[Mapping[str, Any]], filters,
                 info: ExportInfo | None = None) -> Iterator[bytes]:
    """One JSON object per line (newlines inside values are escaped), for tools that read line by line."""
    return _chunked(record + "\n" for record in _records(columns, rows))
