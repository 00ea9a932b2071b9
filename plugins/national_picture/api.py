"""The national picture as JSON, for CfSD's analysts: ``/api/v1/national-picture``."""
from __future__ import annotations

from flask import Blueprint, jsonify

from pathway_review.plugin_api import roles_required

from . import NATIONAL
from .grid import gather

bp = Blueprint("national_picture_api", __name__, url_prefix="/api/v1/national-picture")


@bp.get("")
@roles_required(*NATIONAL)
def picture():
    from .views import records_href

    found = gather()
    return jsonify({
        "measures": [{"key": m.key, "label": m.label, "total": found.total(m.key)} for m in found.measures],
        "boards": [{"slug": b.slug, "name": b.name} for b in found.boards],
        "pathways": [{"slug": slug, "title": title} for slug, title in found.pathways],
        "cells": [{"measure": measure, "board": board, "pathway": pathway, "count": count,
                   "records_url": records_href(board, pathway, measure)}
                  for (measure, board, pathway), count in sorted(found.counts.items()) if count],
    })
