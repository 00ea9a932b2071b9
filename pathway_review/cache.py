"""Rendered fragments kept per worker process, keyed by everything that can change them.

A key always includes the data generation (see ``db.track_changes``), so any committed change in any
worker retires every fragment built before it; pathway documents are keyed by file and mtime.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

from flask import current_app


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


def fragments() -> FragmentCache:
    return current_app.extensions["pathway_review.fragments"]
