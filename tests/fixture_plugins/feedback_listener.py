"""A fixture plugin that records the feedback events it hears, and can be told to fail on them.

Events are kept per app (``app.extensions["feedback_listener.events"]``); set the config key
``FEEDBACK_LISTENER_RAISES`` to make every listener raise after recording.
"""
from pathway_review import hookimpl

name = "feedback_listener"


def _heard(app, event):
    app.extensions.setdefault("feedback_listener.events", []).append(event)
    if app.config.get("FEEDBACK_LISTENER_RAISES"):
        raise RuntimeError("listener failed on purpose")


@hookimpl
def feedback_submitted(app, feedback):
    _heard(app, ("submitted", feedback))


@hookimpl
def feedback_status_changed(app, feedback, old_status, new_status):
    _heard(app, ("status", feedback, old_status, new_status))


@hookimpl
def search_documents_changed(app, documents, removed):
    _heard(app, ("search", list(documents), list(removed)))


@hookimpl
def dataset_links(dataset, filters, user):
    from pathway_review.contracts import Action

    if dataset == "feedback":
        return [Action(f"/fixture-export/{filters['pathway']}/{filters['version']}.csv", "Download CSV (fixture)")]
    return None
