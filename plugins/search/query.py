"""From what a person typed to a whoosh query.

A small, forgiving language rather than whoosh's full query parser: words (all must match),
"quoted phrases", OR between alternatives, NOT or a leading minus to leave words out, and a
trailing * for word beginnings. Anything else is read as plain words, so no input is a syntax
error: unbalanced quotes run to the end, lone operators are ignored, leading wildcards are dropped
with a note, control characters are spaces. GP abbreviations are widened to what they stand for
(and back) from the synonyms file.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from whoosh import query as wq

from .analysis import load_synonyms, query_analyzer, synonym_texts

MAX_LENGTH = 500
MAX_WORDS = 32
MIN_PREFIX = 3

_TOKEN = re.compile(r'"([^"]*)"?|([^\s"]+)')
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'})
OPERATORS = {"AND", "OR", "NOT"}


class QueryProblem(ValueError):
    """The query cannot be searched; the message says what to change."""


@dataclass
class Word:
    """A plain word as typed, kept with its place in the query so a correction can replace it."""
    text: str
    start: int
    end: int


@dataclass
class _Atom:
    stems: tuple[str, ...]
    negated: bool = False
    prefix: str | None = None
    phrase: bool = False
    or_before: bool = False
    word: Word | None = None
    synonym: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    source: str = ""                  # the words as typed, for a backend that analyses them itself
    synonym_text: tuple[str, str] | None = None


@dataclass(frozen=True)
class Unit:
    """One thing to look for, as typed: a word or words, a phrase, a word beginning, or an abbreviation
    with the words it stands for. The PostgreSQL backend builds its query from these."""
    text: str
    phrase: bool = False
    prefix: str | None = None
    synonym: tuple[str, str] | None = None  # (abbreviation, words), both as written in the synonyms file


@dataclass
class ParsedQuery:
    text: str                         # the cleaned query, as searched
    all_words: wq.Query               # every positive clause must match
    any_words: wq.Query | None        # fallback when nothing has every word (None: one clause only)
    highlight: wq.Query               # the positive terms, for snippets
    words: list[Word] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    clauses: list[list[Unit]] = field(default_factory=list)  # every clause must match, any unit of one
    excluded: list[Unit] = field(default_factory=list)


def clean(text: str) -> str:
    """Control and formatting characters become spaces; quotes are straightened."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    return " ".join("".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text).split())


def parse(raw: str) -> ParsedQuery:
    if len(raw or "") > MAX_LENGTH:
        raise QueryProblem(f"Search for fewer words: the search can be up to {MAX_LENGTH} characters long.")
    text = clean(raw)
    notes: list[str] = []
    atoms = _atoms(text, notes)
    atoms = _merge_synonyms(atoms)
    positive = [a for a in atoms if not a.negated]
    if not positive:
        if atoms:
            raise QueryProblem("Add a word to search for, as well as the words to leave out.")
        raise QueryProblem("Enter a word or phrase to search for.")
    if len(positive) > MAX_WORDS:
        notes.append(f"Only the first {MAX_WORDS} words were searched for.")
        keep = set(map(id, positive[:MAX_WORDS]))
        atoms = [a for a in atoms if a.negated or id(a) in keep]

    clauses: list[list[wq.Query]] = []
    units: list[list[Unit]] = []
    for atom in atoms:
        if atom.negated:
            continue
        unit = _unit(atom)
        if atom.or_before and clauses:
            clauses[-1].append(unit)
            units[-1].append(_neutral(atom))
        else:
            clauses.append([unit])
            units.append([_neutral(atom)])
    excluded = [_unit(a) for a in atoms if a.negated]
    groups = [c[0] if len(c) == 1 else wq.Or(c) for c in clauses]
    every = groups[0] if len(groups) == 1 else wq.And(groups)
    anyone = wq.Or([u for c in clauses for u in c]) if len(groups) > 1 else None
    if excluded:
        leave_out = wq.Or(excluded)
        every = wq.AndNot(every, leave_out)
        anyone = wq.AndNot(anyone, leave_out) if anyone is not None else None
    words = [a.word for a in atoms if a.word is not None]
    return ParsedQuery(text, every, anyone, wq.Or([u for c in clauses for u in c]), words, notes, units,
                       [_neutral(a) for a in atoms if a.negated])


def _neutral(atom: _Atom) -> Unit:
    return Unit(atom.source, atom.phrase, atom.prefix, atom.synonym_text)


def _atoms(text: str, notes: list[str]) -> list[_Atom]:
    ana = query_analyzer()
    atoms: list[_Atom] = []
    or_next = not_next = False
    for found in _TOKEN.finditer(text):
        phrase, token = found.group(1), found.group(2)
        if token in OPERATORS:
            or_next = token == "OR" and bool(atoms)
            not_next = token == "NOT" or (not_next and token == "AND")
            continue
        negated = not_next
        atom = None
        if phrase is not None:
            stems = tuple(t.text for t in ana(phrase))
            atom = _Atom(stems, phrase=True, source=phrase) if stems else None
        else:
            if token[0] in "-!" and len(token) > 1:
                negated, token = True, token[1:]
            token = token.lstrip("+")
            if token[:1] in ("*", "?"):
                bare = token.lstrip("*?")
                notes.append(f"Searches cannot start with a wildcard, so \u201c{token}\u201d was searched "
                             f"for as \u201c{bare}\u201d." if bare else
                             f"\u201c{token}\u201d on its own matches everything, so it was left out.")
                token = bare
            stem_of_prefix = token.rstrip("*")
            prefix = None
            if token.endswith("*") and len(stem_of_prefix) >= MIN_PREFIX and not re.search(r"[*?]", stem_of_prefix):
                prefix = stem_of_prefix.casefold()
            stems = tuple(t.text for t in ana(re.sub(r"[*?]", " ", token)))
            if stems or prefix:
                # Only plain words are offered spelling corrections.
                plain = token == found.group(2) and len(stems) == 1 and token.isalpha()
                atom = _Atom(stems, prefix=prefix, source=re.sub(r"[*?]", " ", token),
                             word=Word(token, found.start(2), found.end(2)) if plain and not prefix else None)
        if atom is None:
            continue  # a common word such as "the", or punctuation: nothing to look for
        atom.negated, atom.or_before = negated, or_next and not negated
        atoms.append(atom)
        or_next = not_next = False
    return atoms


def _merge_synonyms(atoms: list[_Atom]) -> list[_Atom]:
    """Mark abbreviations, and runs of plain words that spell one out, as synonym groups."""
    pairs = load_synonyms()
    texts = synonym_texts()
    out: list[_Atom] = []
    i = 0
    while i < len(atoms):
        atom = atoms[i]
        merged = None
        if not atom.negated and atom.prefix is None:
            for (short, long), written in zip(pairs, texts):
                if atom.stems in (short, long):
                    merged = (1, _Atom(atom.stems, phrase=atom.phrase, or_before=atom.or_before, word=atom.word,
                                       synonym=(short, long), source=atom.source, synonym_text=written))
                    break
                run = _plain_run(atoms, i, len(long))
                if run and tuple(s for a in run for s in a.stems) == long:
                    merged = (len(run), _Atom(long, or_before=atom.or_before, synonym=(short, long),
                                              source=" ".join(a.source for a in run), synonym_text=written))
                    break
        if merged:
            out.append(merged[1])
            i += merged[0]
        else:
            out.append(atom)
            i += 1
    return out


def _plain_run(atoms: list[_Atom], start: int, size: int) -> list[_Atom] | None:
    run, count = [], 0
    for atom in atoms[start:]:
        if count >= size:
            break
        if atom.negated or atom.prefix or atom.phrase or (run and atom.or_before):
            return None
        run.append(atom)
        count += len(atom.stems)
    return run if count == size else None


def _unit(atom: _Atom) -> wq.Query:
    if atom.synonym is not None:
        short, long = atom.synonym
        if len(short) > 1:  # not added at index time: look for both spellings
            return wq.Or([_words(short, True), _words(long, True)])
        if atom.stems == short:
            return _words(short, True)  # the index has it wherever the words are spelled out
        return wq.Or([_words(long, atom.phrase), _words(short, True)])
    if atom.prefix is not None:
        return wq.Prefix("content", atom.prefix)
    return _words(atom.stems, atom.phrase or len(atom.stems) > 1)


def _words(stems: tuple[str, ...], phrase: bool) -> wq.Query:
    if len(stems) == 1:
        return wq.Term("content", stems[0])
    if phrase:
        return wq.Phrase("content", list(stems), slop=1)
    return wq.And([wq.Term("content", s) for s in stems])
