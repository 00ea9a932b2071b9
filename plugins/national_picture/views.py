"""CfSD's national picture: the heatmap of one measure with its table, and the records behind a cell."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for

from pathway_review.plugin_api import library, roles_required

from . import NATIONAL
from .grid import boards, gather, records as cell_records
from .heatmap import heatmap_svg

bp = Blueprint("national_picture", __name__, url_prefix="/national-picture", template_folder="templates",
               static_folder="static")


def records_href(board: str, pathway: str, measure: str) -> str:
    return url_for("national_picture.records") + "?" + urlencode(
        {"measure": measure, "board": board, "pathway": pathway})


@bp.route("/")
@roles_required(*NATIONAL)
def index():
    picture = gather()
    wanted = request.args.get("measure", "")
    errors = []
    if wanted and picture.measure(wanted) is None:
        errors.append({"field": "measure", "message": "Choose one of the measures listed on this page."})
        wanted = ""
    chosen = picture.measure(wanted) or (picture.measures[0] if picture.measures else None)
    return render_template(
        "national_picture/index.html", picture=picture, chosen=chosen, errors=errors,
        svg=heatmap_svg(picture, chosen.key) if chosen else None, records_href=records_href), \
        (400 if errors else 200)


@bp.route("/records")
@roles_required(*NATIONAL)
def records():
    wanted = {k: (request.args.get(k) or "").strip() for k in ("measure", "board", "pathway")}
    errors = []
    board = next((b for b in boards() if b.slug == wanted["board"]), None)
    pathway = library().get(wanted["pathway"]) if wanted["pathway"] else None
    if board is None:
        errors.append({"field": "board", "message": "Choose a board from the national picture."})
    if pathway is None:
        errors.append({"field": "pathway", "message": "Choose a national pathway from the national picture."})
    found = None
    if not errors:
        found = cell_records(board.slug, pathway.slug, wanted["measure"])
        if found is None:
            errors.append({"field": "measure", "message": "Choose one of the measures of the national picture."})
    label = None
    if not errors:
        measure = gather().measure(wanted["measure"])
        label = measure.label if measure else wanted["measure"]
    return render_template("national_picture/records.html", errors=errors, board=board, pathway=pathway,
                           label=label, records=found or [], measure=wanted["measure"]), (400 if errors else 200)
