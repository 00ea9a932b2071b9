"""Permission answers that are neither True, False nor None: both look "true" to a careless caller."""
from pathway_review import hookimpl

title = "Permission bad answers"


@hookimpl
def permission(user, action, resource):
    if action == "plugins:manage" and getattr(resource, "slug", None) == "fife":
        return "yes"
    if action == "fixture:generator":
        return (answer for answer in [True])
    return None
