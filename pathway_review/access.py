"""Who may do what: access rules declared on views, checked centrally, and the permission hook.

Every view is for signed-in users unless marked :func:`public`; :func:`roles_required` narrows it.
The rules are data on the view function so the access-matrix test can read them for every route.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from flask import g

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccessRule:
    public: bool = False
    roles: frozenset[str] = frozenset()  # empty: any signed-in user
    # A finer check the view makes itself with can(permission, ...), e.g. "only the editors a board
    # appoints": some users whose role is allowed may still get 403. Declared so the matrix expects it.
    permission: str | None = None

    def allows(self, user) -> bool:
        if self.public:
            return True
        if user is None:
            return False
        return not self.roles or user.role in self.roles


SIGNED_IN = AccessRule()


def _declare(view, **rule):
    # Keeps a checks_permission() declaration whichever order the decorators are written in.
    earlier = getattr(view, "access_rule", None)
    view.access_rule = AccessRule(permission=earlier.permission if earlier else None, **rule)
    return view


def signed_in(view):
    """Any signed-in user (the default, declared so the access-matrix test sees a decision was made)."""
    return _declare(view)


def public(view):
    return _declare(view, public=True)


def roles_required(*roles: str):
    def decorate(view):
        return _declare(view, roles=frozenset(roles))
    return decorate


def checks_permission(action: str):
    """Declare that the view also asks ``can(action, ...)`` and answers 403 when refused.

    Use it with one of the decorators above; it narrows their rule, it does not replace it.
    """
    def decorate(view):
        earlier = getattr(view, "access_rule", None) or SIGNED_IN
        view.access_rule = replace(earlier, permission=action)
        return view
    return decorate


def rule_for(view) -> AccessRule:
    return getattr(view, "access_rule", SIGNED_IN)


def declared_rule(view) -> AccessRule | None:
    """The rule a view declared, or None if it declared none (the test suite rejects that)."""
    return getattr(view, "access_rule", None)


def current_user():
    return g.get("user")


def can(action: str, resource: Any = None, user=None) -> bool:
    """Ask the permission hook (plugins first, the core's rules last); nobody answering refuses.

    A plugin that raises or answers anything but True, False or None is recorded as failed and counts as
    no answer (the host checks the answer's type), so it can neither grant nor refuse.
    """
    from .plugins import hooks, host

    user = user if user is not None else current_user()
    return host().call("permission", view=hooks(), user=user, action=action, resource=resource) is True


def core_permission(user, action: str, resource: Any) -> bool | None:
    """The core's own rules, consulted after every plugin's."""
    if user is None:
        return False
    role = user.role
    if action in ("pathway:read", "search:pathways"):
        return True
    if action in ("library:health", "audit:read", "plugins:list"):
        return role == "admin" or (action == "library:health" and role == "cfsd")
    if action in ("plugins:manage", "users:manage"):
        # resource is the board concerned
        if role == "admin":
            return True
        return role == "board-admin" and resource is not None and getattr(resource, "id", None) == user.board_id
    return None
