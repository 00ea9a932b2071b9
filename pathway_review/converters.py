"""URL converters that accept only well-formed slugs and versions, so anything else is a plain 404."""
from werkzeug.routing import BaseConverter


class SlugConverter(BaseConverter):
    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


class VersionConverter(BaseConverter):
    regex = r"\d+(?:\.\d+){1,2}"
