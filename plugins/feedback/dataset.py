"""What the feedback plugin contributes to others: the ``feedback`` dataset for export and feedback
documents for search. Both stream: rows are read in batches, never all at once."""
from __future__ import annotations

import json
from typing import Any, Iterator, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from pathway_review.plugin_api import TERRITORIAL_BOARDS, Board, Dataset, DatasetFilter, User, as_utc, database

from . import filters as filtering
from .models import STATUSES, SUBMITTED, TYPES, Feedback
from .questions import display, questions_for
from .events import search_document
from .service import library

BASE_COLUMNS = ["id", "pathway", "version", "section_id", "section_title", "type", "status", "safety_concern",
                "anonymous", "board", "practice_code", "author_name", "author_email", "text", "response", "themes",
                "submitted_at", "updated_at"]
BATCH = 1000


def _versions(filters: Mapping[str, Any]):
    """The pathway versions the filters select, for their questions' columns."""
    if filters.get("round"):
        slug, _, version = str(filters["round"]).partition("/")
        found = library().get_version(slug, version)
        return [found] if found else []
    slug, version = filters.get("pathway"), filters.get("version")
    pathways = [library().get(slug)] if slug else list(library().pathways.values())
    return [pv for pathway in pathways if pathway for pv in pathway.versions
            if not version or pv.version == str(version)]


def columns(filters: Mapping[str, Any]) -> list[str]:
    ids = []
    for pv in _versions(filters):
        ids.extend(q.id for q in questions_for(pv) if q.id not in ids)
    return BASE_COLUMNS + [f"answer:{qid}" for qid in ids]


HEADINGS = {"id": "Feedback number", "pathway": "Pathway", "version": "Version", "section_id": "Section id",
            "section_title": "Section", "type": "Type", "status": "Status", "safety_concern": "Patient-safety concern",
            "anonymous": "Anonymous", "board": "Health Board", "practice_code": "Practice code",
            "author_name": "Name", "author_email": "E-mail address", "text": "Feedback", "response": "CfSD's response",
            "themes": "Themes", "submitted_at": "Submitted (UTC)", "updated_at": "Last changed (UTC)"}
# Who wrote anonymous feedback leaves the database in no export: the record keeps its author only so
# that the author can change or withdraw it.
HIDDEN_WHEN_ANONYMOUS = ("practice_code", "author_name", "author_email")


def headings(filters: Mapping[str, Any]) -> dict[str, str]:
    found = dict(HEADINGS)
    for pv in _versions(filters):
        for question in questions_for(pv):
            found.setdefault(f"answer:{question.id}", question.label)
    return found


def labeller(filters: Mapping[str, Any]):
    """Rows as people read them: titles and labels for slugs, Yes/No, the whole pathway named."""
    titles = {slug: pathway.title for slug, pathway in library().pathways.items()}
    with database().session() as session:
        boards = dict(session.execute(select(Board.slug, Board.name)).all())
    yes_no = {True: "Yes", False: "No"}

    def label(row: Mapping[str, Any]) -> dict:
        shown = dict(row)
        shown["pathway"] = titles.get(row["pathway"], row["pathway"])
        if "section_title" in shown and not row.get("section_id"):
            shown["section_title"] = row.get("section_title") or "The whole pathway"
        shown["type"] = TYPES.get(row["type"], row["type"])
        shown["status"] = STATUSES.get(row["status"], row["status"])
        shown["board"] = boards.get(row["board"], row["board"])
        shown["safety_concern"] = yes_no.get(row["safety_concern"])
        shown["anonymous"] = yes_no.get(row["anonymous"])
        return shown

    return label


def rows(filters: Mapping[str, Any]) -> Iterator[dict]:
    answer_ids = [c[len("answer:"):] for c in columns(filters) if c.startswith("answer:")]
    query = (select(Feedback.id, Feedback.pathway_slug, Feedback.version, Feedback.section_id,
                    Feedback.section_title, Feedback.type, Feedback.status, Feedback.safety_concern,
                    Feedback.anonymous, Board.slug.label("board"), Feedback.practice_code,
                    User.name.label("author_name"), User.email.label("author_email"), Feedback.text,
                    Feedback.response, Feedback.themes, Feedback.submitted_at, Feedback.updated_at,
                    Feedback.answers)
             .join(User, User.id == Feedback.user_id).outerjoin(Board, Board.id == Feedback.board_id)
             .where(*filtering.conditions(dict(filters))).order_by(Feedback.id)
             .execution_options(yield_per=BATCH))
    with database().session() as session:
        for row in session.execute(query):
            answers = json.loads(row.answers or "{}")
            record = {
                "id": row.id, "pathway": row.pathway_slug, "version": row.version, "section_id": row.section_id,
                "section_title": row.section_title, "type": row.type, "status": row.status,
                "safety_concern": row.safety_concern, "anonymous": row.anonymous, "board": row.board,
                "practice_code": row.practice_code, "author_name": row.author_name,
                "author_email": row.author_email, "text": row.text, "response": row.response,
                "themes": "; ".join(json.loads(row.themes or "[]")),
                # Real times, so that a spreadsheet gets date cells and JSON gets ISO 8601.
                "submitted_at": as_utc(row.submitted_at), "updated_at": as_utc(row.updated_at),
            }
            if row.anonymous:
                for column in HIDDEN_WHEN_ANONYMOUS:
                    record[column] = None
            for qid in answer_ids:
                record[f"answer:{qid}"] = display(answers.get(qid)) if qid in answers else None
            yield record


def summary(filters: Mapping[str, Any]) -> dict[str, list[tuple[str, int]]]:
    where = filtering.conditions(dict(filters))
    one_pathway = bool(filters.get("pathway") or filters.get("round"))
    with database().session() as session:
        def grouped(*columns_):
            return session.execute(select(*columns_, func.count()).where(*where).group_by(*columns_)
                                   .order_by(func.count().desc())).all()

        sections = []
        for slug, section_id, title, count in session.execute(
                select(Feedback.pathway_slug, Feedback.section_id, func.max(Feedback.section_title), func.count())
                .where(*where).group_by(Feedback.pathway_slug, Feedback.section_id)
                .order_by(func.count().desc())):
            label = (title or section_id) if section_id else "The whole pathway"
            sections.append((label if one_pathway else f"{slug}: {label}", count))
        boards = {board_id: name for board_id, name in session.execute(select(Board.id, Board.name))}
        return {
            "By section": sections,
            "By type": [(TYPES.get(kind, kind or "Not given"), n) for kind, n in grouped(Feedback.type)],
            "By board": [(boards.get(board_id, "No board"), n) for board_id, n in grouped(Feedback.board_id)],
            "By status": [(STATUSES.get(status, status), n) for status, n in grouped(Feedback.status)],
        }


def feedback_dataset() -> Dataset:
    versions = sorted({pv.version for p in library().pathways.values() for pv in p.versions},
                      key=lambda v: [int(x) for x in v.split(".")])
    rounds = [f"{pv.slug}/{pv.version}" for p in library().pathways.values() for pv in p.versions]
    return Dataset(
        name="feedback", title="Feedback on national pathways",
        filter_specs=[
            DatasetFilter("pathway", "Pathway", "choice", tuple(library().pathways)),
            DatasetFilter("version", "Version", "choice", tuple(versions)),
            DatasetFilter("round", "Consultation round (pathway/version)", "choice", tuple(rounds)),
            DatasetFilter("board", "Health Board", "choice", tuple(slug for slug, _ in TERRITORIAL_BOARDS)),
            DatasetFilter("section", "Section id", "text"),
            DatasetFilter("type", "Type", "choice", tuple(TYPES)),
            DatasetFilter("status", "Status", "choice", tuple(s for s in STATUSES if s != "draft")),
            DatasetFilter("safety", "Patient-safety concern", "bool"),
            DatasetFilter("submitted_from", "Submitted on or after", "date"),
            DatasetFilter("submitted_to", "Submitted on or before", "date"),
        ],
        columns=columns, rows=rows, summary=summary,
        roles=frozenset({"cfsd", "admin"}), personal_columns=("author_name", "author_email"),
        headings=headings, labeller=labeller)


def search_documents() -> Iterator:
    titles = {slug: pathway.title for slug, pathway in library().pathways.items()}
    with database().session() as session:
        # A search document needs neither the author nor the board: skip their joins.
        records = session.scalars(select(Feedback).options(lazyload("*")).where(Feedback.status.in_(SUBMITTED))
                                  .order_by(Feedback.id).execution_options(yield_per=BATCH))
        for record in records:
            yield search_document(record, titles.get(record.pathway_slug, record.pathway_slug))
