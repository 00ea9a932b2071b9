"""The estimated extra GP hours a year a pathway version would bring, computed in the database.

Each GP who answered both workload questions counts once, with their latest response that answered both:
minutes per patient × patients a year ÷ 60. The sum is the figure a sign-off paper quotes; the median is
the typical practice. Answers are JSON text, read with the database's own JSON functions (SQLite's
``json_extract``, PostgreSQL's ``->>``), so only the per-GP hours ever leave the database.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, Float, cast, func, select, type_coerce

from .models import SUBMITTED, Feedback
from .questions import MINUTES_ID, PATIENTS_ID

METHOD = ("Each GP who estimated both the extra minutes per patient and the patients a year counts once, with "
          "their latest such response: minutes × patients ÷ 60 gives that practice's extra GP hours a year. "
          "The total adds these up; the median is the middle practice's figure.")


@dataclass(frozen=True)
class Workload:
    respondents: int
    total_hours: float
    median_hours: float | None
    method: str = METHOD


def _number(session, key: str):
    # PostgreSQL stores the answers as text, so they become JSON first; SQLite reads JSON text as it is.
    answers = (cast(Feedback.answers, JSON) if session.get_bind().dialect.name == "postgresql"
               else type_coerce(Feedback.answers, JSON))
    return cast(answers[key].as_string(), Float)


def per_gp_hours(session, slug: str, version: str):
    """A subquery of one row per GP: ``hours``, from their latest response answering both questions."""
    minutes, patients = _number(session, MINUTES_ID), _number(session, PATIENTS_ID)
    latest = func.row_number().over(partition_by=Feedback.user_id,
                                    order_by=(Feedback.submitted_at.desc(), Feedback.id.desc()))
    answered = (select((minutes * patients / 60.0).label("hours"), latest.label("latest"))
                .where(Feedback.pathway_slug == slug, Feedback.version == version,
                       Feedback.status.in_(SUBMITTED), minutes.is_not(None), patients.is_not(None))
                .subquery())
    return select(answered.c.hours).where(answered.c.latest == 1).subquery()


def workload(session, slug: str, version: str) -> Workload:
    hours = per_gp_hours(session, slug, version)
    count, total = session.execute(select(func.count(), func.coalesce(func.sum(hours.c.hours), 0.0))).one()
    if not count:
        return Workload(0, 0.0, None)
    # The median in SQL on both databases: the middle one or two values in order.
    middle = session.scalars(select(hours.c.hours).order_by(hours.c.hours)
                             .offset((count - 1) // 2).limit(2 - count % 2)).all()
    return Workload(count, float(total), sum(middle) / len(middle))
