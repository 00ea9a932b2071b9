"""Every route × every role × own board / other board, checked against the rule each view declares.

The expected answer comes from the view's declaration (``@public``, ``@signed_in``, ``@roles_required``,
``@checks_permission``), so a route added without one, or whose behaviour does not match it, is reported.
Optional plugins are expected to be switched on for the users' own board (Lothian) and off for Fife.
"""
from __future__ import annotations

import uuid

from werkzeug.routing import IntegerConverter, PathConverter, UUIDConverter

from ..access import declared_rule
from ..converters import VersionConverter
from .apps import OTHER_BOARD, OWN_BOARD, AuthActions

PATHWAY, VERSIONS = "suspected-colorectal-cancer", ("2.0", "3.0")
MISSING_ID = 999999
ROLES = ("anonymous", "gp", "cfsd", "board-admin", "admin")
ROLE_OF = {"gp": "gp", "cfsd": "cfsd", "board-admin": "board-admin", "admin": "admin"}
BOARD_OF = {"gp": OWN_BOARD, "board-admin": OWN_BOARD, "cfsd": None, "admin": None}


def is_static(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")


def owner_of(app, endpoint: str) -> str | None:
    """The plugin whose blueprint serves ``endpoint`` (None for the core's own pages)."""
    blueprint = endpoint.rpartition(".")[0]
    return app.extensions["pathway_review.plugins"].blueprint_owner.get(blueprint)


def section_id(app) -> str:
    return app.extensions["pathway_review.library"].get(PATHWAY).current.sections[0].id


def fill(app, rule, board: str) -> tuple[str, bool]:
    """The rule's URL with every argument filled by its name; True if it names a record that cannot exist."""
    values, missing_record = {}, False
    for name in sorted(rule.arguments):
        converter = rule._converters[name]
        if isinstance(converter, IntegerConverter):
            values[name], missing_record = MISSING_ID, True
        elif isinstance(converter, UUIDConverter):
            values[name], missing_record = uuid.UUID(int=0), True
        elif name == "board" or name.endswith("_board"):
            values[name] = board
        elif isinstance(converter, VersionConverter) or name in ("version", "old", "new", "from_version",
                                                                 "to_version"):
            values[name] = VERSIONS[0] if name in ("old", "from_version") else VERSIONS[1]
        elif name in ("slug", "pathway", "pathway_slug"):
            values[name] = PATHWAY
        elif name in ("section", "section_id"):
            values[name] = section_id(app)
        elif isinstance(converter, PathConverter):
            values[name], missing_record = "no/such/thing", True
        else:
            values[name], missing_record = "no-such-thing", True
    return rule.build(values, append_unknown=False)[1], missing_record


def get_routes(app, plugin: str | None = None):
    """GET routes, sorted; only those of ``plugin``'s blueprints when it is given."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if is_static(rule.endpoint) or "GET" not in (rule.methods or ()):
            continue
        if plugin is None or owner_of(app, rule.endpoint) == plugin:
            yield rule


def post_routes(app, plugin: str | None = None):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if is_static(rule.endpoint) or not (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}:
            continue
        if plugin is None or owner_of(app, rule.endpoint) == plugin:
            yield rule


def expected(app, rule, role: str, board_kind: str, missing_record: bool) -> int | str:
    """What this role should get: a status code, "login", "allowed" (anything but 401/403/5xx) or
    "allowed or refused" (the view declared a finer check of its own, so 403 is possible too)."""
    access = declared_rule(app.view_functions[rule.endpoint])
    if access is None:
        return "a declared access rule"
    if access.public:
        return 404 if missing_record else "allowed"
    if role == "anonymous":
        return 401 if rule.rule.startswith("/api/") else "login"
    if access.roles and ROLE_OF[role] not in access.roles:
        return 403
    if board_kind == "other" and BOARD_OF[role] is not None:
        return 404  # another board's records do not exist for this user
    if access.permission:
        return "allowed or refused"  # the view's own can() check may refuse this user
    return 404 if missing_record else "allowed"


def check(response, want) -> str | None:
    """None if the response is what was wanted, else what went wrong."""
    status = response.status_code
    if status >= 500:
        return f"{status} (server error)"
    if want == "a declared access rule":
        return "the view declares no access rule (@public, @signed_in or @roles_required(...))"
    if want == "login":
        location = response.headers.get("Location", "")
        signs_in = status == 302 and location.startswith("/login")
        return None if signs_in else f"{status} {location}, not a sign-in redirect"
    if want == "allowed or refused":
        return f"{status}, expected access or 403" if status == 401 else None
    if want == "allowed":
        if status in (401, 403):
            return f"{status}, expected access"
        if status in (301, 302, 303, 307, 308) and response.headers.get("Location", "").startswith("/login"):
            return "sent to sign in, expected access"
        return None
    return None if status == want else f"{status}, expected {want}"


def client_for(app, role: str):
    """A test client signed in as ``role`` (of Lothian, for board roles), or signed out for "anonymous"."""
    client = app.test_client()
    if role != "anonymous":
        response = AuthActions(client).login(role)
        assert response.status_code == 302, f"{role} could not sign in"
    return client


def access_failures(app, plugin: str | None = None, roles=ROLES) -> tuple[list[str], int]:
    """Request every GET route (of ``plugin``, or all) as every role, for the own and the other board.

    Returns (one line per answer that breaks the route's declared rule, the number of requests made).
    """
    failures, checked = [], 0
    for role in roles:
        client = client_for(app, role)
        for rule in get_routes(app, plugin):
            kinds = ("own", "other") if "board" in rule.arguments else ("own",)
            for kind in kinds:
                url, missing_record = fill(app, rule, OWN_BOARD if kind == "own" else OTHER_BOARD)
                problem = check(client.get(url), expected(app, rule, role, kind, missing_record))
                checked += 1
                if problem:
                    failures.append(f"{role} GET {url} ({rule.endpoint}, {kind} board): {problem}")
    return failures, checked
