"""The core's part of the OpenAPI 3.1 document; plugins add theirs through ``openapi_paths``."""
from __future__ import annotations


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": json_response("Not signed in and no valid API token", ref("Error")),
    "404": json_response("No such pathway or version", ref("Error")),
}

PIPELINE = {
    "401": "Not signed in and no valid API token",
    "404": "No such record, or the plugin that answers here is not switched on for your board",
    "413": "The body is too large, or its JSON too deeply nested or too long (see the limits in the README)",
    "422": "A value cannot be used: a NUL character or broken Unicode in a parameter or JSON string, a "
           "number out of range, a body that is not a JSON object, or a field that needs correcting "
           "(``errors`` names each field)",
}
METHODS = ("get", "put", "post", "patch", "delete")


def pipeline_responses(paths: dict, from_plugin: bool = False) -> dict:
    """Add the answers the core gives before any view runs to every operation that can get them.

    Plugins describe what their views answer; the core's request pipeline (sign-in, plugin
    enablement per board, input bounds) can answer every one of their operations too.
    """
    for item in paths.values():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            codes = []
            if operation.get("security", True) != []:
                codes.append("401")
            if from_plugin:
                codes.append("404")
            if operation.get("parameters") or item.get("parameters") or "requestBody" in operation:
                codes.append("422")
            if "requestBody" in operation:
                codes.append("413")
            for code in codes:
                responses.setdefault(code, json_response(PIPELINE[code], ref("Error")))
    return paths


SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[a-z0-9-]+$"}}
VERSION = {"name": "version", "in": "path", "required": True,
           "schema": {"type": "string", "pattern": r"^\d+(\.\d+){1,2}$"}}
STATUS_ENUM = ["draft", "consultation", "published", "superseded"]


def core_document() -> dict:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Pathway Review API", "version": "1.0.0",
                 "description": "National clinical pathways and the feedback on them. Authenticate with a "
                                "personal API token: `Authorization: Bearer prt_…` (`pathway-review tokens create`)."},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
        "paths": {
            "/api/v1/pathways": {"get": {
                "summary": "List pathways (their current versions)",
                "operationId": "listPathways",
                "parameters": [
                    {"name": "specialty", "in": "query", "schema": {"type": "string"}},
                    {"name": "status", "in": "query", "schema": {"type": "string", "enum": STATUS_ENUM}},
                    {"name": "consultation", "in": "query", "description": "Whether feedback is open today",
                     "schema": {"type": "string", "enum": ["open", "upcoming", "closed"]}},
                ],
                "responses": {"200": json_response("Pathways", {
                    "type": "object", "properties": {
                        "pathways": {"type": "array", "items": ref("PathwayVersionSummary")},
                        "count": {"type": "integer"}}}),
                    "400": json_response("Invalid filter", ref("Error")), **ERRORS},
            }},
            "/api/v1/pathways/{slug}": {"get": {
                "summary": "A pathway: its current version's details and every version",
                "operationId": "getPathway", "parameters": [SLUG],
                "responses": {"200": json_response("Pathway", ref("Pathway")), **ERRORS},
            }},
            "/api/v1/pathways/{slug}/versions/{version}": {"get": {
                "summary": "One version with its sections (ids, titles, HTML and text)",
                "operationId": "getPathwayVersion", "parameters": [SLUG, VERSION],
                "responses": {"200": json_response("Pathway version", ref("PathwayVersion")), **ERRORS},
            }},
            "/api/v1/openapi.json": {"get": {
                "summary": "This document", "operationId": "getOpenApiDocument", "security": [],
                "responses": {"200": json_response("The OpenAPI 3.1 document", {"type": "object"})},
            }},
            "/healthz": {"get": {
                "summary": "The process answers (for a load balancer; touches nothing else)",
                "operationId": "getHealth", "security": [],
                "responses": {"200": json_response("Alive", {"type": "object", "required": ["status"],
                                                             "properties": {"status": {"const": "ok"}}})},
            }},
            "/readyz": {"get": {
                "summary": "Ready to serve: database, job queue and what plugins add (search) reachable",
                "operationId": "getReadiness", "security": [],
                "responses": {"200": json_response("Ready", ref("Readiness")),
                              "503": json_response("Not ready; `failing` names each part that is not",
                                                   ref("Readiness"))},
            }},
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "pathway_review_session"},
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message"], "properties": {
                    "error": {"type": "string"}, "message": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {
                        "field": {"type": "string"}, "message": {"type": "string"}}}}}},
                "Readiness": {"type": "object", "required": ["status", "checks"], "properties": {
                    "status": {"type": "string", "enum": ["ready", "not ready"]},
                    "failing": {"type": "array", "items": {"type": "string"}},
                    "checks": {"type": "object", "additionalProperties": {
                        "type": "object", "required": ["ok"], "properties": {
                            "ok": {"type": "boolean"}, "problem": {"type": "string"}}}}}},
                "Question": {"type": "object", "properties": {
                    "id": {"type": "string"}, "label": {"type": "string"},
                    "kind": {"type": "string", "enum": ["choice", "multiple", "number", "text"]},
                    "choices": {"type": "array", "items": {"type": "string"}}}},
                "PathwayVersionSummary": {"type": "object", "properties": {
                    "slug": {"type": "string"}, "version": {"type": "string"}, "title": {"type": "string"},
                    "specialty": {"type": "string"}, "status": {"type": "string", "enum": STATUS_ENUM},
                    "date": {"type": "string", "format": "date"},
                    "consultation": {"type": "object", "properties": {
                        "opens": {"type": ["string", "null"], "format": "date"},
                        "closes": {"type": ["string", "null"], "format": "date"},
                        "state": {"type": "string", "enum": ["not-consultation", "upcoming", "open", "closed"]},
                        "days_left": {"type": ["integer", "null"]},
                        "label": {"type": "string", "description": "The status as pages show it, e.g. "
                                  "'Closes in 3 days', 'Opens on 11 January 2027', 'Published'"}}},
                    "owning_group": {"type": "string"}, "approved_by": {"type": "string"},
                    "last_reviewed": {"type": ["string", "null"], "format": "date"},
                    "next_review": {"type": ["string", "null"], "format": "date"},
                    "summary": {"type": "string"}, "sample": {"type": "boolean"},
                    "questions": {"type": "array", "items": ref("Question")}}},
                "Pathway": {"allOf": [ref("PathwayVersionSummary"), {"type": "object", "properties": {
                    "current_version": {"type": "string"},
                    "versions": {"type": "array", "items": {"type": "object", "properties": {
                        "version": {"type": "string"}, "status": {"type": "string"},
                        "date": {"type": "string", "format": "date"}}}}}}]},
                "Section": {"type": "object", "properties": {
                    "id": {"type": "string"}, "title": {"type": "string"}, "level": {"type": "integer"},
                    "parent": {"type": ["string", "null"]}, "html": {"type": "string"},
                    "text": {"type": "string"}}},
                "PathwayVersion": {"allOf": [ref("PathwayVersionSummary"), {"type": "object", "properties": {
                    "intro_html": {"type": "string"},
                    "sections": {"type": "array", "items": ref("Section")}}}]},
            },
        },
    }
    pipeline_responses(document["paths"])
    return document
