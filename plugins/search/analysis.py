"""How text becomes index terms: the same words at index and at query time.

Words are lower-cased, accents folded, common English words dropped and endings stemmed, so
"referrals" finds "referral". When a record is indexed, two more things happen: words of its title
and heading weigh more than words of its text, and wherever the text spells out an abbreviation from
the synonyms file ("faecal immunochemical test") the abbreviation ("FIT") is indexed at the same
place. A search for "FIT" is then one term, not a costly phrase, and still finds and highlights
text that only has the words.
"""
from __future__ import annotations

import hashlib
import re
from collections import deque
from functools import lru_cache
from pathlib import Path

from whoosh.analysis import STOP_WORDS, CharsetFilter, Filter, LowercaseFilter, RegexTokenizer
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")
LABEL_WEIGHT = 3.0
# Words, with "&" between letters kept inside one word (U&E: single letters are too short to index),
# and decimals kept whole; a full stop between letters splits, so H.pylori finds "H. pylori".
WORD_PATTERN = r"\d+(?:\.\d+)*|\w+(?:&\w+)*"


class ContentTokenizer(RegexTokenizer):
    """Splits ``title\\nheading\\ntext`` into words; when indexing, title and heading words weigh more."""

    def __call__(self, value, mode="", **kwargs):
        end_of_label = _end_of_label(value) if mode == "index" else -1
        for token in super().__call__(value, mode=mode, **kwargs):
            token.boost = LABEL_WEIGHT if end_of_label > 0 and token.startchar < end_of_label else 1.0
            yield token


def _end_of_label(value: str) -> int:
    first = value.find("\n")
    return value.find("\n", first + 1) if first >= 0 else -1


class Normalise(Filter):
    """Lower-case, fold accents, drop common words and stem, as whoosh's four filters would in turn.

    One pass instead of four chained generators, with a plain dictionary for stems, makes indexing
    a large library markedly faster; the words produced are the same.
    """

    CACHE_SIZE = 100_000

    def __init__(self, stoplist=STOP_WORDS, minsize: int = 2):
        self.stops, self.minsize = frozenset(stoplist), minsize
        self._stems: dict[str, str] = {}

    def __eq__(self, other):
        return isinstance(other, Normalise) and (self.stops, self.minsize) == (other.stops, other.minsize)

    def __getstate__(self):
        return {"stops": self.stops, "minsize": self.minsize}

    def __setstate__(self, state):
        self.__dict__.update(state, _stems={})

    def __call__(self, tokens):
        stops, minsize, stems = self.stops, self.minsize, self._stems
        pos = None
        for t in tokens:
            text = t.text.lower().translate(accent_map)
            if len(text) < minsize or text in stops:
                if not t.removestops:
                    t.text, t.stopped = text, True
                    yield t
                continue
            if t.positions:
                pos = t.pos if pos is None else pos + 1
                t.pos = pos
            stem = stems.get(text)
            if stem is None:
                if len(stems) >= self.CACHE_SIZE:
                    stems.clear()
                stem = stems[text] = porter_stem(text)
            t.text, t.stopped = stem, False
            yield t


class Abbreviate(Filter):
    """When indexing, adds the abbreviation after the words it stands for, spanning them."""

    def __init__(self, pairs):
        self.pairs = tuple(pairs)
        self._by_last: dict[str, list] = {}
        for short, long in self.pairs:
            if len(short) == 1:
                self._by_last.setdefault(long[-1], []).append((long, short[0]))
        self._longest = max((len(long) for _, long in self.pairs), default=1)

    def __eq__(self, other):
        return isinstance(other, Abbreviate) and self.pairs == other.pairs

    def __getstate__(self):
        return {"pairs": self.pairs}

    def __setstate__(self, state):
        self.__init__(state["pairs"])

    def __call__(self, tokens):
        recent: deque = deque(maxlen=self._longest)
        for t in tokens:
            yield t
            if t.mode != "index" or t.stopped or not t.positions or not t.chars:
                continue
            recent.append((t.text, t.startchar, t.endchar))
            for long, short in self._by_last.get(t.text, ()):
                words = list(recent)[-len(long):]
                if len(words) == len(long) and tuple(w[0] for w in words) == long:
                    # The same token object goes out again: whoosh has already taken its values.
                    t.text, t.startchar, t.endchar = short, words[0][1], words[-1][2]
                    yield t


def query_analyzer():
    return RegexTokenizer(WORD_PATTERN) | Normalise()


def content_analyzer():
    return ContentTokenizer(WORD_PATTERN) | Normalise() | Abbreviate(load_synonyms())


def spelling_analyzer():
    # Suggestions are shown to people, so they keep their endings ("migraine", not "migrain").
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


# ---- synonyms ------------------------------------------------------------------------------------

_LINE = re.compile(r"^\s*([^=#]+?)\s*=\s*(.+?)\s*$")


@lru_cache(maxsize=4)
def _read_synonyms(path: str) -> tuple:
    ana = query_analyzer()
    pairs, texts = [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        found = _LINE.match(line)
        if not found or line.lstrip().startswith("#"):
            continue
        short = tuple(t.text for t in ana(found.group(1)))
        long = tuple(t.text for t in ana(found.group(2)))
        if short and long and short != long:
            pairs.append((short, long))
            texts.append((found.group(1), found.group(2)))
    return tuple(pairs), tuple(texts)


def load_synonyms(path: str = str(SYNONYMS_FILE)) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """Pairs of (abbreviation stems, expansion stems) from the synonyms file, in file order."""
    return _read_synonyms(path)[0]


def synonym_texts(path: str = str(SYNONYMS_FILE)) -> tuple[tuple[str, str], ...]:
    """The same pairs as written, (abbreviation, words), for a backend that analyses text itself."""
    return _read_synonyms(path)[1]


def synonyms_fingerprint(path: str = str(SYNONYMS_FILE)) -> str:
    """Changes when the synonyms change, so an index built with the old list is rebuilt."""
    return hashlib.sha1(repr(load_synonyms(path)).encode()).hexdigest()[:10]
