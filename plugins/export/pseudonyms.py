"""Stable pseudonyms for the people in an export, for analysis that must not name them."""
from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any, Callable, Mapping, Sequence


def pseudonymiser(secret: str, personal: Sequence[str]) -> Callable[[Mapping[str, Any]], Mapping[str, Any]]:
    """Replace a row's personal columns with one pseudonym derived from all of them together.

    A keyed hash (HMAC with the installation's PSEUDONYM_KEY) gives the same person the same pseudonym in every
    export from this installation while nobody without the key can test a guess against it. Ten hex
    digits keep accidental collisions negligible among tens of thousands of people.
    """
    key = secret.encode("utf-8")

    @lru_cache(maxsize=4096)  # respondents repeat; bounded so memory stays flat
    def pseudonym(identity: tuple[str, ...]) -> str:
        digest = hmac.new(key, "\x1f".join(identity).encode("utf-8", "replace"), hashlib.sha256)
        return f"Respondent {digest.hexdigest()[:10]}"

    def apply(row: Mapping[str, Any]) -> Mapping[str, Any]:
        identity = tuple("" if row.get(c) is None else str(row.get(c)).strip().casefold() for c in personal)
        if not any(identity):
            return row
        replaced = dict(row)
        name = pseudonym(identity)
        for column in personal:
            replaced[column] = name
        return replaced

    return apply
