"""Records the events it hears on the app, so tests can see who was told what."""
from pathway_review import hookimpl

title = "Event listener"


def heard(app):
    return app.extensions.setdefault("fixture_events", [])


@hookimpl
def plugin_enablement_changed(app, plugin, board, enabled):
    heard(app).append(("plugin_enablement_changed", plugin, board, enabled))


@hookimpl
def pathway_library_changed(app, slugs):
    heard(app).append(("pathway_library_changed", sorted(slugs)))
