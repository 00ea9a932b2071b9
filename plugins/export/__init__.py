"""Export: any dataset another plugin contributes, as CSV, Excel, JSON or NDJSON, filtered and streamed.

This plugin owns the formats and knows nothing of anyone's tables: records arrive through the
``datasets`` hook and leave through the ``export_formats`` hook's writers, so a plugin can add a
dataset, or a format, without touching this one.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import url_for

from pathway_review.plugin_api import Action, ExportFormat, NavLink, hookimpl

from .exporting import EXPORT_ROLES, all_formats, datasets_for
from .formats import write_csv, write_json, write_ndjson
from .xlsx import MIMETYPE as XLSX_MIMETYPE, write_xlsx

title = "Export"
description = "Download feedback and other records as CSV, Excel, JSON or NDJSON, filtered and streamed."
optional = False


@hookimpl
def config_settings():
    from pathway_review.plugin_api import Setting

    # Each export can be a large query, so a person gets a few per ten minutes.
    return [Setting("EXPORT_RATE_LIMIT", "rate", "30/600", "exports per seconds, per person")]

FORMATS = [
    ExportFormat("csv", "CSV", "text/csv", "csv", write_csv, meta={
        "order": 10, "label": "CSV", "link": True, "info": True, "for_people": True,
        "choice": "CSV (comma-separated values, opens in any spreadsheet)"}),
    ExportFormat("xlsx", "Excel workbook", XLSX_MIMETYPE, "xlsx", write_xlsx, meta={
        "order": 20, "label": "Excel", "link": True, "info": True, "for_people": True,
        "choice": "Excel workbook, with a summary sheet of counts"}),
    ExportFormat("json", "JSON", "application/json", "json", write_json, meta={
        "order": 30, "label": "JSON", "link": True, "info": True,
        "choice": "JSON, with the filters and time of the export"}),
    ExportFormat("ndjson", "NDJSON", "application/x-ndjson", "ndjson", write_ndjson, meta={
        "order": 40, "label": "NDJSON", "info": True,
        "choice": "NDJSON (one JSON record per line)"}),
]


@hookimpl
def export_formats():
    return FORMATS


@hookimpl
def register_blueprints(app):
    from .views import api, bp

    return [bp, api]


@hookimpl
def register_commands(cli):
    from .cli import export_command

    cli.add_command(export_command)


@hookimpl
def openapi_paths():
    from .openapi import paths

    return paths()


@hookimpl
def nav_links(user):
    if user.role in EXPORT_ROLES:
        return [NavLink(url_for("export.index"), "Export", order=70)]
    return None


@hookimpl
def dataset_links(dataset, filters, user):
    """"Download CSV / Excel / JSON" for the slice a page is showing, for people who may export it."""
    if user is None or user.role not in EXPORT_ROLES:
        return None
    found = datasets_for(user).get(dataset)
    if found is None:
        return None
    known = {spec.name for spec in found.filter_specs}
    # A page's own parameters (page number, sort order) are not filters and would be refused.
    query = [(name, _query_value(value)) for name, value in (filters or {}).items()
             if name in known and value not in (None, "", [])]
    actions = []
    for order, fmt in enumerate(all_formats().values()):
        if fmt.meta.get("link"):
            href = url_for("export.download", name=dataset) + "?" + urlencode([("format", fmt.name), *query])
            actions.append(Action(href, f"Download {fmt.meta.get('label', fmt.title)}", order=60 + order))
    form = url_for("export.form", name=dataset) + ("?" + urlencode(query) if query else "")
    actions.append(Action(form, "More export options", order=90))
    return actions


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
