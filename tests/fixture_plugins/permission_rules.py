"""Permission decisions taken before the core's: Orkney's plugins are frozen for everyone, and
Fife's board admin may also manage Lothian's (a shared-service arrangement)."""
from pathway_review import hookimpl

title = "Permission rules"


@hookimpl
def permission(user, action, resource):
    if action != "plugins:manage" or resource is None:
        return None
    if resource.slug == "orkney":
        return False
    if user is not None and user.email == "admin@fife.example" and resource.slug == "lothian":
        return True
    return None
