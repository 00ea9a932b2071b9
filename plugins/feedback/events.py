"""What others are told once a change to feedback is committed: the record as the API shows it, the
search index's documents, and the feedback events."""
from __future__ import annotations

from flask import current_app

from pathway_review.contracts import SearchDocument
from pathway_review.models import as_utc
from pathway_review.plugins import host

from .models import Feedback
from .service import library


def answered(record: Feedback, changes: dict) -> list[Feedback]:
    """The record, if this triage gave it an answer the GP has not been told yet."""
    return [record] if "response" in changes and record.response else []


def serialize(record: Feedback) -> dict:
    return {
        "id": record.id, "pathway": record.pathway_slug, "version": record.version,
        "section": record.section_id, "section_title": record.section_title,
        "type": record.type or None, "text": record.text, "text_html": record.text_html,
        "answers": record.answer_values, "safety_concern": record.safety_concern,
        "anonymous": record.anonymous, "hide_board": record.hide_board,
        "status": record.status, "response": record.response, "themes": record.theme_list,
        "board": record.board.slug if record.board else None,
        "board_name": record.board.name if record.board else None,
        "practice_code": record.practice_code,
        "author": {"id": record.author.id, "name": record.author.name, "email": record.author.email},
        "created_at": _iso(record.created_at), "updated_at": _iso(record.updated_at),
        "submitted_at": _iso(record.submitted_at),
    }


def _iso(moment):
    moment = as_utc(moment)
    return moment.isoformat() if moment else None


def search_document(record: Feedback, pathway_title: str | None = None) -> SearchDocument:
    if pathway_title is None:
        pathway = library().get(record.pathway_slug)
        pathway_title = pathway.title if pathway else record.pathway_slug
    return SearchDocument(
        id=f"feedback:{record.id}", kind="feedback",
        title=f"Feedback on {pathway_title} {record.version}",
        heading=record.section_title or "The whole pathway",
        text="\n".join(filter(None, [record.text, record.response, " ".join(record.theme_list)])),
        url=f"/consultations/responses/{record.id}/", status=record.status, version=record.version,
        roles=frozenset({"cfsd", "admin"}), plugin="feedback")


def announce(records: list[Feedback], submitted: list[Feedback] = (),
             status_changes: list[tuple[Feedback, str, str]] = (), answered: list[Feedback] = ()) -> None:
    """After commit: keep the search index in step and fire the feedback events.

    Each listener is called on its own (``call_each``): one that raises is logged and left out, and
    the feedback, already committed, stays saved. Nothing is built for an event nobody listens to.
    """
    plugins = host()
    app = current_app._get_current_object()
    hook = plugins.hook
    if hook.search_documents_changed.get_hookimpls():
        documents = [search_document(r) for r in records if r.is_submitted]
        # Withdrawn feedback leaves the index; a draft never entered it.
        removed = [f"feedback:{r.id}" for r in records if not r.is_submitted and r.status != "draft"]
        if documents or removed:
            plugins.call_each(hook.search_documents_changed, app=app, documents=documents, removed=removed)
    if submitted and hook.feedback_submitted.get_hookimpls():
        for record in submitted:
            plugins.call_each(hook.feedback_submitted, app=app, feedback=serialize(record))
    if status_changes and hook.feedback_status_changed.get_hookimpls():
        for record, old, new in status_changes:
            plugins.call_each(hook.feedback_status_changed, app=app, feedback=serialize(record),
                              old_status=old, new_status=new)
    if answered and hook.feedback_answered.get_hookimpls():
        for record in answered:
            plugins.call_each(hook.feedback_answered, app=app, feedback=serialize(record))
