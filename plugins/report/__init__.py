"""Consultation reports and governance: the report of a consultation as PDF or Word, each pathway version's
approval record, and the pathways due for review.

Always on. The report's findings come through the ``consultation_findings`` hook, which the feedback plugin
answers, so this plugin never imports another.
"""
from __future__ import annotations

from pathlib import Path

from flask import url_for

from pathway_review.plugin_api import Action, NavLink, hookimpl

title = "Consultation reports and governance"
description = ("CfSD downloads a consultation's report as PDF or Word, records each approval step up to sign-off, "
               "and sees which pathways are due for review.")
optional = False

CFSD = ("cfsd", "admin")


@hookimpl
def config_settings():
    from pathway_review.plugin_api import Setting

    return [Setting("REPORT_BUILD_ON_REQUEST_UP_TO", "int", 50,
                    "consultation reports with up to this many responses are built on the request; larger ones "
                    "in the job queue's worker"),
            Setting("REPORT_KEEP_MINUTES", "int", 10,
                    "minutes a report built in the worker is served before a request builds it again")]


@hookimpl
def register_blueprints(app):
    from .reviews import bp as reviews_bp
    from .views import bp

    return [bp, reviews_bp]


@hookimpl
def migrations():
    return str(Path(__file__).parent / "migrations")


@hookimpl
def register_commands(cli):
    from .cli import report_command

    cli.add_command(report_command)


@hookimpl
def periodic_tasks():
    from pathway_review.plugin_api import PeriodicTask

    from .building import TASK, build_queued

    # Woken at once by a request; the minute's run catches a wake-up the queue lost.
    return [PeriodicTask(TASK, build_queued, every=60)]


@hookimpl
def nav_links(user):
    if user.role in CFSD:
        return [NavLink(url_for("reviews.index"), "Reviews due", order=35)]
    if user.role == "board-admin":
        return [NavLink(url_for("reviews.board"), "Reviews due", order=35)]
    return None


@hookimpl
def pathway_actions(version, user):
    """The governance record beside a pathway version, for those who decide on it or answer for it locally."""
    if user.role not in (*CFSD, "board-admin"):
        return None
    return [Action(url_for("report.governance", slug=version.slug, version=version.version), "Governance record",
                   order=80)]


@hookimpl
def dataset_links(dataset, filters, user):
    """The report buttons and the governance record beside a consultation's dashboard."""
    slug, version = (filters or {}).get("pathway"), (filters or {}).get("version")
    if dataset != "feedback" or user is None or user.role not in CFSD or not slug or not version:
        return None
    return [Action(url_for("report.download", slug=slug, version=version, fmt="pdf"),
                   "Download the consultation report (PDF)", order=40),
            Action(url_for("report.download", slug=slug, version=version, fmt="docx"),
                   "Download the consultation report (Word)", order=41),
            Action(url_for("report.governance", slug=slug, version=version), "Governance record", order=42)]
