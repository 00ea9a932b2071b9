"""A pytest plugin for testing Pathway Review and its plugins, loaded through the ``pytest11`` entry point.

Installing ``pathway-review`` makes these fixtures available in any test suite. A plugin author sets two
fixtures in their ``conftest.py`` and gets an app with their plugin registered and switched on::

    @pytest.fixture
    def plugin_under_test():
        return "pathway_review_formulary"      # the module, its dotted name, or a listener object

    @pytest.fixture
    def plugin_boards():
        return ("lothian",)                    # the default; () leaves an optional plugin off

Fixtures: ``app`` (a migrated app on a fresh database, the 14 boards, one account per role),
``client``, ``runner``, ``auth`` (signs ``client`` in and out), ``sign_in`` (a separate signed-in
client per person), ``app_config`` (override to change the configuration), ``plugin_name``.
:func:`access_failures` runs the route × role × board access check over a plugin's own routes.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from . import apps as _apps

from .access import ROLES, access_failures, client_for
from .apps import (ACCOUNTS, OTHER_BOARD, OWN_BOARD, PASSWORD, SAMPLE_PATHWAYS, TODAY, AuthActions, csrf_token,
                   make_app, registered_name, sample_pathways, switch_on, temporary_database)

__all__ = ["ACCOUNTS", "OTHER_BOARD", "OWN_BOARD", "PASSWORD", "ROLES", "SAMPLE_PATHWAYS", "TODAY", "AuthActions",
           "access_failures", "client_for", "csrf_token", "make_app", "registered_name", "sample_pathways",
           "switch_on", "temporary_database"]


def pytest_addoption(parser):
    parser.addini("pathway_review_pathways", "the pathway library the test apps read, relative to the rootdir "
                  "(default: the checkout's pathways/, or a small sample written per test)", default="")


def pytest_configure(config):
    # A project may pin a frozen copy of its library so that editing the demo library breaks no test.
    folder = config.getini("pathway_review_pathways")
    if folder:
        _apps.SAMPLE_PATHWAYS = Path(config.rootpath, folder)


@pytest.fixture
def database_url(tmp_path):
    """A database of this test's own: SQLite in its folder, or a fresh PostgreSQL schema when
    ``PATHWAY_REVIEW_TEST_DATABASE_URL`` names a server."""
    with temporary_database(tmp_path) as url:
        yield url


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def plugin_under_test() -> Any:
    """Override with the plugin you are testing: a module, its dotted name, or a listener object."""
    return None


@pytest.fixture
def plugin_boards() -> tuple[str, ...]:
    """The boards an optional ``plugin_under_test`` is switched on for before the test starts."""
    return (OWN_BOARD,)


@pytest.fixture
def app(tmp_path, database_url, app_config, plugin_under_test, plugin_boards):
    config = dict(app_config)
    if plugin_under_test is not None:
        config["PLUGINS"] = [*config.get("PLUGINS", ()), plugin_under_test]
    app = make_app(tmp_path, database_url, **config)
    if plugin_under_test is not None:
        name = registered_name(app, plugin_under_test)
        if app.extensions["pathway_review.plugins"].info[name].optional and plugin_boards:
            switch_on(app, name, plugin_boards)
    yield app
    app.extensions["pathway_review.db"].dispose()


@pytest.fixture
def plugin_name(app, plugin_under_test) -> str | None:
    """The name ``plugin_under_test`` is registered under (its entry-point name when installed)."""
    return None if plugin_under_test is None else registered_name(app, plugin_under_test)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def sign_in(app):
    """``sign_in("gp-fife")``: an :class:`AuthActions` with a client of its own, already signed in."""
    def sign_in(who: str) -> AuthActions:
        actions = AuthActions(app.test_client())
        response = actions.login(who)
        assert response.status_code == 302, f"{who} could not sign in"
        return actions
    return sign_in
