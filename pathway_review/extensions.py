"""Objects an app makes once, on first use, and keeps for its life (the job queue, a search service)."""
from __future__ import annotations

import threading
from typing import Any, Callable

_making = threading.Lock()


def app_extension(app, key: str, make: Callable[[Any], Any]) -> Any:
    """``app.extensions[key]``, made by ``make(app)`` the first time any thread asks.

    Making it lazily keeps ``create_app`` free of files, connections and threads. The object outlives
    the request that first asked, so it is given the app itself, never the ``current_app`` proxy.
    """
    app = app._get_current_object() if hasattr(app, "_get_current_object") else app
    found = app.extensions.get(key)
    if found is None:
        with _making:
            found = app.extensions.get(key)
            if found is None:
                found = app.extensions[key] = make(app)
    return found
