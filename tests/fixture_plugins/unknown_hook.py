"""Implements a hook the core does not define: the plugin is rejected, the app carries on."""
from pathway_review import hookimpl

title = "Unknown hook"


@hookimpl
def pathway_exploded(version):
    return "never called"
