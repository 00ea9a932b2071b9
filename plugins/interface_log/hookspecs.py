"""The interface log's own event, for plugins that act on issues (mail to a liaison, a report)."""
from __future__ import annotations

from typing import Any

from pathway_review.plugin_api import hookspec


@hookspec
def interface_issue_changed(app, issue: "dict[str, Any]", old_status: "str | None", new_status: str,
                            fields: "list[str]", event_id: int) -> None:
    """Called in the worker after an interface issue was logged or triaged (an outbox event).

    Implement it with ``@hookimpl(optionalhook=True)``: the hook exists only while the interface log is
    installed.

    :param app: the application.
    :param issue: the issue as the interface log's API returns it (``id``, ``board``, ``status``,
        ``owner``, ``patient_safety``, ``url``...).
    :param old_status: the status before the change; None when the issue was just logged.
    :param new_status: the status after it.
    :param fields: the fields triage changed (empty when the issue was just logged).
    :param event_id: the outbox event's id, the same each time this event is delivered.
    """
