"""The issue log's paths in the OpenAPI document."""
from __future__ import annotations

from pathway_review.plugin_api import inputs

from .models import CATEGORIES, STATUSES

ERROR = {"$ref": "#/components/schemas/Error"}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


BOARD = {"name": "board", "in": "path", "required": True, "description": "The board's slug, e.g. lothian",
         "schema": {"type": "string", "pattern": "^[a-z0-9-]+$"}}
ISSUE_ID = {"name": "issue_id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": inputs.MAX_ID}}
PERSON = {"type": ["object", "null"], "properties": {"name": {"type": "string"}, "email": {"type": "string"}}}
ISSUE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "board": {"type": "string"},
    "category": {"type": "string", "enum": list(CATEGORIES)}, "category_label": {"type": "string"},
    "description": {"type": "string"}, "service": {"type": "string"},
    "pathway": {"type": ["string", "null"]}, "section": {"type": ["string", "null"]},
    "patient_safety": {"type": "boolean"}, "status": {"type": "string", "enum": list(STATUSES)},
    "owner": PERSON, "reported_by": {"type": ["object", "null"], "properties": {"name": {"type": "string"}}},
    "resolution": {"type": ["string", "null"]}, "lasting_change": {"type": ["boolean", "null"]},
    "lasting_change_detail": {"type": ["string", "null"]},
    "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
    "finished_at": {"type": ["string", "null"], "format": "date-time"},
    "days_to_resolve": {"type": ["integer", "null"]}, "url": {"type": "string"}}}
NEW_ISSUE = {"type": "object", "required": ["category", "description", "service"], "additionalProperties": False,
             "properties": {
                 "category": {"type": "string", "enum": list(CATEGORIES)},
                 "description": {"type": "string", "maxLength": 5000,
                                 "description": "What happened. Rejected if it contains a CHI or NHS number."},
                 "service": {"type": "string", "maxLength": 200},
                 "pathway": {"type": ["string", "null"], "description": "A pathway slug"},
                 "section": {"type": ["string", "null"], "description": "A section id of that pathway"},
                 "patient_safety": {"type": "boolean", "default": False}}}
TRIAGE = {"type": "object", "additionalProperties": False, "properties": {
    "status": {"type": "string", "enum": list(STATUSES),
               "description": "new → in-progress → resolved or closed; a finished issue can be reopened "
                              "(in-progress). Resolving needs resolution and lasting_change; closing needs "
                              "resolution."},
    "owner": {"type": ["string", "null"], "description": "E-mail address of a user of the board, or null"},
    "resolution": {"type": ["string", "null"], "maxLength": 5000},
    "lasting_change": {"type": ["boolean", "null"]},
    "lasting_change_detail": {"type": ["string", "null"], "maxLength": 2000,
                              "description": "Required when lasting_change is true"}}}
NOT_FOUND = _json("No such board or issue, or the board has not switched the issue log on, or it is "
                  "another board's", ERROR)
INVALID = _json("A field is wrong: errors names each field", ERROR)


def paths() -> dict:
    base = "/api/v1/boards/{board}/interface-issues"
    return {
        base: {
            "get": {"summary": "A board's interface issues, safety-flagged first", "operationId": "listInterfaceIssues",
                    "tags": ["Interface issue log"],
                    "parameters": [BOARD,
                                   {"name": "status", "in": "query",
                                    "schema": {"type": "string", "enum": list(STATUSES)}},
                                   {"name": "category", "in": "query",
                                    "schema": {"type": "string", "enum": list(CATEGORIES)}},
                                   {"name": "safety", "in": "query", "schema": {"type": "boolean"}}],
                    "responses": {"200": _json("Issues", {"type": "object", "properties": {
                        "issues": {"type": "array", "items": ISSUE}, "count": {"type": "integer"}}}),
                        "400": INVALID, "404": NOT_FOUND}},
            "post": {"summary": "Log an issue (any user of the board)", "operationId": "logInterfaceIssue",
                     "tags": ["Interface issue log"], "parameters": [BOARD],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": NEW_ISSUE}}},
                     "responses": {"201": _json("The issue as logged", ISSUE), "400": INVALID,
                                   "403": _json("Your board's settings do not let you log issues", ERROR),
                                   "404": NOT_FOUND}},
        },
        base + "/{issue_id}": {
            "get": {"summary": "One interface issue", "operationId": "getInterfaceIssue",
                    "tags": ["Interface issue log"], "parameters": [BOARD, ISSUE_ID],
                    "responses": {"200": _json("The issue", ISSUE), "404": NOT_FOUND}},
            "patch": {"summary": "Triage an issue (the board's interface liaison)",
                      "operationId": "triageInterfaceIssue",
                      "tags": ["Interface issue log"], "parameters": [BOARD, ISSUE_ID],
                      "requestBody": {"required": True, "content": {"application/json": {"schema": TRIAGE}}},
                      "responses": {"200": _json("The issue after triage", ISSUE), "400": INVALID,
                                    "403": _json("Not the board's interface liaison", ERROR), "404": NOT_FOUND}},
        },
    }
