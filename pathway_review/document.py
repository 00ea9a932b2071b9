"""One national pathway document: front matter, sections, sanitised HTML.

Pure Python (no Flask) so the library can parse and lint documents anywhere.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import yaml

from .rendering import _ascii_words, _render_sections, html_to_text, render_markdown, slugify  # noqa: F401

STATUSES = ("draft", "consultation", "published", "superseded")
VERSION_RE = re.compile(r"^\d+(\.\d+){1,2}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EXPLICIT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.message}"


class DocumentError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Question:
    id: str
    label: str
    kind: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """One h2 or h3 section. ``html``/``text`` hold only what sits under its own heading (the page shows
    sub-sections after it); ``full_html``/``full_text`` add its sub-sections, headings included, for
    anywhere the section is shown or compared on its own. The fingerprint covers the full text, so a
    change in a sub-section changes its parent too."""
    id: str
    title: str
    level: int
    parent_id: str | None
    html: str
    text: str
    line: int
    fingerprint: str
    full_html: str = ""
    full_text: str = ""


@dataclass(frozen=True)
class PathwayVersion:
    slug: str
    version: str
    title: str
    specialty: str
    status: str
    date: dt.date
    consultation_opens: dt.date | None
    consultation_closes: dt.date | None
    owning_group: str
    approved_by: str
    last_reviewed: dt.date | None
    next_review: dt.date | None
    summary: str
    sample: bool
    questions: tuple[Question, ...]
    intro_html: str
    sections: tuple[Section, ...]
    path: str
    mtime_ns: int
    meta: Mapping = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_id", {s.id: s for s in self.sections})

    @property
    def version_key(self) -> tuple[int, ...]:
        # Padded so "1.0" and "1.0.0" sort together and count as the same version.
        parts = [int(p) for p in self.version.split(".")]
        return tuple(parts + [0] * (3 - len(parts)))

    @property
    def is_sample(self) -> bool:
        return self.sample

    def section(self, section_id) -> Section | None:
        return self._by_id.get(section_id) if isinstance(section_id, str) else None

    def consultation_state(self, today: dt.date) -> str:
        opens, closes = self.consultation_opens, self.consultation_closes
        if self.status != "consultation" or not opens or not closes:
            return "not-consultation"
        today = _as_date(today)
        if today < opens:
            return "upcoming"
        return "open" if today <= closes else "closed"

    def days_left(self, today: dt.date) -> int | None:
        if self.consultation_state(today) != "open":
            return None
        return (self.consultation_closes - _as_date(today)).days


def _as_date(value):
    return value.date() if isinstance(value, dt.datetime) else value


# --- Front matter -------------------------------------------------------------

_KINDS = ("choice", "multiple", "number", "text")
_QUESTION_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps an impossible date (2026-13-45) as text, to report it with its line."""


def _timestamp_or_text(loader, node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _scalar(node) -> str | None:
    # The text as written, so `choices: [Yes, No]` stays "Yes"/"No" (not YAML 1.1 booleans)
    # and `version: 1.10` stays "1.10" (not the float 1.1).
    if isinstance(node, yaml.ScalarNode) and not node.tag.endswith(":null"):
        return node.value.strip() or None
    return None


def _read_front_matter(lines, stem, problem):
    """Validated front-matter values and the body's first line, or None if unreadable."""
    if not lines or lines[0].rstrip() != "---":
        problem(1, "missing front matter: the file must start with a line '---'")
        return None
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        problem(1, "front matter is not closed: add a line '---' after it")
        return None
    loader = _Loader("\n".join(lines[1:close]))
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem(mark.line + 2 if mark else 1,
                f"front matter is not valid YAML: {getattr(exc, 'problem', None) or exc}")
        return None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        problem(2, "front matter must be 'key: value' lines")
        return None

    nodes = {}
    for key_node, value_node in root.value:
        key, line = _scalar(key_node), key_node.start_mark.line + 2
        if key in nodes:
            problem(line, f"{key!r} is given twice")
        nodes[key] = (line, value_node)

    def line_of(key):
        return nodes.get(key, (1, None))[0]

    def text(key):
        line, node = nodes.get(key, (1, None))
        value = _scalar(node)
        if value is None:
            problem(line, f"missing required field {key!r}" if key not in nodes
                    else f"{key!r} must be text" if isinstance(node, yaml.CollectionNode)
                    else f"{key!r} is empty")
        return value

    def date(key, required: str | None = None):
        value = data.get(key)
        if value is None or value == "":
            if required:
                problem(line_of(key), required)
            return None
        if isinstance(value, dt.date):
            return _as_date(value)
        m = _DATE_RE.match(str(value).strip())
        try:
            if m:
                return dt.date(*map(int, m.groups()))
        except ValueError:
            pass
        problem(line_of(key), f"{key} {value!r} is not a valid date: write it as YYYY-MM-DD")
        return None

    values = {"meta": data}
    for key in ("title", "specialty", "owning_group", "approved_by", "summary"):
        values[key] = text(key)
    version = values["version"] = text("version")
    if version and not VERSION_RE.match(version):
        problem(line_of("version"), f"version {version!r} must look like 3.0 or 3.0.1")
    elif version and version != stem:
        problem(line_of("version"), f"version {version!r} does not match the file name {stem}.md")
    status = values["status"] = text("status")
    if status and status not in STATUSES:
        problem(line_of("status"), f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    values["date"] = date("date", "missing required field 'date'")
    needed = "required when status is consultation" if status == "consultation" else None
    opens = values["consultation_opens"] = date("consultation_opens", needed and
                                                f"consultation_opens is {needed}")
    closes = values["consultation_closes"] = date("consultation_closes", needed and
                                                  f"consultation_closes is {needed}")
    if opens and closes and closes < opens:
        problem(line_of("consultation_closes"),
                f"consultation_closes ({closes}) is before consultation_opens ({opens})")
    values["last_reviewed"] = date("last_reviewed")
    values["next_review"] = date("next_review")
    values["sample"] = data.get("sample", True)
    if not isinstance(values["sample"], bool):
        problem(line_of("sample"), "sample must be true or false")
    values["questions"] = _questions(nodes.get("questions"), problem)
    return values, close + 2


def _questions(entry, problem) -> tuple[Question, ...]:
    if entry is None or (isinstance(entry[1], yaml.ScalarNode) and _scalar(entry[1]) is None):
        return ()  # absent, or `questions:` left empty
    if not isinstance(entry[1], yaml.SequenceNode):
        problem(entry[0], "questions must be a list")
        return ()
    out, seen = [], {}
    for item in entry[1].value:
        line = item.start_mark.line + 2
        if not isinstance(item, yaml.MappingNode):
            problem(line, "each question must be a mapping like {id: ..., label: ..., kind: ...}")
            continue
        fields = {_scalar(k): v for k, v in item.value}
        qid, label, kind = (_scalar(fields.get(k)) for k in ("id", "label", "kind"))
        choices_node = fields.get("choices")
        choices = tuple(_scalar(c) for c in choices_node.value) \
            if isinstance(choices_node, yaml.SequenceNode) else ()
        bad = []
        if not qid:
            bad.append("has no id")
        elif not _QUESTION_ID_RE.match(qid):
            bad.append(f"id {qid!r} may only use letters, digits, - and _")
        elif qid in seen:
            bad.append(f"id {qid!r} is already used on line {seen[qid]}")
        if not label:
            bad.append("has no label")
        if kind not in _KINDS:
            bad.append(f"kind {kind!r} is not one of {', '.join(_KINDS)}")
        elif kind in ("choice", "multiple") and (not choices or None in choices):
            bad.append(f"kind {kind} needs a list of choices")
        for message in bad:
            problem(line, f"question {message}")
        if qid and qid not in seen:
            seen[qid] = line
        if not bad:
            out.append(Question(id=qid, label=label, kind=kind,
                                choices=choices if kind in ("choice", "multiple") else ()))
    return tuple(out)


# --- Parsing ----------------------------------------------------------------

_FENCE_RE = re.compile(r"^(`{3,}|~{3,})")
_HEADING_RE = re.compile(r"^(#{1,3})(?!#)(.*)$")
_SETEXT_RE = re.compile(r"^(=+|-+)[ ]*$")


def _scan_headings(lines: list[str], first_line: int):
    """(line, level, raw text) of h1-h3 headings outside fenced code, as python-markdown sees them."""
    found, i = [], 0
    while i < len(lines):
        fence = _FENCE_RE.match(lines[i])
        if fence:
            # python-markdown ignores a fence that is never closed, so must we.
            end = next((k for k in range(i + 1, len(lines))
                        if lines[k].rstrip() == fence.group(1)), None)
            if end is not None:
                i = end + 1
                continue
        if lines[i].startswith("<!--") and "-->" not in lines[i]:
            # A commented-out heading is meant to be hidden, not a lost section.
            i = next((k for k in range(i, len(lines)) if "-->" in lines[k]), len(lines)) + 1
            continue
        heading = _HEADING_RE.match(lines[i])
        setext = i + 1 < len(lines) and _SETEXT_RE.match(lines[i + 1])
        if heading:
            found.append((first_line + i, len(heading.group(1)), heading.group(2)))
        elif setext and lines[i].strip() and (i == 0 or not lines[i - 1].strip()):
            found.append((first_line + i, 1 if setext.group(1)[0] == "=" else 2, lines[i]))
        i += 1
    return found


def _in_order(needle: str, haystack: str) -> bool:
    rest = iter(haystack)
    return all(c in rest for c in needle)


def _match_lines(headings, scanned, fallback: int) -> tuple[list[int], set[int]]:
    """Give each rendered heading the line of its source heading; also say which were used.

    Matched in order by level and by the heading's letters appearing in order in the source
    line (markup such as links or raw HTML only adds letters), so a heading the scanner
    missed leaves the others' lines right.
    """
    lines, used, j, last = [], set(), 0, fallback
    for level, title, explicit, _ in headings:
        key = _ascii_words(title).replace("-", "")
        for k in range(j, len(scanned)):
            s_line, s_level, raw = scanned[k]
            if s_level == level and (_in_order(key, _ascii_words(raw).replace("-", ""))
                                     or (explicit and explicit in raw)):
                last, j = s_line, k + 1
                used.add(k)
                break
        lines.append(last)
    return lines, used


def _with_subsections(sections: list[Section]) -> list[Section]:
    """Each section with its sub-sections' headings and content appended, and fingerprinted whole."""
    out = []
    for i, section in enumerate(sections):
        children = []
        for child in sections[i + 1:]:
            if child.level <= section.level:
                break
            children.append(child)
        full_html = section.html + "".join(f"<h3>{html.escape(c.title)}</h3>\n{c.html}" for c in children)
        full_text = "\n\n".join(part for part in [section.text] + [f"{c.title}\n\n{c.text}".strip() for c in children]
                                 if part)
        out.append(replace(section, full_html=full_html, full_text=full_text,
                           fingerprint=hashlib.sha1(full_text.encode("utf-8")).hexdigest()))
    return out


def parse_document(path: Path, slug: str | None = None) -> PathwayVersion:
    path = Path(path)
    where = str(path)
    problems: list[Problem] = []

    def problem(line, message):
        problems.append(Problem(where, line, message))

    try:
        mtime_ns = os.stat(path).st_mtime_ns
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError([Problem(where, 1, f"cannot read the file: {exc}")]) from None

    slug = path.parent.name if slug is None else slug
    if not SLUG_RE.match(slug or ""):
        problem(1, f"pathway folder name {slug!r} must be lowercase letters, digits and hyphens")

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header = _read_front_matter(lines, path.stem, problem)
    if header is None:
        raise DocumentError(problems)
    values, body_start = header

    body_lines = lines[body_start - 1:]
    body = "\n".join(body_lines)
    sections: list[Section] = []
    intro_html = ""
    if not body.strip():
        problem(body_start - 1, "the document has no body: add sections with ## headings")
    else:
        intro_html, headings, h1_count = _render_sections(body)
        scanned = _scan_headings(body_lines, body_start)
        h1_lines = [ln for ln, level, _ in scanned if level == 1]
        for i in range(h1_count):
            problem(h1_lines[i] if i < len(h1_lines) else body_start,
                    "a '#' (h1) heading is not allowed: the title comes from the front matter; "
                    "use ## for sections")
        heading_lines, used = _match_lines(headings, scanned, body_start)
        for k, (line, level, _) in enumerate(scanned):
            if level > 1 and k not in used:
                problem(line, "this heading did not become a section: is an HTML tag above it "
                              "left open?")
        parent_id, seen = None, {}
        for (level, title, explicit, chunk), line in zip(headings, heading_lines):
            if explicit and not EXPLICIT_ID_RE.match(explicit):
                problem(line, f"section id {explicit!r} may only use letters, digits, - and _")
            sid = explicit or slugify(title)
            seen.setdefault(sid, []).append(line)
            parent_id = sid if level == 2 else parent_id
            body_text = html_to_text(chunk)
            sections.append(Section(
                id=sid, title=title, level=level, parent_id=None if level == 2 else parent_id,
                html=chunk, text=body_text, line=line,
                fingerprint=hashlib.sha1(body_text.encode("utf-8")).hexdigest()))
        sections = _with_subsections(sections)
        for sid, where_lines in seen.items():
            for ln in where_lines if len(where_lines) > 1 else ():
                others = ", ".join(str(o) for o in where_lines if o != ln)
                problem(ln, f"duplicate section id {sid!r} (also on line {others})")

    if problems:
        raise DocumentError(sorted(problems, key=lambda p: p.line))
    meta = values.pop("meta")
    return PathwayVersion(slug=slug, **values, intro_html=intro_html, sections=tuple(sections),
                          path=where, mtime_ns=mtime_ns, meta=MappingProxyType(meta))
