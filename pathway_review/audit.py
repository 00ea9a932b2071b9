"""The audit trail: sign-ins, permission failures, plugin changes, triage decisions, exports."""
from __future__ import annotations

import json
import logging
from typing import Any

from flask import g, has_request_context, request

from .db import get_session
from .models import AuditEvent

log = logging.getLogger("pathway_review.audit")


def record(action: str, target: str | None = None, board_id: int | None = None, session=None,
           actor=None, **detail: Any) -> AuditEvent:
    """Add an audit event to the session (committed with the change it records)."""
    if actor is None and has_request_context():
        actor = g.get("user")
    event = AuditEvent(
        action=action, target=target, board_id=board_id,
        actor_id=getattr(actor, "id", None), actor_email=getattr(actor, "email", None),
        detail=json.dumps(detail, default=str, sort_keys=True),
        address=request.remote_addr if has_request_context() else None,
    )
    (session or get_session()).add(event)
    log.info("%s %s by %s", action, target or "", getattr(actor, "email", "-"))
    return event


def record_now(action: str, target: str | None = None, **detail: Any) -> None:
    """Record an event in its own transaction: for failures, where the request's own work is not committed."""
    from .db import database

    with database().transaction() as session:
        record(action, target, session=session, **detail)
