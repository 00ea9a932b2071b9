"""The export endpoint's part of the OpenAPI document, with the filters of every dataset on offer."""
from __future__ import annotations

import logging

from .exporting import all_datasets, all_formats

log = logging.getLogger(__name__)

KIND_SCHEMAS = {"bool": {"type": "boolean"}, "date": {"type": "string", "format": "date"},
                "text": {"type": "string", "maxLength": 200}}

# Inline: the hook adds paths only, not components.
EXPORT_DOCUMENT = {"type": "object", "properties": {
    "dataset": {"type": "string"}, "title": {"type": "string"},
    "exported_at": {"type": "string", "format": "date-time"},
    "filters": {"type": "object"}, "pseudonymised": {"type": "boolean"},
    "columns": {"type": "array", "items": {"type": "string"}},
    "rows": {"type": "array", "items": {"type": "object"}},
    "count": {"type": "integer"}}}


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def paths() -> dict:
    formats = all_formats()
    try:
        datasets = all_datasets()
    except Exception:  # the document must still be served if a dataset cannot describe itself
        log.exception("could not list datasets for the OpenAPI document")
        datasets = {}
    filters: dict[str, dict] = {}
    for dataset in datasets.values():
        for spec in dataset.filter_specs:
            entry = filters.setdefault(spec.name, {"spec": spec, "datasets": []})
            entry["datasets"].append(dataset.name)
    parameters = [
        {"name": "dataset", "in": "path", "required": True,
         "schema": {"type": "string", **({"enum": sorted(datasets)} if datasets else {})}},
        {"name": "format", "in": "path", "required": True, "description": "The file format",
         "schema": {"type": "string", "enum": list(formats)}},
        {"name": "pseudonymise", "in": "query", "schema": {"type": "boolean", "default": False},
         "description": "Replace the dataset's personal columns (names, email addresses) with a stable "
                        "pseudonym per person."},
        {"name": "columns", "in": "query", "schema": {"type": "string"},
         "description": "Comma-separated column names to include, in that order (default: all)."},
    ]
    for name, entry in sorted(filters.items()):
        spec = entry["spec"]
        if spec.kind == "choice" and spec.choices:
            schema = {"type": "string", "enum": [str(c) for c in spec.choices]}
        else:
            schema = dict(KIND_SCHEMAS.get(spec.kind, KIND_SCHEMAS["text"]))
        parameters.append({"name": name, "in": "query", "schema": schema,
                           "description": f"{spec.label} (datasets: {', '.join(entry['datasets'])})"})
    content = {fmt.mimetype: {"schema": {"type": "string", "format": "binary"}} for fmt in formats.values()}
    if "application/json" in content:
        content["application/json"] = {"schema": EXPORT_DOCUMENT}
    return {"/api/v1/export/{dataset}.{format}": {"get": {
        "summary": "Export a dataset, filtered, as a file (streamed)",
        "description": "Filters are the query parameters the dataset declares; an unknown filter or a "
                       "value outside its choices is refused with 400 naming it. Formula-like text is "
                       "written as text in CSV (prefixed with an apostrophe) and Excel (quote-prefix "
                       "style); JSON and NDJSON keep every value exactly. Only CfSD staff and site "
                       "admins may export, and each export is recorded in the audit log.",
        "operationId": "exportDataset",
        "tags": ["export"],
        "parameters": parameters,
        "responses": {
            "200": {"description": "The file, as an attachment", "content": content},
            "400": _error("A filter or option is not valid (named in `field` and `errors`)"),
            "401": _error("Not signed in and no valid API token"),
            "403": _error("Your role cannot export this dataset"),
            "404": _error("No such dataset or format (the valid ones are listed in `datasets` / `formats`)"),
            "429": _error("Too many exports in a short time"),
        },
    }}}
