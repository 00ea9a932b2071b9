"""What both backends do with a query and its matches: spelling put right, results grouped by pathway.

Spelling: when nothing matches every word, a word of five letters or more that no public record
contains is replaced by the nearest one that some record does, starting with the same letter and
within one letter (two in words of eight letters or more): "haematuira", "colorectel", and US
spellings such as "hematuria" and "anemia". The search runs again, saying what it searched for.
Shorter words only get a "Did you mean" (too many near neighbours).

Grouping: one pathway's sections would otherwise fill page 1 for a common word. Within the best
``WINDOW`` matches, each pathway keeps at most ``PER_GROUP`` places where its best match ranks; its
other sections follow after every group's best. Beyond the window, results keep their rank order, so
paging is stable.
"""
from __future__ import annotations

from typing import Callable, Hashable, Sequence, TypeVar

from .query import ParsedQuery, clean, parse

AUTO_CORRECT_LENGTH = 5
WINDOW = 100
PER_GROUP = 3

T = TypeVar("T")


def group_key(kind: str, url: str) -> str:
    """Records shown on one page (a pathway version's sections) form one group."""
    return f"{kind}:{url.split('#', 1)[0]}"


def diversify(ranked: Sequence[T], key: Callable[[T], Hashable]) -> list[T]:
    """``ranked`` (best first) with each group's first PER_GROUP matches together, then the rest."""
    seen: dict[Hashable, int] = {}
    first, later = [], []
    for item in ranked[:WINDOW]:
        k = key(item)
        seen[k] = seen.get(k, 0) + 1
        (first if seen[k] <= PER_GROUP else later).append(item)
    # Keep each group's first matches side by side, at the place of its best one.
    order: dict[Hashable, int] = {}
    for position, item in enumerate(first):
        order.setdefault(key(item), position)
    first.sort(key=lambda item: order[key(item)])
    return first + later + list(ranked[WINDOW:])


def corrected(parsed: ParsedQuery, known: Callable[[str], bool],
              nearest: Callable[[str, int], str | None]) -> tuple[ParsedQuery | None, str | None, list[str]]:
    """(query to run instead, "Did you mean" text, notes).

    ``known(word)``: does a public record contain it; ``nearest(word, max_distance)``: the closest word
    that one does, or None; for words of AUTO_CORRECT_LENGTH or more it must start with the same letter.
    """
    text, automatic, suggested, notes = parsed.text, False, False, []
    for word in sorted(parsed.words, key=lambda w: w.start, reverse=True):
        typed = word.text.casefold()
        if len(typed) < 4 or known(typed):
            continue
        found = nearest(typed, allowed_distance(typed))
        if not found or found == typed:
            continue
        text = text[:word.start] + found + text[word.end:]
        if len(typed) >= AUTO_CORRECT_LENGTH:
            automatic = True
            notes.insert(0, f"Showing results for \u201c{found}\u201d: nothing had \u201c{word.text}\u201d.")
        else:
            suggested = True
    if not (automatic or suggested):
        return None, None, []
    try:
        again = parse(text)
    except ValueError:
        return None, None, []
    if suggested:  # a short word was changed too: offer the whole correction rather than run it
        return None, clean(text), []
    return again, None, notes


def allowed_distance(word: str) -> int:
    """How far a correction may be: one letter, or two in long words (8 letters or more), where
    a swap or a missing letter is common and a second real word that near is rare."""
    return 2 if len(word) >= 8 else 1


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), or ``limit + 1`` once it exceeds it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
