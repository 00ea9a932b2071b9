"""Case studies: shared learning between Interface Groups.

A board's interface liaison publishes a resolved interface issue that made a lasting change; every board
reads and searches them and marks one "adopted here" or "considering"; CfSD sees the GP hours a year the
adopted changes are estimated to save. Issues arrive through the ``shareable_interface_issues`` hook, so
without an issue log nothing can be published but everything else still works.
"""
from __future__ import annotations

from pathlib import Path

from flask import url_for

from pathway_review.plugin_api import NavLink, hookimpl

title = "Case studies"
description = ("Interface liaisons share resolved issues that made a lasting change; other boards adopt them, "
               "and CfSD sees the GP hours a year the adopted changes save.")
optional = False

HERE = Path(__file__).parent


@hookimpl
def register_blueprints(app):
    from .views import bp

    return [bp]


@hookimpl
def migrations():
    return str(HERE / "migrations")


@hookimpl
def register_commands(cli):
    from .demo import register

    register(cli)


@hookimpl
def nav_links(user):
    return [NavLink(url_for("case_studies.index"), "Case studies", order=85)]


@hookimpl
def search_documents():
    from sqlalchemy import select

    from pathway_review.plugin_api import database

    from .models import CaseStudy
    from .service import document

    with database().session() as session:
        for case in session.scalars(select(CaseStudy).order_by(CaseStudy.id)):
            yield document(case)
