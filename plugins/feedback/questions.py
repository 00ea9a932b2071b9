"""The structured questions asked with feedback, and checking the answers against them.

A pathway version may ask its own questions in its front matter; otherwise GPs get the default set.
The two workload questions (extra GP minutes per patient, patients a year) are asked on every
consultation, after the pathway's own questions, because the extra GP hours a year they give is the
figure general practice most needs to point at; a pathway that asks them itself (same ids) asks them once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from pathway_review.plugin_api import Question

MINUTES_ID = "extra-gp-minutes"
PATIENTS_ID = "patients-a-year"
DELIVERABLE_ID = "deliverable"
TEXT_ANSWER_LIMIT = 2000

DEFAULT_QUESTIONS = (
    Question(DELIVERABLE_ID, "Is this pathway deliverable in primary care as written?", "choice",
             ("Yes", "With changes", "No")),
    Question("investigations-available",
             "Which of the investigations before referral are available to your practice?", "text"),
    Question(MINUTES_ID, "Estimated extra GP time per patient, in minutes", "number"),
    Question(PATIENTS_ID, "Roughly how many patients a year would this apply to in your practice?", "number"),
)
# Bounds a sensible estimate stays within; anything else is a typing slip.
NUMBER_BOUNDS = {MINUTES_ID: (0, 600), PATIENTS_ID: (0, 100_000)}
DEFAULT_BOUNDS = (0, 1_000_000)


WORKLOAD_QUESTIONS = tuple(q for q in DEFAULT_QUESTIONS if q.id in (MINUTES_ID, PATIENTS_ID))


def questions_for(version) -> tuple[Question, ...]:
    own = tuple(version.questions)
    if not own:
        return DEFAULT_QUESTIONS
    ids = {q.id for q in own}
    return own + tuple(q for q in WORKLOAD_QUESTIONS if q.id not in ids)


def bounds(question: Question) -> tuple[float, float]:
    return NUMBER_BOUNDS.get(question.id, DEFAULT_BOUNDS)


@dataclass
class AnswerError:
    field: str
    message: str


def _number(raw) -> float | None:
    if isinstance(raw, bool):
        return None  # JSON true is not a count of anything
    if isinstance(raw, (int, float)):
        value = float(raw)
    elif isinstance(raw, str):
        try:
            value = float(raw.strip().replace(",", ""))
        except ValueError:
            return None
    else:
        return None
    return value if math.isfinite(value) else None


def clean_answers(questions, raw) -> tuple[dict, list[AnswerError]]:
    """Answers keyed by question id, kept only when given; every problem names ``answers.<id>``."""
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        return {}, [AnswerError("answers", "answers must be an object of question id to answer")]
    by_id = {q.id: q for q in questions}
    clean, errors = {}, []
    for qid, value in raw.items():
        field = f"answers.{qid}"
        question = by_id.get(qid)
        if question is None:
            errors.append(AnswerError(field, f"there is no question {str(qid)[:64]!r} for this pathway version"))
            continue
        if value is None or value == "" or value == []:
            continue  # every question is optional
        if question.kind == "choice":
            if not isinstance(value, str) or value not in question.choices:
                errors.append(AnswerError(field, f"{question.label}: choose one of {', '.join(question.choices)}"))
            else:
                clean[qid] = value
        elif question.kind == "multiple":
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or any(v not in question.choices for v in values):
                errors.append(AnswerError(field, f"{question.label}: choose from {', '.join(question.choices)}"))
            else:
                clean[qid] = [c for c in question.choices if c in values]  # the list's order, no repeats
        elif question.kind == "number":
            number = _number(value)
            low, high = bounds(question)
            if number is None:
                errors.append(AnswerError(field, f"{question.label}: enter a number, like 15"))
            elif not low <= number <= high:
                errors.append(AnswerError(field, f"{question.label}: enter a number from {low:g} to {high:g}"))
            else:
                clean[qid] = int(number) if number.is_integer() else number
        else:
            if not isinstance(value, str):
                errors.append(AnswerError(field, f"{question.label}: the answer must be text"))
            elif len(value) > TEXT_ANSWER_LIMIT:
                errors.append(AnswerError(field, f"{question.label}: keep the answer under "
                                                 f"{TEXT_ANSWER_LIMIT:,} characters (it has {len(value):,})"))
            elif value.strip():
                clean[qid] = value.strip()
    return clean, errors


def display(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)
