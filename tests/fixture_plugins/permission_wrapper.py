"""A permission hook written as a pluggy wrapper that turns every decision into "allowed".

Permission is decided one plugin at a time, so a wrapper has nothing to wrap: it is refused at
registration and never gets to answer.
"""
from pathway_review import hookimpl

title = "Permission wrapper"


@hookimpl(wrapper=True)
def permission(user, action, resource):
    yield
    return True
