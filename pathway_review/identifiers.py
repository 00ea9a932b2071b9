"""Patient-identifier guard for free-text feedback.

Feedback is about pathways, not patients, but clinicians paste things. This module spots
what look like CHI numbers (Scotland) and NHS numbers (England and Wales) so the form can
ask the person to remove them before anything is stored. A match is a strong warning, not
proof: roughly one in five date-prefixed 10-digit strings pass a check by chance, which is
why the person is shown the number and decides, rather than the text being rejected or
silently altered. The digits of a match must never reach a log: use `masked` or
`describe_for_log` there.
"""
from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field as dc_field  # FieldProblem has a "field" attribute
from typing import Iterable

KIND_CHI = "CHI number"
KIND_NHS = "NHS number"
KIND_BOTH = "CHI or NHS number"

_SEP = r"[ \-\u2010]"  # U+2010 too: NFKC turns a non-breaking hyphen into it, not into "-"
_SHAPES = [_SEP.join(f"[0-9]{{{n}}}" for n in groups)
           for groups in ((10,), (3, 3, 4), (6, 4), (2, 2, 2, 4))]
# The lookarounds keep us from flagging ten digits that are only part of something longer:
# a 12-digit reference, the tail of "0131 234 5678", a decimal like "2.0211165794", or a
# code glued to letters. Groups joined on by a separator are handled in _extends_run.
_CANDIDATE = re.compile(rf"(?<![\w+])(?<![0-9]\.)(?:{'|'.join(_SHAPES)})(?!\w)(?!\.[0-9])")
_SEP_CHARS = " -\u2010"
_DIGITS = "0123456789"
_LONG_TEXT = 120  # beyond this a quoted number alone is hard to find again, so say where it is
_MAX_QUOTED = 3


def _mod11_ok(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    # A remainder giving check 10 can never equal a single digit, so such numbers are invalid.
    return (11 - total % 11) % 11 == int(digits[9])


def _luhn_ok(digits: str) -> bool:
    # The modulus-10 scheme for CHIs issued from 2026 is not published to us; Luhn over the
    # first nine digits (the usual modulus-10 check) is an assumption. Being wrong here only
    # changes which numbers trigger a warning the person can dismiss by editing.
    total = 0
    for i, d in enumerate(reversed(digits[:9])):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10 == int(digits[9])


def _valid_dob(ddmmyy: str) -> bool:
    # The century is not in a CHI, so 29 Feb counts if either 19YY or 20YY was a leap year.
    day, month, yy = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6])
    for century in (1900, 2000):
        try:
            datetime.date(century + yy, month, day)
            return True
        except ValueError:
            pass
    return False


def _ten_ascii_digits(digits: str) -> bool:
    return len(digits) == 10 and digits.isascii() and digits.isdigit()


def is_valid_chi(digits: str) -> bool:
    return (_ten_ascii_digits(digits) and _valid_dob(digits[:6])
            and (_mod11_ok(digits) or _luhn_ok(digits)))


def is_valid_nhs_number(digits: str) -> bool:
    # All-same-digit strings pass modulus 11 (e.g. 1111111111) but are placeholders.
    return _ten_ascii_digits(digits) and len(set(digits)) > 1 and _mod11_ok(digits)


@dataclass(frozen=True)
class IdentifierMatch:
    kind: str
    start: int
    end: int
    # Kept out of repr so that logging a match object by accident does not log the number.
    written: str = dc_field(repr=False)

    @property
    def masked(self) -> str:
        return "".join("*" if ch.isdigit() else unicodedata.normalize("NFKC", ch)
                       for ch in self.written)


def _normalise_same_length(text: str) -> str:
    # Per-character NFKC, keeping a character as is when its normal form is not exactly one
    # character: offsets in the result are then offsets in the original (full-width digits
    # and no-break spaces still become ASCII, which is what detection needs).
    if text.isascii():
        return text
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch)
        out.append(n if len(n) == 1 else ch)
    return "".join(out)


def _extends_run(norm: str, start: int, end: int) -> bool:
    """True if a digit group is joined on by one separator, as in "+44 131 234 5678" or
    "0211165794 12". A neighbouring group that belongs to a date, time or decimal on its far
    side ("21/11/2026 0211165794", "0211165794 02/11/16") is not part of the run: missing a
    CHI pasted next to a date would be worse than the rare false alarm."""
    def is_mark(i: int, digit_at: int) -> bool:
        return (0 <= i < len(norm) and norm[i] in "/.:-"
                and 0 <= digit_at < len(norm) and norm[digit_at] in _DIGITS)
    if start >= 2 and norm[start - 1] in _SEP_CHARS and norm[start - 2] in _DIGITS:
        j = start - 2
        while j >= 0 and norm[j] in _DIGITS:
            j -= 1
        if not is_mark(j, j - 1):
            return True
    if end + 1 < len(norm) and norm[end] in _SEP_CHARS and norm[end + 1] in _DIGITS:
        k = end + 1
        while k < len(norm) and norm[k] in _DIGITS:
            k += 1
        if not is_mark(k, k + 1):
            return True
    return False


def find_identifiers(text: str) -> list[IdentifierMatch]:
    matches = []
    norm = _normalise_same_length(text)
    for m in _CANDIDATE.finditer(norm):
        if _extends_run(norm, m.start(), m.end()):
            continue
        digits = re.sub(r"[^0-9]", "", m.group())
        chi, nhs = is_valid_chi(digits), is_valid_nhs_number(digits)
        if chi or nhs:
            kind = KIND_BOTH if chi and nhs else KIND_CHI if chi else KIND_NHS
            matches.append(IdentifierMatch(kind, m.start(), m.end(), text[m.start():m.end()]))
    return matches


_ARTICLE = {KIND_CHI: "a", KIND_NHS: "an", KIND_BOTH: "a"}


@dataclass(frozen=True)
class FieldProblem:
    field: str
    label: str
    matches: tuple[IdentifierMatch, ...]
    # The full text is only used to say where a number is in a long answer; never shown in repr.
    text: str = dc_field(default="", repr=False, compare=False)

    def _quote(self, match: IdentifierMatch) -> str:
        quoted = f'"{match.written}"'
        if len(self.text) <= _LONG_TEXT:
            return quoted
        if match.start == 0:
            return f"{quoted} at the very start"
        before = " ".join(self.text[max(0, match.start - 8):match.start].split())
        ellipsis = "…" if match.start > 8 else ""
        return f"{quoted} near '{ellipsis}{before}'"

    @property
    def message(self) -> str:
        kinds = {m.kind for m in self.matches}
        if len(self.matches) == 1:
            kind = self.matches[0].kind
            what = f"what looks like {_ARTICLE[kind]} {kind}"
        else:
            plural = kinds.pop() if len(kinds) == 1 else KIND_BOTH
            what = f"what look like {plural}s"
        quoted = ", ".join(self._quote(m) for m in self.matches[:_MAX_QUOTED])
        extra = len(self.matches) - _MAX_QUOTED
        if extra > 0:
            quoted += f" and {extra} more"
        return (f"{self.label} contains {what} ({quoted}). Remove patient identifiers before "
                "you submit: what you write here is about services and pathways, not a patient. "
                "Nothing you typed has been lost.")


@dataclass(frozen=True, kw_only=True)
class Field:
    """One free-text field to check: its form name, the label the person sees, and what they typed.

    Keyword-only, because ``label`` and ``text`` are both strings: written in the wrong order, the
    person's text would be taken for a label and a number in it would pass unseen.
    """
    name: str
    label: str
    text: str | None = dc_field(default=None, repr=False)

    def __post_init__(self):
        for attribute in ("name", "label"):
            if not isinstance(getattr(self, attribute), str) or not getattr(self, attribute):
                raise TypeError(f"Field {attribute} must be a non-empty string")
        if self.text is not None and not isinstance(self.text, str):
            raise TypeError(f"Field {self.name!r}: text must be a string or None, not {type(self.text).__name__}")


def check_fields(*fields: Field) -> list[FieldProblem]:
    """The fields that contain what looks like a CHI or NHS number, in the order given."""
    problems = []
    for item in fields:
        if not isinstance(item, Field):
            raise TypeError("check_fields takes Field(name=..., label=..., text=...) arguments, "
                            f"not {type(item).__name__}")
        found = find_identifiers(item.text or "")
        if found:
            problems.append(FieldProblem(item.name, item.label, tuple(found), item.text or ""))
    return problems


def describe_for_log(problems: Iterable[FieldProblem]) -> str:
    # Counts and field names only: field names come from our own form code, not from users.
    problems = list(problems)
    if not problems:
        return "identifier guard: no matches"
    count = sum(len(p.matches) for p in problems)
    names = ", ".join(p.field for p in problems)
    return (f"identifier guard: {count} match{'es' if count != 1 else ''} "
            f"in field{'s' if len(problems) != 1 else ''} {names}")
