"""URL converters that accept only well-formed slugs, versions and ids, so anything else is a plain 404."""
from werkzeug.routing import BaseConverter, IntegerConverter

from .inputs import MAX_ID


class SlugConverter(BaseConverter):
    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


class VersionConverter(BaseConverter):
    regex = r"\d+(?:\.\d+){1,2}"


class IdConverter(IntegerConverter):
    """A record id, 1..2^31-1: larger numbers fit no database column, so no record has them (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's own argument name)
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
