"""What others are told of a change to feedback: the record as the API shows it, the search index's
documents, and the feedback events, written to the outbox with the change and delivered after its commit."""
from __future__ import annotations

from flask import current_app

from pathway_review.plugin_api import SearchDocument, as_utc, host, outbox

from .models import Feedback


def library():
    return current_app.extensions["pathway_review.library"]


def serialize(record: Feedback, reader=None) -> dict:
    """The record as the API and the feedback events show it.

    Given a ``reader`` other than the author, anonymous feedback carries no author and no practice:
    CfSD sees the board and nothing else. Events (no reader) keep the author so that the author can be
    sent their receipt and answer.
    """
    hidden = record.anonymous and reader is not None and reader.id != record.user_id
    return {
        "id": record.id, "pathway": record.pathway_slug, "version": record.version,
        "section": record.section_id, "section_title": record.section_title,
        "type": record.type or None, "text": record.text, "text_html": record.text_html,
        "answers": record.answer_values, "safety_concern": record.safety_concern,
        "anonymous": record.anonymous, "hide_board": record.hide_board,
        "status": record.status, "response": record.response, "themes": record.theme_list,
        "board": record.board.slug if record.board else None,
        "board_name": record.board.name if record.board else None,
        "practice_code": None if hidden else record.practice_code,
        "author": None if hidden else {"id": record.author.id, "name": record.author.name,
                                       "email": record.author.email},
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


def record_change(session, record: Feedback, submitted: bool = False,
                  status_change: tuple[str, str] | None = None, answered: bool = False) -> None:
    """Write the events a change to ``record`` causes, in the transaction that changes it.

    The search index hears of every change to submitted feedback (withdrawn feedback leaves it; a draft
    never entered it); ``feedback_submitted`` and ``feedback_status_changed`` follow the record's life.
    Nothing is written for an event nobody listens to.
    """
    session.flush()  # the record's id (and times) for the payload
    plugins = host()
    about = f"feedback:{record.id}"
    if plugins.implemented("search_documents_changed"):
        documents = [search_document(record)] if record.is_submitted else []
        removed = [about] if not record.is_submitted and record.status != "draft" else []
        if documents or removed:
            outbox.record(session, "search_documents_changed", about=about, documents=documents, removed=removed)
    if submitted and plugins.implemented("feedback_submitted"):
        outbox.record(session, "feedback_submitted", about=about, feedback=serialize(record))
    if status_change and plugins.implemented("feedback_status_changed"):
        old, new = status_change
        outbox.record(session, "feedback_status_changed", about=about, feedback=serialize(record),
                      old_status=old, new_status=new)
    if answered and record.response and plugins.implemented("feedback_answered"):
        outbox.record(session, "feedback_answered", about=about, feedback=serialize(record))
