"""One caller for every hook: each spec's semantics honoured, failing plugins left out, and permission
answers that can only ever be True, False or no opinion."""
import re

import pluggy
import pytest
from sqlalchemy import select

from pathway_review import hookimpl, hookspecs
from pathway_review.access import can
from pathway_review.models import PluginEnablement, User
from tests.conftest import ROOT, AuthActions, make_app

FIXTURES = "tests.fixture_plugins."
hookspec = pluggy.HookspecMarker("pathway_review")


def plugin_host(app):
    return app.extensions["pathway_review.plugins"]


def sign_in(app, who):
    client = app.test_client()
    assert AuthActions(client).login(who).status_code == 302, f"{who} could not sign in"
    return client


@pytest.fixture
def app_with(tmp_path, database_url):
    built = []

    def build(*plugins):
        app = make_app(tmp_path, database_url, PLUGINS=[FIXTURES + p for p in plugins])
        built.append(app)
        return app

    yield build
    for app in built:
        app.extensions["pathway_review.db"].dispose()


# ---- the permission hook --------------------------------------------------------------------------

def test_a_wrapper_permission_hook_is_refused_and_cannot_let_a_lothian_gp_manage_fife(app_with):
    app = app_with("permission_wrapper", "board_banner")
    host = plugin_host(app)
    assert not host.pm.has_plugin("permission_wrapper")
    assert "cannot be a wrapper" in host.info["permission_wrapper"].failure

    gp = sign_in(app, "gp")
    assert gp.get("/admin/boards/fife/plugins").status_code == 403
    gp_auth = AuthActions(gp)
    assert gp_auth.post("/admin/boards/fife/plugins", {"plugin": "board_banner", "action": "enable"}).status_code == 403
    lothian_admin = AuthActions(app.test_client())
    lothian_admin.login("board-admin")
    assert lothian_admin.post("/admin/boards/fife/plugins",
                              {"plugin": "board_banner", "action": "enable"}).status_code == 404
    with app.extensions["pathway_review.db"].sessions() as session:
        assert session.scalars(select(PluginEnablement)).all() == []

    page = sign_in(app, "admin").get("/admin/plugins").get_data(as_text=True)
    row = page[page.index("<code>permission_wrapper</code>"):]
    assert "Failed" in row[:800] and "cannot be a wrapper" in row[:800]


def test_a_wrapper_registered_straight_on_the_manager_is_refused_too(app):
    class LateWrapper:
        @hookimpl(wrapper=True)
        def permission(self, user, action, resource):
            yield
            return True

    host = plugin_host(app)
    plugin = LateWrapper()
    with pytest.raises(pluggy.PluginValidationError, match="cannot be a wrapper"):
        host.pm.register(plugin, name="late_wrapper")
    assert not host.pm.is_registered(plugin) and not host.pm.has_plugin("late_wrapper")


def test_a_permission_answer_that_is_not_true_false_or_none_cannot_grant(app_with):
    app = app_with("permission_bad_answers", "board_banner")
    lothian_admin = AuthActions(app.test_client())
    lothian_admin.login("board-admin")
    assert lothian_admin.client.get("/admin/boards/fife/plugins").status_code == 404  # "yes" is not True
    assert lothian_admin.post("/admin/boards/fife/plugins",
                              {"plugin": "board_banner", "action": "enable"}).status_code == 404
    admin = sign_in(app, "admin")
    page = admin.get("/admin/plugins").get_data(as_text=True)
    row = page[page.index("<code>permission_bad_answers</code>"):][:1500]
    assert "Failed" in row and "answered with a str, not bool or None; the answer was ignored (2 times" in row

    with app.test_request_context("/"):
        with app.extensions["pathway_review.db"].sessions() as session:
            gp = session.scalar(select(User).where(User.email == "gp@lothian.example"))
            assert can("fixture:generator", None, user=gp) is False  # a generator is not True either
    page = admin.get("/admin/plugins").get_data(as_text=True)
    row = page[page.index("<code>permission_bad_answers</code>"):][:1500]
    assert "answered with a generator, not bool or None; the answer was ignored (3 times" in row


def test_a_permission_hook_that_raises_neither_grants_nor_refuses_and_shows_as_failed(app_with):
    app = app_with("permission_raises")
    assert sign_in(app, "board-admin").get("/admin/boards/fife/plugins").status_code == 404
    assert sign_in(app, "board-admin").get("/admin/boards/lothian/plugins").status_code == 200  # the core grants
    admin = sign_in(app, "admin")
    assert admin.get("/admin/boards/orkney/plugins").status_code == 200
    page = admin.get("/admin/plugins").get_data(as_text=True)
    row = page[page.index("<code>permission_raises</code>"):][:1200]
    assert "Failed" in row and "in <code>permission</code>: RuleTableMissing at permission_raises.py:" in row
    assert "admin@lothian.example" not in row  # the exception's message quoted a person; the record does not


# ---- how hooks are called -------------------------------------------------------------------------

class Answers:
    """Two answers to each kind of hook, one that raises in between."""

    def __init__(self, label):
        self.label = label

    @hookimpl
    def header_search_url(self):
        return f"/search-{self.label}"

    @hookimpl
    def openapi_paths(self):
        return {f"/api/v1/{self.label}": {}}


class Raises:
    @hookimpl(tryfirst=True)
    def header_search_url(self):
        raise LookupError("no search here")

    @hookimpl(tryfirst=True)
    def openapi_paths(self):
        raise LookupError("no paths here")


def test_isolated_hooks_honour_firstresult_and_leave_out_a_plugin_that_raises(app):
    host = plugin_host(app)
    host.pm.register(Answers("early"), name="early")
    host.pm.register(Answers("late"), name="late")  # registered last: called first, as in pluggy
    host.pm.register(Raises(), name="raises")
    assert host.call("header_search_url") == "/search-late"
    paths = host.call("openapi_paths")
    assert paths[:2] == [{"/api/v1/late": {}}, {"/api/v1/early": {}}]
    assert all("raises" not in str(p) for p in paths)
    with app.test_request_context("/"):
        assert "/api/v1/late" in app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert [name for name, _ in host.call_per_plugin("openapi_paths")][:2] == ["late", "early"]
    rows = plugin_rows(app, "--json")["raises"]["failures"]
    assert {(f["hook"], f["message"].split(" at ")[0]) for f in rows} == {
        ("header_search_url", "LookupError"), ("openapi_paths", "LookupError")}


def plugin_rows(app, *options):
    import json

    result = app.test_cli_runner().invoke(args=["plugins", "list", *options])
    assert result.exit_code == 0, result.output
    return {row["name"]: row for row in json.loads(result.stdout)}


class ExtraSpecs:
    @hookspec(firstresult=True)
    def fixture_choose(self, options):
        """Not isolated: pluggy calls it."""

    @hookspec(historic=True)
    def fixture_announce(self, news):
        """Historic: remembered for plugins registered later."""


class Chooser:
    @hookimpl
    def fixture_choose(self, options):
        return options[0]


class Reverser:
    @hookimpl(wrapper=True)
    def fixture_choose(self, options):
        chosen = yield
        return chosen.upper()


class Listener:
    def __init__(self):
        self.heard = []

    @hookimpl
    def fixture_announce(self, news):
        self.heard.append(news)


def test_hooks_not_marked_isolated_keep_pluggys_semantics(app):
    host = plugin_host(app)
    host.pm.add_hookspecs(ExtraSpecs)
    host.pm.register(Chooser(), name="chooser")
    host.pm.register(Reverser(), name="reverser")  # a wrapper is fine where pluggy does the calling
    assert host.call("fixture_choose", options=["a", "b"]) == "A"

    class Breaks:
        @hookimpl(tryfirst=True)
        def fixture_choose(self, options):
            raise KeyError("not isolated, so the call fails")

    host.pm.register(Breaks(), name="breaks")
    with pytest.raises(KeyError):
        host.call("fixture_choose", options=["a"])

    assert host.call("fixture_announce", news="late news") is None
    listener = Listener()
    host.pm.register(listener, name="listener")
    assert listener.heard == ["late news"]  # historic: heard on registration


def test_every_page_event_data_and_start_up_hook_is_isolated():
    declared = {name for name, spec in vars(hookspecs).items() if hasattr(spec, "pathway_review_spec")}
    must = {"register_blueprints", "register_commands", "template_folders", "migrations", "board_settings",
            "openapi_paths", "export_formats", "periodic_tasks", "app_started", "authenticate_request",
            "login_methods", "permission", "nav_links", "header_search_url", "pathway_actions", "pathway_panels",
            "section_actions", "section_panels", "datasets", "dataset_links", "search_documents",
            "pathway_library_changed", "search_documents_changed", "feedback_submitted",
            "feedback_status_changed", "plugin_enablement_changed"}
    assert must <= declared
    # A new hook is isolated unless someone decides otherwise here, on purpose: events_delivered must
    # raise through, so the worker delivers the whole batch again.
    assert declared - hookspecs.ISOLATED == {"events_delivered"}


def test_board_settings_are_asked_of_the_one_plugin_concerned(app_with):
    app = app_with("board_banner", "broken_everywhere")
    with app.test_request_context("/"):
        from pathway_review.plugins import declared_settings

        assert [s.key for s in declared_settings("interface_log")] == ["liaison"]
        assert declared_settings("broken_everywhere") == []  # raises: no settings, the page still opens


# ---- nothing calls hooks behind the host's back ---------------------------------------------------

FORBIDDEN = re.compile(r"get_hookimpls\(|\.hook\.\w+\(|subset_hook_caller\(|call_each\(")


def test_no_module_calls_hooks_except_through_the_plugin_host():
    offenders = []
    for folder in ("pathway_review", "plugins"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "pathway_review" / "plugins.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if FORBIDDEN.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "call hooks through PluginHost.call / call_per_plugin / notify:\n" + "\n".join(offenders)
