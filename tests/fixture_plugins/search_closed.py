"""Closes search to one account through the permission hook, as a plugin with its own rules could."""
from pathway_review import hookimpl

title = "Search closed (search test)"
CLOSED_TO = "admin@fife.example"


@hookimpl
def permission(user, action, resource):
    if action == "search:pathways" and user is not None and user.email == CLOSED_TO:
        return False
    return None
