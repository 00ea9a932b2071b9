"""Making a report: on the request for a small round, in the job queue's worker for a large one.

A report built in the worker is kept in the database (every web worker and host sees it) and served while
it is fresh; the page asking for it refreshes itself until it is ready.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from pathway_review.plugin_api import ConsultationFindings, database, host, jobs, library, utcnow, as_utc

from .content import gather
from .models import PreparedReport
from .rendering import MAKERS

log = logging.getLogger(__name__)
TASK = "report.build"


def make(version, fmt: str) -> bytes:
    return MAKERS[fmt](gather(version))


def builds_on_request(version) -> bool:
    counts = host().call("consultation_findings", version=version, detail=False) or ConsultationFindings()
    return counts.responses <= current_app.config["REPORT_BUILD_ON_REQUEST_UP_TO"]


def latest(session, slug: str, version: str, fmt: str) -> PreparedReport | None:
    return session.scalar(select(PreparedReport).where(
        PreparedReport.pathway_slug == slug, PreparedReport.version == version, PreparedReport.format == fmt)
        .order_by(PreparedReport.requested_at.desc(), PreparedReport.id.desc()).limit(1))


def current(slug: str, version: str, fmt: str) -> PreparedReport | None:
    """The latest prepared report, read in a session of its own: the worker (or, with an immediate queue, this
    very request) wrote it after the request's own session began."""
    with database().sessions() as session:
        found = latest(session, slug, version, fmt)
        if found is not None:
            session.expunge(found)
        return found


def fresh(report: PreparedReport | None) -> bool:
    keep = timedelta(minutes=current_app.config["REPORT_KEEP_MINUTES"])
    moment = report and (report.ready_at or report.requested_at)
    return bool(moment) and utcnow() - as_utc(moment) <= keep


def request_build(version, fmt: str) -> None:
    """Queue a build unless one is already waiting or fresh, then wake the worker."""
    with database().transaction() as session:
        current = latest(session, version.slug, version.version, fmt)
        if current is None or current.status == "failed" or not fresh(current):
            session.add(PreparedReport(pathway_slug=version.slug, version=version.version, format=fmt))
    jobs.run_soon(current_app._get_current_object(), TASK)


def build_queued(app) -> None:
    """The worker's task: build every queued report, then forget those long past keeping."""
    with app.app_context():
        with database().sessions() as session:
            queued = session.execute(select(PreparedReport.id, PreparedReport.pathway_slug, PreparedReport.version,
                                            PreparedReport.format).where(PreparedReport.status == "queued")).all()
        for report_id, slug, version_name, fmt in queued:
            version = library().get_version(slug, version_name)
            try:
                content, status, problem = (make(version, fmt), "ready", "") if version else (
                    None, "failed", "The pathway version no longer exists.")
            except Exception:  # a report that cannot be built must not stop the others
                log.exception("consultation report %s %s (%s) failed", slug, version_name, fmt)
                content, status, problem = None, "failed", "The report could not be built."
            with database().transaction() as session:
                row = session.get(PreparedReport, report_id)
                if row is not None:
                    row.content, row.status, row.problem, row.ready_at = content, status, problem, utcnow()
        with database().transaction() as session:
            session.execute(delete(PreparedReport).where(PreparedReport.requested_at < utcnow() - timedelta(days=2)))
