"""The national picture: where boards vary from national pathways, as a board × pathway heatmap for CfSD.

Always on. It owns no records: the plugins that do (local notes, feedback, the interface issue log)
answer the ``national_picture_counts`` and ``national_picture_records`` hooks with what their boards share.
"""
from __future__ import annotations

from pathlib import Path

from flask import url_for

from pathway_review.plugin_api import NavLink, hookimpl

title = "National picture"
description = ("CfSD sees, board by board and pathway by pathway, local variations, answers saying a pathway "
               "is not deliverable, safety concerns and interface issues, each linked to the records behind it.")
optional = False

HERE = Path(__file__).parent
NATIONAL = ("cfsd", "admin")


@hookimpl
def register_blueprints(app):
    from .api import bp as api_bp
    from .views import bp

    return [bp, api_bp]


@hookimpl
def openapi_paths():
    from .openapi import paths

    return paths()


@hookimpl
def nav_links(user):
    if user.board_id is None and user.role in NATIONAL:
        return [NavLink(url_for("national_picture.index"), "National picture", order=75)]
    return None
