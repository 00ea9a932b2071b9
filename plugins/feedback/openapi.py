"""The feedback API's part of the OpenAPI 3.1 document."""
from __future__ import annotations

from pathway_review.plugin_api import inputs

from .models import STATUSES, TRIAGE_STATUSES, TYPES

ERROR = {"$ref": "#/components/schemas/Error"}
NULLABLE_STRING = {"type": ["string", "null"]}
ANSWERS = {"type": "object", "description": "Answers keyed by question id (see the pathway version's "
                                            "`questions`; a version without its own gets the default set). "
                                            "choice: one of the choices; multiple: a list of choices; number: "
                                            "a number; text: a string.",
           "additionalProperties": {"type": ["string", "number", "array"], "items": {"type": "string"}}}
INPUT = {
    "section": {**NULLABLE_STRING, "description": "A section id of the version; null for the whole pathway."},
    "type": {"type": "string", "enum": list(TYPES)},
    "text": {"type": "string", "maxLength": 10000, "description": "Markdown. Required unless saved as a draft."},
    "answers": ANSWERS,
    "safety_concern": {"type": "boolean"},
    "anonymous": {"type": "boolean", "description": "Hide the GP's name, e-mail address and practice "
                                                    "from every reader, CfSD included (CfSD sees the board)."},
    "hide_board": {"type": "boolean", "description": "With anonymous: show 'Anonymous GP' rather than "
                                                     "'A GP in NHS <board>' to other readers."},
    "draft": {"type": "boolean", "description": "Save without submitting (default false)."},
}
FEEDBACK = {"type": "object", "properties": {
    "id": {"type": "integer"}, "pathway": {"type": "string"}, "version": {"type": "string"},
    "section": NULLABLE_STRING, "section_title": NULLABLE_STRING,
    "type": {"type": ["string", "null"], "enum": [*TYPES, None]}, "text": {"type": "string"},
    "text_html": {"type": "string", "description": "The text rendered to safe HTML."},
    "answers": ANSWERS, "safety_concern": {"type": "boolean"}, "anonymous": {"type": "boolean"},
    "hide_board": {"type": "boolean"}, "status": {"type": "string", "enum": list(STATUSES)},
    "response": {**NULLABLE_STRING, "description": "CfSD's answer"},
    "themes": {"type": "array", "items": {"type": "string"}},
    "board": NULLABLE_STRING, "board_name": NULLABLE_STRING, "practice_code": NULLABLE_STRING,
    "author": {"type": ["object", "null"], "description": "Null when the feedback is anonymous and you are "
                                                          "not its author.",
               "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                               "email": {"type": "string"}}},
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"},
    "submitted_at": {"type": ["string", "null"], "format": "date-time"},
}}


def _json(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes):
    text = {"400": "The body is not a JSON object, or a filter is invalid", "401": "Not signed in",
            "403": "Your role may not do this", "404": "No such record (or not yours)",
            "409": "The consultation window is not open, or the feedback was withdrawn",
            "413": "The body is too large or too deeply nested",
            "422": "Fields need correcting: errors lists each field and what is wrong",
            "429": "Too much new feedback from you in a short time: wait a few minutes"}
    return {code: _json(text[code], ERROR) for code in codes}


ID = {"name": "feedback_id", "in": "path", "required": True,
      "schema": {"type": "integer", "minimum": 1, "maximum": inputs.MAX_ID}}
DATE = {"type": "string", "format": "date", "description": "YYYY-MM-DD, from 2000 to 2100"}
FILTERS = [{"name": name, "in": "query", "schema": schema} for name, schema in (
    ("pathway", {"type": "string"}), ("version", {"type": "string"}),
    ("round", {"type": "string", "description": "pathway/version"}), ("section", {"type": "string"}),
    ("type", {"type": "string", "enum": list(TYPES)}), ("status", {"type": "string", "enum": list(STATUSES),
                "description": "draft matches only a GP's own drafts; nobody else sees them"}),
    ("board", {"type": "string"}), ("safety", {"type": "boolean"}), ("anonymous", {"type": "boolean"}),
    ("theme", {"type": "string"}), ("submitted_from", DATE), ("submitted_to", DATE), ("q", {"type": "string"}),
    ("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}),
    ("offset", {"type": "integer", "minimum": 0, "maximum": inputs.MAX_INT, "default": 0}))]


def paths() -> dict:
    body = {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["version", "type", "text"],
        "properties": {"version": {"type": "string"}, **INPUT}, "additionalProperties": False}}}}
    patch = {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": INPUT, "additionalProperties": False}}}}
    triage = {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": False, "minProperties": 1, "properties": {
            "status": {"type": "string", "enum": list(TRIAGE_STATUSES)}, "response": {"type": "string"},
            "themes": {"type": "array", "items": {"type": "string", "maxLength": 40}}}}}}}
    slug = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "/api/v1/pathways/{slug}/feedback": {"post": {
            "summary": "Give feedback on a pathway version in consultation (GPs)", "operationId": "createFeedback",
            "parameters": [slug], "requestBody": body,
            "responses": {"201": _json("The saved feedback", FEEDBACK), **_errors("400", "401", "403", "404",
                                                                                  "409", "413", "422", "429")}}},
        "/api/v1/feedback": {"get": {
            "summary": "List feedback: a GP's own (drafts too), or every submitted response for CfSD",
            "operationId": "listFeedback", "parameters": FILTERS,
            "responses": {"200": _json("Feedback, newest first", {"type": "object", "properties": {
                "feedback": {"type": "array", "items": FEEDBACK}, "count": {"type": "integer"},
                "limit": {"type": "integer"}, "offset": {"type": "integer"}}}), **_errors("400", "401", "403")}}},
        "/api/v1/feedback/{feedback_id}": {
            "get": {"summary": "One piece of feedback", "operationId": "getFeedback", "parameters": [ID],
                    "responses": {"200": _json("The feedback", FEEDBACK), **_errors("401", "403", "404")}},
            "patch": {"summary": "Change your own feedback while the consultation is open (GPs)",
                      "operationId": "updateFeedback", "parameters": [ID], "requestBody": patch,
                      "responses": {"200": _json("The feedback", FEEDBACK),
                                    **_errors("400", "401", "403", "404", "409", "413", "422")}},
            "delete": {"summary": "Withdraw your feedback (a draft is deleted) while the consultation is open",
                       "operationId": "withdrawFeedback", "parameters": [ID],
                       "responses": {"200": _json("The withdrawn feedback", FEEDBACK),
                                     "204": {"description": "The draft was deleted"},
                                     **_errors("401", "403", "404", "409")}},
        },
        "/api/v1/feedback/{feedback_id}/triage": {"post": {
            "summary": "Triage feedback: status, response and themes (CfSD)", "operationId": "triageFeedback",
            "parameters": [ID], "requestBody": triage,
            "responses": {"200": _json("The feedback", FEEDBACK), **_errors("400", "401", "403", "404", "409",
                                                                             "413", "422")}}},
    }
