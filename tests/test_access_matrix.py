"""Every route × every role × own board / other board, generated from the app's URL map.

The expected answer comes from the rule each view declares, so a route added without a rule, or whose
behaviour does not match its rule, fails here. Routes of every installed plugin are included: optional
plugins are switched on for the signed-in users' own board (Lothian) and stay off for Fife.
"""
from __future__ import annotations

import pytest

from pathway_review.access import declared_rule
from pathway_review.testing.access import (OWN_BOARD, ROLES, access_failures, client_for, fill, get_routes,
                                           is_static, owner_of, post_routes)


@pytest.fixture
def app_config():
    # A fixture plugin with page, board-scoped and id routes, so the matrix covers those shapes
    # even before any installed plugin has one.
    return {"PLUGINS": ["tests.fixture_plugins.board_banner"]}


def host(app):
    return app.extensions["pathway_review.plugins"]


def enable_optional_plugins(app, board=OWN_BOARD):
    runner = app.test_cli_runner()
    for name in host(app).optional_names:
        result = runner.invoke(args=["plugins", "enable", name, "--board", board])
        assert result.exit_code == 0, result.output


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
    failures, checked = access_failures(app, roles=(role,))
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
