"""Markdown to safe HTML: python-markdown, then nh3 with an allow-list (python-markdown does not sanitise).

Used for pathway documents (cut into sections at their h2/h3 headings) and for Markdown that people
write, such as feedback, which gets no ids at all.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import threading
import unicodedata
from html.parser import HTMLParser

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead",
         "tbody", "tr", "th", "td", "a", "strong", "em", "code", "pre", "blockquote", "br", "hr",
         "div", "span", "abbr", "sup", "sub", "ins", "del"}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan", "scope"},
               "td": {"colspan", "rowspan", "scope"}, "abbr": {"title"},
               # sane_lists keeps a list's start number; clinical steps must not renumber.
               "ol": {"start"},
               **{f"h{n}": {"id"} for n in range(2, 7)}}
_ADMONITIONS = {"admonition", "note", "info", "tip", "hint", "important", "warning", "caution",
                "attention", "danger", "error"}
_CLEAN = dict(
    tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer", strip_comments=True,
    clean_content_tags={"script", "style"},
    allowed_classes={"div": _ADMONITIONS, "p": {"admonition-title"}},
    tag_attribute_values={"th": {"align": {"left", "center", "right"}},
                          "td": {"align": {"left", "center", "right"}}},
    set_tag_attribute_values={"table": {"class": "nhsuk-table"}},
)
_CLEAN_USER = {**_CLEAN, "attributes": {tag: attrs - {"id"} for tag, attrs in _ATTRIBUTES.items()}}


def _ascii_words(text: str) -> str:
    # Accents go (é -> e) but other non-ASCII characters separate words, so "2–3" is "2-3".
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", bare.lower()).strip("-")


def slugify(text: str) -> str:
    # A heading with no ASCII letters still needs an id that depends only on its text.
    return _ascii_words(text) or "section-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


class _SectionSplitter(Treeprocessor):
    """Tag each top-level h2/h3 so the rendered HTML can be cut into sections.

    Runs after attr_list, so an id found here was written by the author ({#id}), and
    before toc, which then keeps nested headings' ids distinct from the sections' ids.
    """

    def run(self, root):
        self.explicit_ids, self.h1_count = [], 0
        if not self.md.pr_nonce:
            return
        for child in root:
            self.h1_count += child.tag == "h1"
            if child.tag in ("h2", "h3"):
                child.set("data-pr-split", f"{self.md.pr_nonce}-{len(self.explicit_ids)}")
                self.explicit_ids.append(child.get("id"))


class _SplitExtension(Extension):
    def extendMarkdown(self, md):
        md.pr_nonce = ""
        md.treeprocessors.register(_SectionSplitter(md), "pr_split", 6)


_local = threading.local()


def _markdown() -> markdown.Markdown:
    # Building a Markdown instance costs more than rendering a short text; keep one per thread.
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(
            extensions=["tables", "toc", "attr_list", "admonition", "sane_lists", "def_list",
                        "fenced_code", _SplitExtension()],
            extension_configs={"toc": {"permalink": False, "slugify": lambda v, sep: slugify(v)},
                               "tables": {"use_align_attribute": True}},
            output_format="html")
    md.reset()
    return md


def render_markdown(text: str) -> str:
    """Markdown written by a user (feedback) -> safe HTML."""
    # No ids at all, so user content cannot clobber the page's own anchors and ids.
    return nh3.clean(_markdown().convert(text), **_CLEAN_USER)


def _render_sections(body: str):
    """Render the whole body once (so reference links resolve anywhere) and cut it at h2/h3.

    Returns the intro's HTML, (level, title, explicit id, HTML) per section, and the h1 count.
    The random nonce means no raw HTML in a document can fake a section boundary.
    """
    md, nonce = _markdown(), secrets.token_hex(8)
    md.pr_nonce = nonce
    try:
        raw = md.convert(body)
    finally:
        md.pr_nonce = ""
    splitter = md.treeprocessors["pr_split"]
    parts = re.split(rf'<h([23])\b[^>]*\bdata-pr-split="{nonce}-(\d+)"[^>]*>(.*?)</h\1>\n?',
                     raw, flags=re.S)
    sections = [(int(parts[i]), " ".join(html_to_text(parts[i + 2]).split()),
                 splitter.explicit_ids[int(parts[i + 1])], _clean(parts[i + 3]))
                for i in range(1, len(parts), 4)]
    return _clean(parts[0]), sections, splitter.h1_count


def _clean(fragment: str) -> str:
    return nh3.clean(fragment, **_CLEAN).strip()


class _TextExtractor(HTMLParser):
    _BLOCK = {"p", "div", "li", "dt", "dd", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre",
              "blockquote", "table", "ul", "ol", "dl", "hr", "br"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self._skip, self._pre = [], 0, 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        self._pre += tag == "pre"
        self.out.append("\n" if tag in self._BLOCK else " " if tag in ("td", "th") else "")

    def handle_endtag(self, tag):
        self._skip -= self._skip > 0 and tag in ("script", "style")
        self._pre -= self._pre > 0 and tag == "pre"
        self.out.append("\n" if tag in self._BLOCK else "")

    def handle_data(self, data):
        if not self._skip:
            # Source line breaks inside a paragraph or table row are not text breaks.
            self.out.append(data if self._pre else re.sub(r"\s+", " ", data))


def html_to_text(html_text: str) -> str:
    """Plain text: one line per block, runs of spaces collapsed."""
    parser = _TextExtractor()
    parser.feed(html_text)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.out).split("\n"))
    return "\n".join(line for line in lines if line)
