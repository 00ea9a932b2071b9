"""Fails while drawing section panels and while hearing that a board switched a plugin on.

Its error messages quote the signed-in person's e-mail address, as careless plugins do: the recorded
failure must not.
"""
from pathway_review import hookimpl

title = "Fails in panels and events"


class NoteUnreadable(ValueError):
    pass


@hookimpl
def section_panels(version, section, user):
    raise NoteUnreadable(f"cannot read the note {user.email} left on {section.id}")


@hookimpl
def plugin_enablement_changed(app, plugin, board, enabled):
    raise NoteUnreadable(f"cannot tell {board} about {plugin}")
