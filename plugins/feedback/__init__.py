"""Feedback: GPs comment on draft pathways section by section; CfSD triages, answers and shows back.

Always on. Comments keep the section and version they were written on, so they follow the text into
later versions. Everything else in the platform reaches feedback only through hooks: the ``feedback``
dataset for export, feedback documents for search, and the feedback events.
"""
from __future__ import annotations

from pathlib import Path

from pathway_review.plugin_api import hookimpl

from . import tally  # noqa: F401  (its counts are kept as feedback is written)
from .page_hooks import nav_links, pathway_actions, pathway_panels, section_actions, section_panels  # noqa: F401

title = "Feedback"
description = ("GPs give feedback on pathways in consultation, section by section; CfSD triages and answers it "
               "and publishes \"You said, we did\".")
optional = False


@hookimpl
def config_settings():
    from pathway_review.plugin_api import Setting

    return [Setting("FEEDBACK_RATE_LIMIT", "rate", "120/600", "new feedback records per seconds, per person")]


@hookimpl
def register_blueprints(app):
    from . import api, cfsd, views

    return [views.bp, cfsd.bp, api.bp]


@hookimpl
def migrations():
    return str(Path(__file__).parent / "migrations")


@hookimpl
def register_commands(cli):
    from .demo import register

    register(cli)


@hookimpl
def openapi_paths():
    from .openapi import paths

    return paths()


@hookimpl
def datasets():
    from .dataset import feedback_dataset

    return [feedback_dataset()]


@hookimpl
def search_documents():
    from .dataset import search_documents as documents

    return documents()


@hookimpl
def consultation_draft_holders(slug, version):
    from sqlalchemy import select

    from pathway_review.plugin_api import database

    from .models import Feedback

    with database().sessions() as session:
        return list(session.scalars(select(Feedback.user_id).where(
            Feedback.pathway_slug == slug, Feedback.version == version, Feedback.status == "draft").distinct()))


@hookimpl
def consultation_findings(version, detail):
    from pathway_review.plugin_api import database

    from .findings import findings, reach

    with database().sessions() as session:
        return findings(session, version) if detail else reach(session, version)


@hookimpl
def national_picture_counts(app):
    from .picture import picture_counts

    return picture_counts()


@hookimpl
def national_picture_records(app, board, pathway, measure):
    from .picture import picture_records

    return picture_records(board, pathway, measure)
