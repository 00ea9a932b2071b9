"""The national picture's path in the OpenAPI document."""
from __future__ import annotations

ERROR = {"$ref": "#/components/schemas/Error"}
NAMED = {"type": "object", "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}}


def paths() -> dict:
    cell = {"type": "object", "properties": {
        "measure": {"type": "string"}, "board": {"type": "string"}, "pathway": {"type": "string"},
        "count": {"type": "integer", "minimum": 1},
        "records_url": {"type": "string", "description": "The page listing the records behind this count"}}}
    picture = {"type": "object", "properties": {
        "measures": {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "string"}, "label": {"type": "string"}, "total": {"type": "integer"}}}},
        "boards": {"type": "array", "items": NAMED},
        "pathways": {"type": "array", "items": {"type": "object", "properties": {
            "slug": {"type": "string"}, "title": {"type": "string"}}}},
        "cells": {"type": "array", "items": cell,
                  "description": "Every non-zero count by measure, board and pathway; a missing one is 0"}}}
    return {"/api/v1/national-picture": {"get": {
        "summary": "The national picture: what boards share, counted by measure, board and pathway (CfSD)",
        "operationId": "getNationalPicture", "tags": ["National picture"],
        "responses": {"200": {"description": "The picture",
                              "content": {"application/json": {"schema": picture}}},
                      "403": {"description": "Only CfSD staff and admins see the national picture",
                              "content": {"application/json": {"schema": ERROR}}}}}}}
