"""URL converters that accept only well-formed slugs, versions and ids, so anything else is a plain 404."""
from werkzeug.routing import BaseConverter, IntegerConverter

from .inputs import MAX_ID


class SlugConverter(BaseConverter):
    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


class VersionConverter(BaseConverter):
    regex = r"\d+(?:\.\d+){1,2}"


def _up_to(limit: int) -> str:
    """A regular expression for the whole numbers 1..limit, written without leading zeros."""
    digits = str(limit)
    options = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            rest = len(digits) - i - 1
            options.append(digits[:i] + f"[{low}-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


class IdConverter(IntegerConverter):
    """A record id, 1..2^31-1: larger numbers fit no database column, so no record has them.

    Bounded in the pattern itself, not only in ``to_python``: a value refused there would make werkzeug
    answer 405 for a PATCH or DELETE whose GET twin exists, rather than 404.
    """
    regex = _up_to(MAX_ID)

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's own argument name)
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
