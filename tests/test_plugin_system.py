"""The plugin system as a board and a plugin author meet it: discovery, per-board enablement, fault isolation."""
import importlib.util
import json
from importlib.metadata import entry_points

import pytest
from sqlalchemy import select

from pathway_review import hookimpl
from pathway_review.access import can
from pathway_review.models import AuditEvent, PluginEnablement
from tests.conftest import make_app
from tests.fixture_plugins import broken_everywhere
from tests.fixture_plugins.header_sso import HEADER

FIXTURES = "tests.fixture_plugins."
COLORECTAL = "/pathways/suspected-colorectal-cancer/"


def plugin_host(app):
    return app.extensions["pathway_review.plugins"]


def audit_actions(app):
    with app.extensions["pathway_review.db"].sessions() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.action, e.target, e.actor_email) for e in events]


def enable(runner, plugin, board, action="enable"):
    return runner.invoke(args=["plugins", action, plugin, "--board", board])


def build(tmp_path, database_url, *plugins, **config):
    return make_app(tmp_path, database_url, PLUGINS=[FIXTURES + p for p in plugins], **config)


# ---- discovery ----------------------------------------------------------------------------------

def test_plugins_list_shows_every_entry_point_and_the_core(runner):
    result = runner.invoke(args=["plugins", "list", "--json"])
    assert result.exit_code == 0, result.output
    listed = {row["name"]: row for row in json.loads(result.stdout)}
    assert listed["core"]["optional"] is False and "permission" in listed["core"]["hooks"]
    for ep in entry_points(group="pathway_review"):
        assert ep.name in listed, f"entry point {ep.name} is not listed"
        module_exists = importlib.util.find_spec(ep.value.split(":")[0]) is not None
        if module_exists:
            # A plugin that is in the tree must load cleanly; one still missing is shown as failed.
            assert listed[ep.name]["failure"] is None, listed[ep.name]
            assert listed[ep.name]["source"] == "entry point"
        else:
            assert listed[ep.name]["failure"].startswith("import failed")


def test_configured_plugin_is_listed_with_its_title_and_hooks(app_factory, runner_for):
    app = app_factory("board_banner")
    rows = {r["name"]: r for r in json.loads(runner_for(app).invoke(args=["plugins", "list", "--json"]).stdout)}
    banner = rows["board_banner"]
    assert banner["title"] == "Board banner" and banner["optional"] is True and banner["boards"] == []
    assert {"register_blueprints", "pathway_panels", "nav_links"} <= set(banner["hooks"])


@pytest.fixture
def app_factory(tmp_path, database_url):
    built = []

    def factory(*plugins, **config):
        app = build(tmp_path, database_url, *plugins, **config)
        built.append(app)
        return app

    yield factory
    for app in built:
        app.extensions["pathway_review.db"].engine.dispose()


@pytest.fixture
def runner_for():
    return lambda app: app.test_cli_runner()


def sign_in(app, who):
    from tests.conftest import AuthActions

    client = app.test_client()
    response = AuthActions(client).login(who)
    assert response.status_code == 302, f"{who} could not sign in"
    return client


# ---- plugins that fail ----------------------------------------------------------------------------

def test_plugin_failing_at_import_is_listed_as_failed_and_the_app_starts(app_factory):
    app = app_factory("raises_on_import", "does_not_exist", "board_banner")
    info = plugin_host(app).info
    assert "not-installed" in info[FIXTURES + "raises_on_import"].failure
    assert "import failed" in info[FIXTURES + "does_not_exist"].failure
    admin = sign_in(app, "admin")
    page = admin.get("/admin/plugins").get_data(as_text=True)
    assert page.count("Failed") >= 2 and "does_not_exist" in page
    gp = sign_in(app, "gp")
    assert gp.get(COLORECTAL).status_code == 200


def test_plugin_implementing_an_unknown_hook_is_rejected_and_others_still_work(app_factory):
    app = app_factory("unknown_hook", "board_banner")
    host = plugin_host(app)
    assert "pathway_exploded" in host.info["unknown_hook"].failure
    assert not host.pm.has_plugin("unknown_hook")
    enable(app.test_cli_runner(), "board_banner", "lothian")
    assert "Board banner: local guidance" in sign_in(app, "gp").get(COLORECTAL).get_data(as_text=True)


def test_plugin_raising_in_every_hook_leaves_every_page_working(app_factory):
    app = app_factory("board_banner", "broken_everywhere")
    host = plugin_host(app)
    implemented = {c.name for c in host.pm.get_hookcallers(host.pm.get_plugin("broken_everywhere"))}
    assert implemented == set(broken_everywhere.HOOK_NAMES)  # really every hook
    enable(app.test_cli_runner(), "board_banner", "lothian")

    gp = sign_in(app, "gp")
    for url in ("/", "/?specialty=Urology", COLORECTAL, COLORECTAL + "2.0/", COLORECTAL + "history/",
                COLORECTAL + "compare/2.0/3.0/", "/board-banner/", "/api/v1/pathways",
                "/api/v1/pathways/suspected-colorectal-cancer/versions/3.0", "/api/v1/openapi.json"):
        response = gp.get(url)
        assert response.status_code == 200, url
    page = gp.get(COLORECTAL).get_data(as_text=True)
    assert "Board banner: local guidance" in page  # the healthy plugin's panel is still there
    assert "Red flags" in page

    admin = sign_in(app, "admin")
    for url in ("/admin/", "/admin/plugins", "/admin/health", "/admin/audit", COLORECTAL):
        assert admin.get(url).status_code == 200, url
    plugins_page = admin.get("/admin/plugins").get_data(as_text=True)
    row = plugins_page[plugins_page.index("broken_everywhere"):]
    assert "Failed" in row[:600] and "PluginExploded" in row[:600]
    # A permission hook that raises has no opinion: the core's rules decide, for and against.
    assert admin.get("/admin/boards/lothian/plugins").status_code == 200
    assert sign_in(app, "board-admin").get("/admin/boards/fife/plugins").status_code == 404
    assert "in <code>permission</code>: PluginExploded" in admin.get("/admin/plugins").get_data(as_text=True)
    assert app.test_client().get("/login").status_code == 200


def test_events_reach_every_listener_when_one_raises(app_factory):
    app = app_factory("event_listener", "board_banner", "broken_everywhere")
    result = enable(app.test_cli_runner(), "board_banner", "fife")
    assert result.exit_code == 0, result.output
    assert ("plugin_enablement_changed", "board_banner", "fife", True) in app.extensions["fixture_events"]


# ---- per-board enablement -----------------------------------------------------------------------

def test_optional_plugin_works_only_for_the_board_that_enabled_it(app_factory):
    app = app_factory("board_banner")
    runner = app.test_cli_runner()
    lothian, fife = sign_in(app, "gp"), sign_in(app, "gp-fife")
    assert "Board banner" not in lothian.get(COLORECTAL).get_data(as_text=True)
    assert lothian.get("/board-banner/").status_code == 404

    result = enable(runner, "board_banner", "lothian")
    assert result.exit_code == 0 and "enabled for lothian" in result.output

    page = lothian.get(COLORECTAL).get_data(as_text=True)
    assert "Board banner: local guidance on Suspected colorectal cancer" in page
    assert 'href="/board-banner/"' in page  # navigation link
    assert "Local guidance for NHS Lothian" in lothian.get("/board-banner/").get_data(as_text=True)

    fife_page = fife.get(COLORECTAL).get_data(as_text=True)
    assert "Board banner" not in fife_page
    assert fife.get("/board-banner/").status_code == 404
    assert fife.get("/board-banner/boards/fife/").status_code == 404

    result = enable(runner, "board_banner", "lothian", action="disable")
    assert result.exit_code == 0
    assert "Board banner" not in lothian.get(COLORECTAL).get_data(as_text=True)
    assert lothian.get("/board-banner/").status_code == 404

    actions = audit_actions(app)
    assert ("plugin.enabled", "board_banner", None) in actions
    assert ("plugin.disabled", "board_banner", None) in actions


def test_board_admin_switches_a_plugin_on_and_off_from_the_admin_page(app_factory):
    from tests.conftest import AuthActions

    app = app_factory("board_banner")
    admin_client = app.test_client()
    auth = AuthActions(admin_client)
    auth.login("board-admin")
    page = admin_client.get("/admin/boards/lothian/plugins").get_data(as_text=True)
    assert "Switch on Board banner" in page
    response = auth.post("/admin/boards/lothian/plugins", {"plugin": "board_banner", "action": "enable"},
                         follow_redirects=True)
    assert "Board banner is now on for NHS Lothian" in response.get_data(as_text=True)
    assert "Board banner: local guidance" in sign_in(app, "gp").get(COLORECTAL).get_data(as_text=True)

    auth.post("/admin/boards/lothian/plugins", {"plugin": "board_banner", "action": "disable"})
    assert "Board banner" not in sign_in(app, "gp").get(COLORECTAL).get_data(as_text=True)
    actions = audit_actions(app)
    assert ("plugin.enabled", "board_banner", "admin@lothian.example") in actions
    assert ("plugin.disabled", "board_banner", "admin@lothian.example") in actions


def test_board_admin_cannot_manage_another_board(app_factory):
    from tests.conftest import AuthActions

    app = app_factory("board_banner")
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("board-admin")
    assert client.get("/admin/boards/fife/plugins").status_code == 404
    assert client.get("/admin/boards/fife/users").status_code == 404
    response = auth.post("/admin/boards/fife/plugins", {"plugin": "board_banner", "action": "enable"})
    assert response.status_code == 404
    with app.extensions["pathway_review.db"].sessions() as session:
        assert session.scalars(select(PluginEnablement)).all() == []
    denied = [a for a in audit_actions(app) if a[0] == "permission.denied"]
    assert ("permission.denied", "/admin/boards/fife/plugins", "admin@lothian.example") in denied
    # A GP is not an admin anywhere.
    assert sign_in(app, "gp").get("/admin/boards/lothian/plugins").status_code == 403


def test_enabling_a_plugin_that_does_not_exist_is_a_clear_error(app_factory):
    from tests.conftest import AuthActions

    app = app_factory("board_banner")
    result = enable(app.test_cli_runner(), "no_such_plugin", "lothian")
    assert result.exit_code != 0
    assert "There is no optional plugin called 'no_such_plugin'" in result.output
    assert "board_banner" in result.output  # the names that would have worked
    result = enable(app.test_cli_runner(), "board_banner", "atlantis")
    assert result.exit_code != 0 and "no board 'atlantis'" in result.output

    client = app.test_client()
    auth = AuthActions(client)
    auth.login("board-admin")
    page = auth.post("/admin/boards/lothian/plugins", {"plugin": "no_such_plugin", "action": "enable"},
                     follow_redirects=True).get_data(as_text=True)
    assert "There is a problem" in page and "no optional plugin called" in page


def test_always_on_plugins_cannot_be_switched_per_board(runner):
    result = enable(runner, "core", "lothian")
    assert result.exit_code != 0 and "no optional plugin called 'core'" in result.output


def test_late_registered_plugin_is_not_run_for_boards(app_factory):
    app = app_factory("board_banner")
    gp = sign_in(app, "gp")
    assert gp.get(COLORECTAL).status_code == 200  # the board's view is built and cached

    class Late:
        @hookimpl
        def pathway_panels(self, version, user):
            return "<p>Late panel</p>"

    plugin_host(app).pm.register(Late(), name="late")
    assert "Late panel" not in gp.get(COLORECTAL).get_data(as_text=True)
    assert "Late panel" not in sign_in(app, "gp-fife").get(COLORECTAL).get_data(as_text=True)
    result = enable(app.test_cli_runner(), "late", "lothian")
    assert result.exit_code != 0  # nor can a board switch on what the host never registered


# ---- the identity and permission hooks ----------------------------------------------------------

def test_identity_plugin_signs_users_in_from_a_trusted_header(app_factory):
    app = app_factory("header_sso")
    client = app.test_client()
    page = client.get("/", headers={HEADER: "gp@fife.example"})
    assert page.status_code == 200 and "Signed in as Dr Fife GP" in page.get_data(as_text=True)
    assert client.get("/", headers={HEADER: "nobody@example.org"}).status_code == 302
    assert client.get("/").status_code == 302
    # A header identity is a browser identity: state-changing requests still need the form's token.
    assert client.post("/logout", headers={HEADER: "gp@fife.example"}).status_code == 400


def test_permission_plugin_decides_before_the_core(app_factory):
    app = app_factory("permission_rules")
    fife_admin = sign_in(app, "board-admin-fife")
    assert fife_admin.get("/admin/boards/lothian/plugins").status_code == 200  # granted by the plugin
    assert fife_admin.get("/admin/boards/tayside/plugins").status_code == 404  # the core's rule
    site_admin = sign_in(app, "admin")
    assert site_admin.get("/admin/boards/orkney/plugins").status_code == 404  # refused by the plugin
    assert site_admin.get("/admin/boards/shetland/plugins").status_code == 200

    with app.test_request_context():
        from pathway_review.models import Board, User

        with app.extensions["pathway_review.db"].sessions() as session:
            gp = session.scalar(select(User).where(User.email == "gp@lothian.example"))
            lothian = session.scalar(select(Board).where(Board.slug == "lothian"))
            _ = gp.board  # loaded while the session is open
            assert can("pathway:read", None, user=gp) is True
            assert can("plugins:manage", lothian, user=gp) is False
            assert can("something:unknown", None, user=gp) is False  # nobody answered: refused
