"""Running a search: paging, snippets and "did you mean", within what the searcher may see.

Snippets are cut from the character ranges whoosh stored for each matched word, so a result's
text is never analysed again at query time; that is what keeps highlighting cheap on long texts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from whoosh import query as wq
from whoosh.highlight import BasicFragmentScorer, Fragment, PinpointFragmenter, Token, top_fragments

from .query import ParsedQuery, parse
from .schema import text_offset
from .shaping import AUTO_CORRECT_LENGTH, WINDOW, corrected, diversify
from .visibility import Scope, Visibility, VisibilityCache

_visibility = VisibilityCache()

PAGE_SIZE = 10
MAX_PAGE = 500
SNIPPET_CHARS = 220
_fragmenter = PinpointFragmenter(maxchars=SNIPPET_CHARS, surround=70)
_scorer = BasicFragmentScorer()


@dataclass
class Hit:
    id: str
    kind: str
    title: str
    heading: str
    url: str
    snippet: Markup
    status: str
    version: str
    specialty: str
    current: bool

    def as_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "title": self.title, "heading": self.heading, "url": self.url,
                "snippet": str(self.snippet), "status": self.status, "version": self.version,
                "specialty": self.specialty, "current": self.current}


@dataclass
class Results:
    query: str
    hits: list[Hit]
    total: int
    page: int
    pages: int
    matched_all_words: bool = True
    suggestion: str | None = None
    notes: list[str] = field(default_factory=list)


def search(searcher, text: str, scope: Scope, page: int = 1, page_size: int = PAGE_SIZE) -> Results:
    """Search as ``scope`` sees the index. Raises query.QueryProblem for input that cannot be searched."""
    parsed = parse(text)
    visible = _visibility.get(searcher, scope)
    page = min(max(1, page), MAX_PAGE)
    limit = max(WINDOW, page * page_size)
    matched_all, suggestion, notes = True, None, list(parsed.notes)
    found = _run(searcher, parsed.all_words, visible, limit)
    if not len(found):
        vocabulary = _Vocabulary(searcher)
        again, suggestion, more = corrected(parsed, vocabulary.known, vocabulary.nearest)
        if again is not None and _count(searcher, again.all_words, visible):
            parsed, notes = again, more + notes
            found = _run(searcher, parsed.all_words, visible, limit)
        elif again is not None:
            suggestion = None
        if suggestion is not None and not _count(searcher, parse(suggestion).all_words, visible):
            suggestion = None
        if not len(found) and parsed.any_words is not None:
            found = _run(searcher, parsed.any_words, visible, limit)
            matched_all = not len(found)
    total = len(found)
    pages = max(1, math.ceil(total / page_size))
    if page > pages:  # past the end: the last page rather than nothing
        page = pages
    if not total:
        return Results(parsed.text, [], 0, page, pages, matched_all, suggestion, notes)
    groups = searcher.reader().column_reader("group")
    ranked = diversify([found.docnum(i) for i in range(found.scored_length())], lambda d: groups[d])
    return Results(parsed.text, _hits(searcher, ranked[(page - 1) * page_size:page * page_size], parsed),
                   total, page, pages, matched_all, suggestion, notes)


def _run(searcher, q: wq.Query, visible: Visibility, limit: int):
    # Without whoosh's skipping by block score every match is visited, so the count comes free;
    # on pathway prose the skipping seldom saves more than a second counting pass would cost.
    return searcher.search(q, limit=limit, filter=visible.allow, mask=visible.refuse, optimize=False)


def _count(searcher, q: wq.Query, visible: Visibility) -> int:
    return visible.count(searcher.docs_for_query(q))


class _Vocabulary:
    """Words of public records, read from the spelling field."""

    def __init__(self, searcher):
        self.reader, self.corrector = searcher.reader(), searcher.corrector("spell")

    def known(self, word: str) -> bool:
        return ("spell", word) in self.reader

    def nearest(self, word: str, distance: int) -> str | None:
        # A correction made without asking keeps the first letter, which people seldom get wrong.
        same_start = 1 if len(word) >= AUTO_CORRECT_LENGTH else 0
        found = self.corrector.suggest(word, limit=1, maxdist=distance, prefix=same_start)
        return found[0] if found else None


def _hits(searcher, docnums: list[int], parsed: ParsedQuery) -> list[Hit]:
    stored = [searcher.stored_fields(d) for d in docnums]
    offsets = {d: text_offset(f.get("title", ""), f.get("heading", "")) for d, f in zip(docnums, stored)}
    spans = _match_spans(searcher, parsed, offsets)
    return [Hit(id=f["id"], kind=f.get("kind", ""), title=f.get("title", ""), heading=f.get("heading", ""),
                url=_safe_url(f.get("url", "")), snippet=snippet(f.get("text", ""), spans.get(d, [])),
                status=f.get("status", ""), version=f.get("version", ""), specialty=f.get("specialty", ""),
                current=f.get("current") == "yes")
            for d, f in zip(docnums, stored)]


def _safe_url(url: str) -> str:
    # Links come from contributing plugins; only this site's paths and web addresses become links.
    if (url.startswith("/") and not url.startswith("//")) or url.startswith(("https://", "http://")):
        return url
    return "#"


def _match_spans(searcher, parsed: ParsedQuery, offsets: dict[int, int]) -> dict[int, list[tuple[int, int]]]:
    """(start, end) in each result's text of every matched word, read from the stored postings."""
    wanted = sorted(offsets)
    spans: dict[int, list[tuple[int, int]]] = {d: [] for d in wanted}
    if not wanted:
        return spans
    terms = {t for name, t in parsed.highlight.existing_terms(searcher.reader(), phrases=True, expand=True)
             if name == "content"}
    for term in terms:
        postings = searcher.postings("content", term)
        for docnum in wanted:
            if not postings.is_active():
                break
            if postings.id() < docnum:
                postings.skip_to(docnum)
                if not postings.is_active():
                    break
            if postings.id() == docnum:
                offset = offsets[docnum]
                spans[docnum].extend((start - offset, end - offset)
                                     for _, start, end in postings.value_as("characters") if start >= offset)
    return spans


def snippet(text: str, spans: list[tuple[int, int]]) -> Markup:
    """The best passage of ``text`` around ``spans`` with matches in <mark>, escaped; else its opening."""
    if spans:
        tokens = [Token(startchar=s, endchar=e, matched=True) for s, e in sorted(set(spans))]
        best = top_fragments(_fragmenter.fragment_matches(text, tokens), 1, _scorer, _first, minscore=0)
        if best:
            return _format(best[0])
    if len(text) <= SNIPPET_CHARS:
        return Markup(escape(text))
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return Markup(escape(text[:cut if cut > 0 else SNIPPET_CHARS])) + Markup("\u2026")


def _first(fragment: Fragment):
    return fragment.startchar


def _trim(fragment: Fragment) -> None:
    """Start and end on whole words, never cutting into a match."""
    text = fragment.text
    first, last = fragment.matches[0].startchar, max(t.endchar for t in fragment.matches)
    if fragment.startchar > 0:
        space = text.find(" ", fragment.startchar, first)
        fragment.startchar = space + 1 if space >= 0 else first
    if fragment.endchar < len(text):
        space = text.rfind(" ", last, fragment.endchar)
        fragment.endchar = space if space >= 0 else last


def _format(fragment: Fragment) -> Markup:
    _trim(fragment)
    text, position, out = fragment.text, fragment.startchar, []
    if position > 0:
        out.append("\u2026")
    for token in sorted(fragment.matches, key=lambda t: (t.startchar, -t.endchar)):
        if token.startchar < position:
            continue
        out.append(escape(text[position:token.startchar]))
        out.append(Markup("<mark>%s</mark>") % text[token.startchar:token.endchar])
        position = token.endchar
    out.append(escape(text[position:fragment.endchar]))
    if fragment.endchar < len(text):
        out.append("\u2026")
    return Markup("").join(out)
