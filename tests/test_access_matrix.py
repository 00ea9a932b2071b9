"""Every route × every role × own board / other board, generated from the app's URL map.

The expected answer comes from the rule each view declares, so a route added without a rule, or whose
behaviour does not match its rule, fails here. Routes of every installed plugin are included: optional
plugins are switched on for the signed-in users' own board (Lothian) and stay off for Fife.
"""
from __future__ import annotations

import uuid

import pytest
from werkzeug.routing import IntegerConverter, PathConverter, UUIDConverter

from pathway_review.access import declared_rule
from pathway_review.converters import VersionConverter
from tests.conftest import AuthActions

OWN_BOARD, OTHER_BOARD = "lothian", "fife"
PATHWAY, VERSIONS = "suspected-colorectal-cancer", ("2.0", "3.0")
MISSING_ID = 999999
ROLES = ("anonymous", "gp", "cfsd", "board-admin", "admin")
ROLE_OF = {"gp": "gp", "cfsd": "cfsd", "board-admin": "board-admin", "admin": "admin"}
BOARD_OF = {"gp": OWN_BOARD, "board-admin": OWN_BOARD, "cfsd": None, "admin": None}


@pytest.fixture
def app_config():
    # A fixture plugin with page, board-scoped and id routes, so the matrix covers those shapes
    # even before any installed plugin has one.
    return {"PLUGINS": ["tests.fixture_plugins.board_banner"]}


def is_static(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")


def host(app):
    return app.extensions["pathway_review.plugins"]


def owner_of(app, endpoint: str) -> str | None:
    blueprint = endpoint.rpartition(".")[0]
    return host(app).blueprint_owner.get(blueprint)


def enable_optional_plugins(app, board=OWN_BOARD):
    runner = app.test_cli_runner()
    for name in host(app).optional_names:
        result = runner.invoke(args=["plugins", "enable", name, "--board", board])
        assert result.exit_code == 0, result.output


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


def get_routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not is_static(rule.endpoint) and "GET" in (rule.methods or ()):
            yield rule


def post_routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not is_static(rule.endpoint) and (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}:
            yield rule


def expected(app, rule, role: str, board_kind: str, missing_record: bool) -> int | str:
    """What this role should get: a status code, "login", "allowed" (anything but 401/403/5xx) or
    "allowed or refused" (the view declared a finer check of its own, so 403 is possible too)."""
    access = declared_rule(app.view_functions[rule.endpoint])
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
    status = response.status_code
    if status >= 500:
        return f"{status} (server error)"
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


def client_for(app, role):
    client = app.test_client()
    if role != "anonymous":
        response = AuthActions(client).login(role)
        assert response.status_code == 302, f"{role} could not sign in"
    return client


# ---- (a) every view declares a rule ---------------------------------------------------------------

def test_every_view_declares_its_access_rule(app):
    undeclared = [endpoint for endpoint, view in sorted(app.view_functions.items())
                  if not is_static(endpoint) and declared_rule(view) is None]
    assert not undeclared, ("views without @public, @signed_in or @roles_required(...): " + ", ".join(undeclared))


def test_matrix_covers_the_core_and_plugin_routes(app):
    endpoints = {rule.endpoint for rule in get_routes(app)}
    assert {"pathways.catalogue", "pathways.version", "api.pathways", "admin.board_plugins",
            "board_banner.board_page", "board_banner.notice", "board_banner.edit"} <= endpoints


# ---- (b) GET: every route × every role × own / other board ---------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(app, role):
    enable_optional_plugins(app)
    client = client_for(app, role)
    failures, checked = [], 0
    for rule in get_routes(app):
        kinds = ("own", "other") if "board" in rule.arguments else ("own",)
        for kind in kinds:
            url, missing_record = fill(app, rule, OWN_BOARD if kind == "own" else OTHER_BOARD)
            want = expected(app, rule, role, kind, missing_record)
            problem = check(client.get(url), want)
            checked += 1
            if problem:
                failures.append(f"{role} GET {url} ({rule.endpoint}, {kind} board): {problem}")
    assert checked >= 15
    assert not failures, "\n".join(failures)


def test_optional_plugins_answer_404_for_a_board_that_has_not_enabled_them(app):
    enable_optional_plugins(app)  # for Lothian only
    fife = client_for(app, "gp-fife")
    failures, checked = [], 0
    for rule in get_routes(app):
        owner = owner_of(app, rule.endpoint)
        if owner is None or not host(app).info[owner].optional:
            continue
        url, _ = fill(app, rule, "fife")
        status = fife.get(url).status_code
        checked += 1
        if status != 404:
            failures.append(f"Fife GP GET {url} of {owner}: {status}, expected 404")
    assert checked >= 3
    assert not failures, "\n".join(failures)


# ---- POST and other state-changing methods --------------------------------------------------------

@pytest.mark.parametrize("role", ["anonymous", "gp"])
def test_state_changing_requests_without_csrf_token_are_refused(app, role):
    enable_optional_plugins(app)
    client = client_for(app, role)
    failures = []
    for rule in post_routes(app):
        url, _ = fill(app, rule, OWN_BOARD)
        for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}):
            response = client.open(url, method=method, data={"anything": "x"})
            status = response.status_code
            # An anonymous API call is refused as unauthenticated (401) before any CSRF question arises.
            allowed = {401} if role == "anonymous" and url.startswith("/api/") else {400}
            if status >= 500 or not (status in allowed or 300 <= status < 400):
                failures.append(f"{role} {method} {url}: {status}, expected {allowed} or a redirect")
    assert not failures, "\n".join(failures)
