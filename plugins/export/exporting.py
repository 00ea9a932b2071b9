"""One export from request to last byte: find the dataset and format, check the filters, stream, audit.

Shared by the export page, the API and the command line, so the three accept exactly the same input
and say exactly the same things about what is wrong with it.
"""
from __future__ import annotations

import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from itertools import count
from operator import itemgetter
from typing import Any, Iterable, Iterator, Mapping, Sequence

from flask import current_app, has_app_context

from pathway_review.plugin_api import Dataset, DatasetFilter, ExportFormat, audit, database, flatten, inputs, page_hook

from .formats import ExportInfo
from .pseudonyms import pseudonymiser

log = logging.getLogger(__name__)

# Who may export at all; a dataset's own ``roles`` can narrow it further.
EXPORT_ROLES = ("cfsd", "admin")
# Query parameters that are options of the export rather than filters of the dataset.
OPTIONS = ("format", "columns", "pseudonymise")
TRUE, FALSE = {"1", "true", "yes", "y", "on"}, {"0", "false", "no", "n", "off"}
MAX_TEXT = 200


class ExportProblem(Exception):
    """Something about the request the person can fix; ``code`` is the HTTP status to answer with.

    ``errors`` lists ``{"field", "message"}`` for every bad filter or option, so a form can mark each.
    """

    def __init__(self, code: int, message: str, field: str | None = None,
                 errors: list[dict[str, str]] | None = None, **extra: Any):
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra
        self.errors = errors if errors is not None else ([{"field": field, "message": message}] if field else [])
        self.field = field or (self.errors[0]["field"] if self.errors else None)

    def details(self) -> dict[str, Any]:
        if self.errors:
            return {**self.extra, "field": self.field, "errors": self.errors}
        return dict(self.extra)


@dataclass
class Export:
    dataset: Dataset
    format: ExportFormat
    filters: dict[str, Any]
    columns: list[str]
    pseudonymise: bool = False
    chosen_columns: bool = False
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    rows: int = 0

    @property
    def filename(self) -> str:
        """Says what was exported: the dataset, then each filter's value in the dataset's order, then the day."""
        parts = [self.dataset.name]
        for spec in self.dataset.filter_specs:
            value = self.filters.get(spec.name)
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                parts.append(spec.name if value else f"not-{spec.name}")
            elif isinstance(value, date):
                parts.append(f"{spec.name.rpartition('_')[2]}-{value.isoformat()}")
            else:
                parts.append(str(value))
        parts.append(date.today().isoformat())
        stem = "-".join(filter(None, (re.sub(r"[^A-Za-z0-9_.]+", "-", part).strip("-.") for part in parts)))
        return f"{stem[:150].rstrip('-.') or 'export'}.{self.format.extension.lstrip('.')}"

    def audit_detail(self) -> dict[str, Any]:
        detail = {"format": self.format.name, "filters": self.filters, "pseudonymised": self.pseudonymise,
                  "export_id": self.id}
        if self.chosen_columns:
            detail["columns"] = self.columns
        return detail


# ---- what can be exported ----------------------------------------------------------------------

def all_datasets() -> dict[str, Dataset]:
    """Every dataset the current board's plugins offer (a plugin whose hook fails is left out)."""
    found: dict[str, Dataset] = {}
    for dataset in flatten(page_hook("datasets")):
        if dataset.name in found:
            log.warning("two plugins offer a dataset called %r; the first is used", dataset.name)
            continue
        found[dataset.name] = dataset
    return found


def may_export(user, dataset: Dataset) -> bool:
    """``user`` None is the command line: whoever runs it already holds the server's keys."""
    return user is None or not dataset.roles or user.role in dataset.roles


def datasets_for(user) -> dict[str, Dataset]:
    return {name: d for name, d in all_datasets().items() if may_export(user, d)}


def all_formats() -> dict[str, ExportFormat]:
    found: dict[str, ExportFormat] = {}
    for fmt in sorted(flatten(page_hook("export_formats")), key=lambda f: f.meta.get("order", 50)):
        found.setdefault(fmt.name, fmt)
    return found


def find_dataset(name: str, user) -> Dataset:
    datasets = all_datasets()
    dataset = datasets.get(name)
    if dataset is None:
        valid = sorted(n for n, d in datasets.items() if may_export(user, d))
        raise ExportProblem(404, f"There is no dataset called '{name}'. Datasets you can export: "
                                 f"{', '.join(valid) or 'none'}.", datasets=valid)
    if not may_export(user, dataset):
        raise ExportProblem(403, f"Your account cannot export {dataset.title}.")
    return dataset


def find_format(name: str) -> ExportFormat:
    formats = all_formats()
    if name not in formats:
        raise ExportProblem(404, f"There is no export format called '{name}'. Formats: "
                                 f"{', '.join(formats)}.", formats=list(formats))
    return formats[name]


# ---- the request's filters and options ---------------------------------------------------------

def parse_filters(dataset: Dataset, args: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Filters from query-string values (``{name: [values]}``); blank values mean "any"."""
    specs = {spec.name: spec for spec in dataset.filter_specs}
    filters: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for name, raw_values in args.items():
        if name in OPTIONS:
            continue
        spec = specs.get(name)
        if spec is None:
            errors.append({"field": name, "message": f"'{name[:50]}' is not a filter of {dataset.title}. "
                                                     f"Filters: {', '.join(specs) or 'none'}."})
            continue
        values = list(dict.fromkeys(v.strip() for v in raw_values if v and v.strip()))
        try:
            if len(values) > 1:
                raise ExportProblem(400, f"{spec.label}: give one value, not {len(values)}.", field=name)
            if values:
                filters[name] = parse_value(spec, values[0])
        except ExportProblem as problem:
            errors.extend(problem.errors)
    for name, value in filters.items():
        start = name[:-3] + "_from" if name.endswith("_to") else None
        if start in filters and isinstance(value, date) and filters[start] > value:
            errors.append({"field": name, "message": f"{specs[name].label} must be on or after "
                                                     f"{specs[start].label[:1].lower()}{specs[start].label[1:]}."})
    if errors:
        raise ExportProblem(400, " ".join(e["message"] for e in errors), errors=errors)
    return filters


def parse_value(spec: DatasetFilter, raw: str) -> Any:
    if spec.kind == "choice" and spec.choices:
        choices = [str(choice) for choice in spec.choices]
        if raw not in choices:
            shown = ", ".join(choices[:25]) + (" …" if len(choices) > 25 else "")
            raise ExportProblem(400, f"{spec.label}: '{raw[:50]}' is not one of the choices ({shown}).",
                                field=spec.name)
        return raw
    if spec.kind == "bool":
        if raw.lower() in TRUE:
            return True
        if raw.lower() in FALSE:
            return False
        raise ExportProblem(400, f"{spec.label} must be yes or no.", field=spec.name)
    if spec.kind == "date":
        try:
            return inputs.bounded_date(raw, spec.name)
        except inputs.InputError:
            first, last = inputs.FIRST_YEAR, inputs.LAST_YEAR
            raise ExportProblem(400, f"{spec.label} must be a real date between {first} and {last}, "
                                     f"written as year-month-day, for example 2026-11-21.",
                                field=spec.name) from None
    if len(raw) > MAX_TEXT:
        raise ExportProblem(400, f"{spec.label} must be {MAX_TEXT} characters or fewer.", field=spec.name)
    return raw


def parse_flag(raw: str | None, name: str, default: bool = False) -> bool:
    if raw is None or raw.strip() == "":
        return default
    if raw.strip().lower() in TRUE:
        return True
    if raw.strip().lower() in FALSE:
        return False
    raise ExportProblem(400, f"{name} must be yes or no.", field=name)


def parse_columns(dataset: Dataset, filters: Mapping[str, Any], raw: str | None) -> tuple[list[str], bool]:
    available = list(dataset.columns(filters))
    wanted = [name.strip() for name in (raw or "").split(",") if name.strip()]
    if not wanted:
        return available, False
    unknown = [name for name in wanted if name not in available]
    if unknown:
        raise ExportProblem(400, f"No column called {', '.join(repr(n) for n in unknown)} in {dataset.title}. "
                                 f"Columns: {', '.join(available)}.", field="columns")
    return list(dict.fromkeys(wanted)), True


def prepare(dataset_name: str, format_name: str, args: Mapping[str, Sequence[str]], user) -> Export:
    dataset = find_dataset(dataset_name, user)
    fmt = find_format(format_name)
    filters = parse_filters(dataset, args)
    first = lambda name: (args.get(name) or [None])[-1]  # noqa: E731
    columns, chosen = parse_columns(dataset, filters, first("columns"))
    # Pseudonymised unless the person asks for names: most analysis needs no one's identity.
    pseudonymise = parse_flag(first("pseudonymise"), "pseudonymise", default=True)
    return Export(dataset, fmt, filters, columns, pseudonymise, chosen)


# ---- running it ------------------------------------------------------------------------------------

def _record(action: str, export: Export, actor, app=None, **detail: Any) -> None:
    if app is not None and not has_app_context():
        # A download abandoned before its first byte is closed by the garbage collector, outside
        # the request; its end still belongs in the audit log.
        with app.app_context():
            return _record(action, export, actor, **detail)
    with database().transaction() as session:
        audit.record(action, export.dataset.name, session=session, actor=actor,
                     board_id=getattr(actor, "board_id", None), **detail)


def stream(export: Export, actor, via: str) -> Iterator[bytes]:
    """The export's bytes. Audited before the first byte; its end (rows, or why it stopped) after the last."""
    _record("export", export, actor, via=via, **export.audit_detail())
    # The installation's pseudonym key (SECRET_KEY unless one of its own is set), shared by every host.
    secret = current_app.config["PSEUDONYM_KEY"]
    # Rows are counted by zipping them with a counter: all in C, unlike a counting generator, which
    # costs a tenth of a CSV export's time. Reading the counter once at the end gives the total.
    counter = count()

    def chunks() -> Iterator[bytes]:
        rows: Iterable[Mapping[str, Any]] = export.dataset.rows(export.filters)
        personal = list(export.dataset.personal_columns)
        if export.pseudonymise and personal:
            rows = map(pseudonymiser(secret, personal), rows)
        if export.format.meta.get("for_people") and export.dataset.labeller is not None:
            rows = map(export.dataset.labeller(export.filters), rows)
        yield from _written(export, map(itemgetter(0), zip(rows, counter)))

    return _audited(export, actor, chunks(), counter, current_app._get_current_object())


def _written(export: Export, rows: Iterator[Mapping[str, Any]]) -> Iterable[bytes]:
    # Writers from other plugins take the contract's four arguments; this plugin's own (marked
    # ``meta["info"]``) also record when the export was made and whether it was pseudonymised.
    fmt = export.format
    if fmt.meta.get("info"):
        headings = {}
        if fmt.meta.get("for_people") and export.dataset.headings is not None:
            headings = dict(export.dataset.headings(export.filters))
        return fmt.write(export.dataset, export.columns, rows, export.filters,
                         info=ExportInfo(pseudonymised=export.pseudonymise, headings=headings))
    return fmt.write(export.dataset, export.columns, rows, export.filters)


def _audited(export: Export, actor, chunks: Iterable[bytes], counter, app) -> Iterator[bytes]:
    started = time.monotonic()
    outcome, detail = "export.completed", {}
    try:
        yield from chunks
    except GeneratorExit:  # the client went away mid-download
        outcome = "export.incomplete"
        raise
    except Exception as exc:
        outcome, detail = "export.failed", {"error": type(exc).__name__}
        raise
    finally:
        export.rows = next(counter)
        try:
            _record(outcome, export, actor, app, export_id=export.id, rows=export.rows,
                    seconds=round(time.monotonic() - started, 3), **detail)
        except Exception:  # the rows have gone out; a lost audit line must not hide that
            log.exception("could not record the end of export %s", export.id)
