"""Rendered pages and fragments kept per worker process, keyed by everything that can change them.

A pathway page is rendered once per pathway version, role, board and plugin set, and keyed by the cache
marks of that version, that board and the site (see ``db.track_changes``): a write moves on only the marks
of what it changed, in the database, so every worker and host lets go of exactly those pages. What differs
from one person to the next (their name, their CSRF token, the count of their own feedback) is left as a
slot in the shared page and filled in for each request (:func:`per_request`).
"""
from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from functools import partial
from types import SimpleNamespace
from typing import Any, Callable, Hashable

from flask import current_app, g
from markupsafe import Markup, escape

_SLOT = re.compile(r"(pr-slot-[0-9a-f]{24})")


class FragmentCache:
    def __init__(self, max_entries: int = 4096):
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_build(self, key: Hashable, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        self.misses += 1
        value = build()  # outside the lock: a slow render must not hold up other threads
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def page_scope() -> str | None:
    """The cache scope of what the requested page shows, from the scope function its blueprint registered
    for the endpoint (``current_app.extensions["pathway_review.page_scopes"]``), or None."""
    from flask import request

    scopes = current_app.extensions.get("pathway_review.page_scopes")
    find = scopes.get(request.endpoint) if scopes else None
    return find(request.view_args or {}) if find else None


def fragments() -> FragmentCache:
    return current_app.extensions["pathway_review.fragments"]


def per_request(build: Callable[..., Any], *args: Hashable, keep: bool = True) -> Markup:
    """HTML that differs per person, in a page shared by everyone with the same role and board.

    While a shared page is being rendered this returns a slot, and ``build(*args)`` fills it for the
    person each request is from (``flask.g.user``); otherwise it is called at once. ``build`` returns
    escaped HTML (a template's output, or ``markupsafe`` markup); "" or None shows nothing, and the panel
    round it is left out too. The result is kept for that person for as long as the page is (until its
    version's, board's or the site's data changes) and their own rows of an ``"authored"`` table are
    unchanged (see ``db.scopes_of``), so ``build`` must depend on nothing else; ``keep=False`` calls it on
    every request.
    """
    slots = g.get("pr_slots")
    if slots is None:
        return Markup(build(*args) or "")
    token = slots.tokens.get((build, args))
    if token is None:
        token = slots.tokens[(build, args)] = f"pr-slot-{secrets.token_hex(12)}"
        slots.fills[token] = [build, args, "", "", keep]
    return Markup(token)


def wrapped(html: Any, before: str, after: str) -> Markup:
    """``html`` inside a container; a slot's container is only written round what fills it."""
    slots = g.get("pr_slots")
    if slots is not None and str(html) in slots.fills:
        slots.fills[str(html)][2:4] = [before, after]
        return Markup(html)
    return Markup(before) + Markup(html) + Markup(after)


def shared_page(key: Hashable, render: Callable[[], str]) -> bytes:
    """The page under ``key``, rendered once by ``render`` with its personal parts as slots, and filled
    in; as UTF-8, ready to send."""
    def build():
        g.pr_slots = SimpleNamespace(tokens={}, fills={})
        try:
            # Cut at the slots once, so serving the page joins pieces rather than searching it, and
            # encode the shared pieces once rather than the whole page on every request.
            parts = _SLOT.split(render())
            parts[::2] = [part.encode() for part in parts[::2]]
            return parts, {token: tuple(fill) for token, fill in g.pr_slots.fills.items()}
        finally:
            g.pop("pr_slots", None)

    cache = fragments()
    parts, fills = cache.get_or_build(key, build)
    if len(parts) == 1:
        return parts[0]
    out = parts[:]
    for i in range(1, len(parts), 2):
        build_slot, args, before, after, keep = fills.get(parts[i], (None,) * 5)
        if build_slot is None:
            out[i] = parts[i].encode()  # not this page's slot: left as it was
            continue
        if keep:
            value = cache.get_or_build(("slot", key, parts[i], g.user.id, _user_mark()), partial(build_slot, *args))
        else:
            value = build_slot(*args)
        out[i] = f"{before}{value}{after}".encode() if value else b""
    return b"".join(out)


def _user_mark() -> int:
    """The mark of what the person's own parts show (their own feedback, say), read with who is asking
    (see auth) or, for someone a plugin signed in, now; moved by their own rows (``db.scopes_of``)."""
    ctx = g._get_current_object()
    mark = ctx.get("user_mark")
    if mark is None:
        from .db import database, user_scope

        scope = user_scope(ctx.user.id, ctx.get("page_scope") or page_scope() or "")
        mark = ctx.user_mark = database().marks([scope])[scope]
    return mark


def _viewer_name() -> Markup:
    return escape(g.user.name)


def _csrf_token() -> str:
    from .security import csrf_token

    return csrf_token()


def shared_viewer() -> dict:
    """Template context for a shared page: the viewer's name and CSRF token as slots, the rest shared."""
    user = g.user
    viewer = SimpleNamespace(name=per_request(_viewer_name, keep=False), role=user.role,
                             role_label=user.role_label, board=user.board, board_id=user.board_id,
                             is_national=user.is_national)
    # The token follows the browser's session (kept by its secret, see security.csrf_token), not the person.
    return {"current_user": viewer, "csrf_token": lambda: per_request(_csrf_token, keep=False)}
