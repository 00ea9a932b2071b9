"""What the index holds for each searchable record."""
from __future__ import annotations

from whoosh import fields

from .analysis import content_analyzer, spelling_analyzer
from .shaping import group_key

# Pathway sections rank above other records (feedback, board records) that use the same words.
SECTION_BOOST = 2.0

# Stored in the keyword fields for "no restriction", so one term query finds unrestricted records.
EVERYONE = "everyone"
ALL_BOARDS = "all-boards"


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        kind=fields.ID(stored=True),
        title=fields.STORED,
        heading=fields.STORED,
        text=fields.STORED,
        # Title, heading and text in one field: a word costs one posting list to find, not three.
        # Character ranges are stored so snippets are cut around matches without re-reading the text.
        content=fields.TEXT(analyzer=content_analyzer(), chars=True),
        spell=fields.TEXT(analyzer=spelling_analyzer(), phrase=False),
        url=fields.STORED,
        specialty=fields.STORED,
        specialty_key=fields.ID,
        status=fields.ID(stored=True),
        version=fields.STORED,
        current=fields.ID(stored=True),
        roles=fields.KEYWORD,
        board=fields.ID(stored=True),
        plugin=fields.ID(stored=True),
        # Read for every match near the top, to group a pathway's sections: a column, not stored fields.
        group=fields.ID(sortable=True),
    )


def specialty_key(value: str) -> str:
    return " ".join((value or "").split()).casefold()


def text_offset(title: str, heading: str) -> int:
    """Where the text starts inside ``content``."""
    return len(title) + len(heading) + 2


def document_fields(doc, public: bool) -> dict:
    """The index fields of one SearchDocument; ``public`` records also feed "did you mean"."""
    # The title and heading are one line each: the analyser finds where the text starts by newlines.
    title, heading, text = " ".join((doc.title or "").split()), " ".join((doc.heading or "").split()), doc.text or ""
    found = {
        "id": doc.id, "kind": doc.kind or "", "title": title, "heading": heading, "text": text,
        "content": f"{title}\n{heading}\n{text}", "url": doc.url or "",
        "specialty": doc.specialty or "", "specialty_key": specialty_key(doc.specialty) or "-",
        "status": (doc.status or "-").casefold(), "version": doc.version or "",
        "current": "yes" if doc.current else "no",
        "roles": " ".join(sorted(doc.roles)) if doc.roles else EVERYONE,
        "board": doc.board or ALL_BOARDS, "plugin": doc.plugin or "-",
        "group": group_key(doc.kind or "", doc.url or ""),
    }
    if doc.kind == "section":
        found["_boost"] = SECTION_BOOST
    if public:
        found["spell"] = found["content"]
    return found
