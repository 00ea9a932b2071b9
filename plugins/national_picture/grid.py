"""Gathering the national picture from the plugins that own records: counts by measure, board and pathway."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from pathway_review.plugin_api import Board, flatten, get_session, host, library

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str


@dataclass
class Picture:
    """Every measure the plugins report, the boards and pathways, and the counts (0 when nobody reported one)."""
    measures: list[Measure]
    boards: list[Board]
    pathways: list[tuple[str, str]]  # (slug, title)
    counts: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (measure, board, pathway) -> n

    def count(self, measure: str, board: str, pathway: str) -> int:
        return self.counts.get((measure, board, pathway), 0)

    def total(self, measure: str) -> int:
        return sum(n for (m, _, _), n in self.counts.items() if m == measure)

    def highest(self, measure: str) -> int:
        return max((n for (m, _, _), n in self.counts.items() if m == measure), default=0)

    def measure(self, key: str) -> Measure | None:
        return next((m for m in self.measures if m.key == key), None)


def _valid(row) -> bool:
    return (isinstance(row, dict) and all(isinstance(row.get(k), str) and row.get(k)
                                          for k in ("board", "pathway", "measure", "label"))
            and isinstance(row.get("count"), int) and not isinstance(row.get("count"), bool) and row["count"] >= 0)


def boards() -> list[Board]:
    return list(get_session().scalars(select(Board).order_by(Board.name)))


def pathways() -> list[tuple[str, str]]:
    return sorted(((p.slug, p.title) for p in library().pathways.values()), key=lambda item: item[1].casefold())


def gather() -> Picture:
    picture = Picture(measures=[], boards=boards(), pathways=pathways())
    known_boards = {b.slug for b in picture.boards}
    known_pathways = {slug for slug, _ in picture.pathways}
    labels: dict[str, str] = {}
    for row in flatten(host().call("national_picture_counts", app=current_app._get_current_object())):
        if not _valid(row):
            log.warning("national picture: a plugin gave a malformed row; it was left out")
            continue
        labels.setdefault(row["measure"], row["label"])
        if row["board"] in known_boards and row["pathway"] in known_pathways:
            key = (row["measure"], row["board"], row["pathway"])
            picture.counts[key] = picture.counts.get(key, 0) + row["count"]
    picture.measures = [Measure(key, label) for key, label in sorted(labels.items(), key=lambda kv: kv[1])]
    return picture


def records(board: str, pathway: str, measure: str) -> list[dict] | None:
    """The records behind one cell, or None when no plugin owns the measure."""
    answers = host().call("national_picture_records", app=current_app._get_current_object(), board=board,
                          pathway=pathway, measure=measure)
    if not answers:
        return None
    return [r for r in flatten(answers)
            if isinstance(r, dict) and isinstance(r.get("title"), str) and isinstance(r.get("href"), str)]
