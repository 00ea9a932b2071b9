"""Today's date for consultation windows; tests and demos freeze it with the ``TODAY`` setting."""
from __future__ import annotations

from datetime import date

from flask import current_app, has_app_context


def today() -> date:
    if has_app_context():
        frozen = current_app.config.get("TODAY")
        if frozen:
            return frozen if isinstance(frozen, date) else date.fromisoformat(str(frozen))
    return date.today()
