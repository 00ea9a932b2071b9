"""The core's own hook implementations: its permission rules, navigation and searchable sections."""
from __future__ import annotations

from flask import current_app, request, url_for

from . import outbox
from .access import core_permission
from .contracts import Action, NavLink, PeriodicTask, SearchDocument
from .plugins import hookimpl

title = "Core"
description = "Pathway library, accounts, boards and the plugin system."


@hookimpl(trylast=True)
def permission(user, action, resource):
    return core_permission(user, action, resource)


@hookimpl
def nav_links(user):
    links = [NavLink(url_for("pathways.catalogue"), "Pathways", order=10)]
    if user.role == "admin" or user.role == "board-admin":
        links.append(NavLink(url_for("admin.index"), "Admin", order=90))
    elif user.role == "cfsd":
        links.append(NavLink(url_for("admin.library_health"), "Library health", order=90))
    return links


@hookimpl
def login_methods():
    from . import single_sign_on

    if not single_sign_on.enabled():
        return None
    return [Action(url_for("auth.oidc.start", next=request.values.get("next") or None), single_sign_on.LABEL,
                   order=10)]


@hookimpl
def search_documents():
    library = current_app.extensions["pathway_review.library"]
    for pathway in library.pathways.values():
        yield from section_documents(pathway)


def section_documents(pathway):
    current = pathway.current
    for version in pathway.versions:
        for section in version.sections:
            yield SearchDocument(
                id=f"section:{version.slug}:{version.version}:{section.id}",
                kind="section",
                title=version.title,
                heading=section.title,
                text=section.text,
                url=f"/pathways/{version.slug}/{version.version}/#{section.id}",
                specialty=version.specialty,
                status=version.status,
                version=version.version,
                current=version is current,
                plugin="core",
            )


def _section_ids(app) -> dict[str, set[str]]:
    # The ids last announced per pathway, so a reload can say which sections disappeared.
    return app.extensions.setdefault("pathway_review.section_ids", {})


def remember_sections(app) -> None:
    library = app.extensions["pathway_review.library"]
    known = _section_ids(app)
    for slug, pathway in library.pathways.items():
        known[slug] = {doc.id for doc in section_documents(pathway)}


@hookimpl
def pathway_library_changed(app, slugs):
    """Tell the search index (or any listener) which section documents changed."""
    library = app.extensions["pathway_review.library"]
    known = _section_ids(app)
    documents, removed = [], []
    for slug in sorted(slugs):
        pathway = library.get(slug)
        fresh = list(section_documents(pathway)) if pathway is not None else []
        fresh_ids = {doc.id for doc in fresh}
        removed.extend(sorted(known.get(slug, set()) - fresh_ids))
        documents.extend(fresh)
        known[slug] = fresh_ids
    if not documents and not removed:
        return
    # Every process notices a changed file on its own, so the index may hear of it more than once;
    # putting a document again is harmless.
    with app.extensions["pathway_review.db"].transaction() as session:
        outbox.record(session, "search_documents_changed", about="pathways:" + ",".join(sorted(slugs))[:180],
                      documents=documents, removed=removed)


@hookimpl
def periodic_tasks():
    from .db import upkeep

    return [PeriodicTask("core.outbox_sweep", run=outbox.sweep,
                         every=int(current_app.config.get("QUEUE_SWEEP_INTERVAL", 10))),
            PeriodicTask("core.database_upkeep", run=upkeep, every=3600)]
