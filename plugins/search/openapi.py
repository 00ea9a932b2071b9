"""The search API's part of the OpenAPI 3.1 document."""
from __future__ import annotations

from pathway_review.plugin_api import STATUSES

ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


HIT = {"type": "object", "properties": {
    "id": {"type": "string", "description": "The record's id, e.g. section:<pathway>:<version>:<section id>"},
    "kind": {"type": "string", "description": "section, feedback, or a board plugin's kind of record"},
    "title": {"type": "string", "description": "The pathway (or record) title"},
    "heading": {"type": "string", "description": "The section heading"},
    "url": {"type": "string", "description": "Link straight to the section's anchor"},
    "snippet": {"type": "string", "description": "HTML: escaped text with matched words in <mark>"},
    "status": {"type": "string"}, "version": {"type": "string"}, "specialty": {"type": "string"},
    "current": {"type": "boolean", "description": "False for older versions of a pathway"},
}}


def paths() -> dict:
    return {"/api/v1/search": {"get": {
        "summary": "Search pathway sections (and, for CfSD and admins, feedback)",
        "description": "Words must all match (stemmed: 'referrals' finds 'referral'); \"quoted phrases\", OR, "
                       "NOT or a leading minus, and a trailing * work. GP abbreviations such as FIT, PSA, UTI "
                       "and HRT also find what they stand for. Only records the caller may see are searched: "
                       "feedback for CfSD and admins, a board's own records for its users. If no record has "
                       "every word, records with any of them are returned and matched_all_words is false.",
        "operationId": "search",
        "parameters": [
            {"name": "q", "in": "query", "required": True,
             "schema": {"type": "string", "minLength": 1, "maxLength": 500}},
            {"name": "specialty", "in": "query", "schema": {"type": "string"},
             "description": "A specialty from the pathway catalogue (case does not matter)"},
            {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(STATUSES)}},
            {"name": "all_versions", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]},
             "description": "1 to include older versions of pathways; current versions only by default"},
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
        ],
        "responses": {
            "200": {"description": "One page of results, best first",
                    "content": {"application/json": {"schema": {"type": "object", "properties": {
                        "query": {"type": "string", "description": "The query as searched"},
                        "total": {"type": "integer"}, "page": {"type": "integer"}, "pages": {"type": "integer"},
                        "page_size": {"type": "integer"}, "matched_all_words": {"type": "boolean"},
                        "suggestion": {"type": ["string", "null"], "description": "Did you mean…"},
                        "notes": {"type": "array", "items": {"type": "string"},
                                  "description": "How the query was read (e.g. a leading wildcard dropped)"},
                        "results": {"type": "array", "items": HIT}}}}}},
            "400": _error("No query, a query that cannot be searched, or an unknown filter value"),
            "401": _error("Not signed in and no valid API token"),
            "403": _error("A plugin's permission rule closes search to you"),
            "503": _error("The index is being rebuilt; try again after Retry-After seconds"),
        },
    }}}
