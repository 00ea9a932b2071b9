"""A permission hook that raises while deciding who may manage a board's plugins."""
from pathway_review import hookimpl

title = "Permission raises"


class RuleTableMissing(RuntimeError):
    pass


@hookimpl
def permission(user, action, resource):
    if action == "plugins:manage":
        raise RuleTableMissing(f"no rule for {getattr(user, 'email', None)}")
    return None
