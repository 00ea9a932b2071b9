"""A feedback record's history in words: "Status: New → Partly accepted", "Answers: <question> set to Yes".

History rows keep the raw values ({field: [old, new]}) so that nothing is lost; this turns them into the
sentences a reader needs, with labels for codes and question text for question ids.
"""
from __future__ import annotations

from .models import STATUSES, TYPES
from .questions import display, questions_for

FIELDS = {"status": "Status", "response": "CfSD's response", "themes": "Themes", "text": "Feedback",
          "answers": "Answers", "section": "Section", "type": "Type", "safety_concern": "Patient-safety concern",
          "anonymous": "Anonymous", "hide_board": "Board hidden from other readers"}
EMPTY = (None, "", [], {})


def describe(changes: dict, pv=None) -> list[str]:
    """One line per changed field, in the order a reader scans them."""
    questions = {q.id: q.label for q in questions_for(pv)} if pv is not None else {}
    lines = []
    for field, pair in changes.items():
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
        name = FIELDS.get(field, field.replace("_", " ").capitalize())
        if field == "answers":
            lines.extend(f"Answers: {sentence}" for sentence in _answers(old, new, questions))
        elif field in ("text", "response"):
            lines.append(f"{name}: {'changed' if old not in EMPTY else 'written'}" if new not in EMPTY
                         else f"{name}: removed")
        elif field == "themes":
            lines.append(f"{name}: {_themes(old or [], new or [])}")
        else:
            lines.append(f"{name}: {_value(field, old, pv)} → {_value(field, new, pv)}")
    return lines


def _value(field: str, value, pv) -> str:
    if value in EMPTY:
        return "none"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field == "status":
        return STATUSES.get(value, str(value))
    if field == "type":
        return TYPES.get(value, str(value))
    if field == "section":
        section = pv.section(value) if pv is not None else None
        return section.title if section else str(value)
    return display(value) or "none"


def _themes(old: list, new: list) -> str:
    added, removed = [t for t in new if t not in old], [t for t in old if t not in new]
    parts = ([f"added {', '.join(added)}"] if added else []) + ([f"removed {', '.join(removed)}"] if removed else [])
    return "; ".join(parts) or "unchanged"


def _answers(old, new, questions: dict) -> list[str]:
    old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
    sentences = []
    for qid in [*new, *(q for q in old if q not in new)]:
        before, after = old.get(qid), new.get(qid)
        if before == after:
            continue
        label = questions.get(qid) or qid.replace("-", " ")
        if after in EMPTY:
            sentences.append(f"{label} cleared")
        elif before in EMPTY:
            sentences.append(f"{label} set to {display(after)}")
        else:
            sentences.append(f"{label} changed from {display(before)} to {display(after)}")
    return sentences
