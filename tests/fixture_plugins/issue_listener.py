"""Listens to the interface log's own event, as a notifications plugin would, and records what it heard."""
from pathway_review import hookimpl

title = "Interface issue listener"


@hookimpl(optionalhook=True)
def interface_issue_changed(app, issue, old_status, new_status, fields, event_id):
    app.extensions.setdefault("issue_listener.heard", []).append(
        (event_id, issue["id"], issue["owner"], old_status, new_status, fields))
