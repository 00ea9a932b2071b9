"""Section-by-section comparison of two versions of a pathway, with a word-level diff."""
from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

from .document import PathwayVersion, Section

_TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]+")
DEL = '<del class="pr-diff-del">{}</del>'
INS = '<ins class="pr-diff-ins">{}</ins>'


@dataclass(frozen=True)
class SectionChange:
    kind: str  # "added" | "removed" | "changed" | "unchanged"
    section_id: str
    title: str
    level: int
    old: Section | None
    new: Section | None
    diff_html: str
    title_changed: bool = False
    changed_subsections: tuple[str, ...] = ()  # titles of sub-sections that changed (a parent's own text may not)


def _opcodes(a: list[str], b: list[str]):
    """SequenceMatcher opcodes, with lone whitespace between two edits folded into them.

    Without this, "2 weeks" -> "10 days" shows as two edits around a kept space, which
    reads worse than one phrase replaced by another.
    """
    merged: list[list] = []
    for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        tag, i1, i2, j1, j2 = op
        if (tag != "equal" and len(merged) >= 2 and merged[-1][0] == "equal"
                and merged[-2][0] != "equal"
                and all(t.isspace() for t in a[merged[-1][1]:merged[-1][2]])):
            merged.pop()
            merged[-1] = ["replace", merged[-1][1], i2, merged[-1][3], j2]
        else:
            merged.append(list(op))
    return merged


def word_diff_html(old_text: str, new_text: str) -> str:
    a, b = _TOKEN_RE.findall(old_text), _TOKEN_RE.findall(new_text)
    out = []
    for tag, i1, i2, j1, j2 in _opcodes(a, b):
        old, new = html.escape("".join(a[i1:i2])), html.escape("".join(b[j1:j2]))
        if tag == "equal":
            out.append(new)
            continue
        # Folding can leave one side as bare whitespace; marking that up would show noise.
        if old and not old.isspace():
            out.append(DEL.format(old))
        if new:
            out.append(new if new.isspace() else INS.format(new))
    return "".join(out)


def _change(old: Section | None, new: Section | None, changed_subsections: tuple[str, ...] = ()) -> SectionChange:
    section = new or old
    if old is None:
        kind, diff = "added", INS.format(html.escape(new.text)) if new.text else ""
    elif new is None:
        kind, diff = "removed", DEL.format(html.escape(old.text)) if old.text else ""
    elif (old.full_text == new.full_text and old.title == new.title and old.level == new.level
          and not changed_subsections):
        kind, diff = "unchanged", html.escape(new.text)
    else:
        # Each sub-section has its own entry with its own diff, so a parent shows only its own words.
        kind, diff = "changed", word_diff_html(old.text, new.text)
    return SectionChange(kind=kind, section_id=section.id, title=section.title,
                         level=section.level, old=old, new=new, diff_html=diff,
                         title_changed=bool(old and new and old.title != new.title),
                         changed_subsections=changed_subsections)


def compare_versions(old: PathwayVersion, new: PathwayVersion) -> list[SectionChange]:
    """Changes in the new version's order; a removed section follows the section it followed before."""
    new_ids = {s.id for s in new.sections}
    removed_after: dict[str | None, list[Section]] = {}
    anchor = None
    for section in old.sections:
        if section.id in new_ids:
            anchor = section.id
        else:
            removed_after.setdefault(anchor, []).append(section)

    changes = [_change(s, None) for s in removed_after.get(None, [])]
    for section in new.sections:
        changes.append(_change(old.section(section.id), section))
        changes.extend(_change(s, None) for s in removed_after.get(section.id, []))
    return _mark_parents(changes)


def _mark_parents(changes: list[SectionChange]) -> list[SectionChange]:
    """A parent whose own words are the same still changed when a sub-section was added, removed or edited;
    say which, since the parent's own diff shows nothing."""
    out = list(changes)
    for i, change in enumerate(out):
        if change.level != 2 or change.old is None or change.new is None:
            continue
        below = []
        for child in out[i + 1:]:
            if child.level <= change.level:
                break
            if child.kind != "unchanged":
                below.append(child.title)
        if below:
            out[i] = _change(change.old, change.new, tuple(below))
    return out
