"""The supported plugin API: one module to import, plugins that really use only it, and what it promises."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask import g

from pathway_review import plugin_api
from pathway_review.plugin_api import BoardPlugin, BoardSetting, hookimpl
from pathway_review.testing import ACCOUNTS, switch_on

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_SOURCES = sorted([*ROOT.joinpath("plugins").rglob("*.py"), *ROOT.joinpath("examples").rglob("*.py")])
COLORECTAL = "/pathways/suspected-colorectal-cancer/"
API_DOCS = ROOT / "docs" / "plugin-api.md"
AUTHOR_DOCS = sorted(ROOT.joinpath("docs").glob("*.md")) + [ROOT / "examples" / "pathway-review-practice-contacts"
                                                             / "README.md"]
DOCUMENTED_IMPORTS = ("pathway_review.plugin_api", "pathway_review.testing")


def core_imports(path: Path) -> list[str]:
    """Every import of the core in a file other than through the plugin API, as 'line: module'."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module] if node.module != "pathway_review" else \
                [f"pathway_review.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        found += [f"{node.lineno}: {m}" for m in modules
                  if (m == "pathway_review" or m.startswith("pathway_review.")) and m != "pathway_review.plugin_api"]
    return found


def test_the_scan_sees_every_built_in_plugin_and_the_example():
    packages = {p.relative_to(ROOT).parts[1] for p in PLUGIN_SOURCES}
    assert {"feedback", "search", "export", "local_notes", "interface_log",
            "pathway-review-practice-contacts"} <= packages
    assert core_imports(ROOT / "tests" / "fixture_plugins" / "board_banner.py"), "the scan must catch an import"


@pytest.mark.parametrize("path", PLUGIN_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_plugins_import_the_core_only_through_the_plugin_api(path):
    assert core_imports(path) == [], f"{path.relative_to(ROOT)} imports private parts of the core"


def test_every_exported_name_exists_and_is_listed_once():
    assert len(plugin_api.__all__) == len(set(plugin_api.__all__))
    missing = [name for name in plugin_api.__all__ if not hasattr(plugin_api, name)]
    assert not missing
    assert {"hookimpl", "Dataset", "SearchDocument", "get_session", "database", "library", "check_fields",
            "Field", "BoardPlugin", "can", "audit", "error_response", "today", "page_hook", "flatten"} \
        <= set(plugin_api.__all__)


@pytest.mark.parametrize("name", plugin_api.__all__)
def test_every_exported_name_is_documented_for_plugin_authors(name):
    text = API_DOCS.read_text(encoding="utf-8")
    heading = re.search(rf"^###\s+`{re.escape(name)}[`(]", text, flags=re.M)
    assert heading, f"docs/plugin-api.md has no '### `{name}`' section"
    section = text[heading.end():]
    following = re.search(r"^##", section, flags=re.M)
    section = section[:following.start()] if following else section
    assert len(section.split()) >= 8, f"the section on {name} says next to nothing"


@pytest.mark.parametrize("path", AUTHOR_DOCS, ids=lambda p: p.name)
def test_examples_in_the_docs_import_only_the_documented_modules(path):
    blocks = re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)
    wrong = [line.strip() for block in blocks for line in block.splitlines()
             if re.match(r"\s*(from|import)\s+pathway_review\b", line)
             and not re.match(rf"\s*from\s+({'|'.join(map(re.escape, DOCUMENTED_IMPORTS))})\s+import\b", line)]
    assert not wrong, f"{path.name} shows imports of private parts of the core: {wrong}"


# ---- listener objects through the PLUGINS setting ---------------------------------------------------

class LocalBanner:
    """A plugin written as an object: its methods are the hook implementations."""
    title = "Local banner"
    optional = True

    def __init__(self):
        self.switches = []
        self.broadcasts = []

    @hookimpl
    def pathway_panels(self, version, user):
        return f'<p class="local-banner">Local banner on {version.title}</p>'

    @hookimpl
    def switched_for_board(self, app, board, enabled):
        self.switches.append((board, enabled))

    @hookimpl
    def plugin_enablement_changed(self, plugin, board, enabled):
        self.broadcasts.append((plugin, board, enabled))


class Bystander:
    name = "bystander"
    optional = True

    def __init__(self):
        self.switches = []

    @hookimpl
    def switched_for_board(self, board, enabled):
        self.switches.append((board, enabled))


@pytest.fixture
def listeners():
    return LocalBanner(), Bystander()


@pytest.fixture
def app_config(listeners):
    return {"PLUGINS": list(listeners)}


def test_a_listener_object_registers_by_class_name_or_its_name_attribute(app, runner, sign_in, listeners):
    host = app.extensions["pathway_review.plugins"]
    assert host.pm.get_plugin("local_banner") is listeners[0]
    assert host.pm.get_plugin("bystander") is listeners[1]
    assert host.info["local_banner"].title == "Local banner" and host.info["local_banner"].failure is None
    assert runner.invoke(args=["plugins", "enable", "local_banner", "--board", "lothian"]).exit_code == 0
    assert "Local banner on Suspected colorectal cancer" in sign_in("gp").client.get(COLORECTAL).get_data(as_text=True)
    assert "local-banner" not in sign_in("gp-fife").client.get(COLORECTAL).get_data(as_text=True)


def test_only_the_plugin_switched_hears_switched_for_board(app, runner, sign_in, listeners):
    banner, bystander = listeners
    assert runner.invoke(args=["plugins", "enable", "local_banner", "--board", "lothian"]).exit_code == 0
    sign_in("board-admin").post("/admin/boards/lothian/plugins", {"plugin": "local_banner", "action": "disable"})
    assert banner.switches == [("lothian", True), ("lothian", False)]
    assert bystander.switches == []
    assert banner.broadcasts == [("local_banner", "lothian", True), ("local_banner", "lothian", False)]
    runner.invoke(args=["plugins", "enable", "bystander", "--board", "fife"])
    assert bystander.switches == [("fife", True)] and len(banner.switches) == 2


# ---- the board-plugin kit ---------------------------------------------------------------------------

class Noticeboard:
    name = "noticeboard"
    optional = True

    @hookimpl
    def board_settings(self):
        return [BoardSetting("moderators", "Moderators", kind="emails", default=[])]


def test_kit_scope_appointments_and_datasets_follow_the_board(tmp_path, database_url):
    from pathway_review.testing import make_app

    app = make_app(tmp_path, database_url, PLUGINS=[Noticeboard()])
    kit = BoardPlugin("noticeboard", appointed_setting="moderators")
    switch_on(app, "noticeboard", ["lothian", "fife"])
    switch_on(app, "noticeboard", ["fife"], enabled=False)
    from pathway_review.models import Board, User
    from pathway_review.boards import save_setting

    with app.app_context():
        session = app.extensions["pathway_review.db"].session()
        users = {who: session.query(User).filter_by(email=ACCOUNTS[who][0]).one() for who in ACCOUNTS}
        lothian = session.query(Board).filter_by(slug="lothian").one()
        fife = session.query(Board).filter_by(slug="fife").one()
        save_setting(session, "noticeboard", lothian, "moderators", "gp@lothian.example, gp@fife.example")
        session.commit()
        assert [b.slug for b in kit.boards(session)] == ["lothian"]
        assert kit.is_on(lothian, session) and not kit.is_on(fife, session)
        # Outside a request (the command line) every board with the plugin on; a user gets their own.
        assert kit.scope(session=session).board_ids == (lothian.id,)
        assert kit.scope(users["gp"], session).board_ids == (lothian.id,)
        assert kit.scope(users["gp-fife"], session).board_ids == ()
        assert kit.scope(users["cfsd"], session).board_ids == (lothian.id,)

    with app.test_request_context("/"):
        g.db_session = session
        assert kit.is_appointed(users["gp"], lothian)
        assert kit.is_appointed(users["board-admin"], lothian)
        assert not kit.is_appointed(users["gp-fife"], lothian)  # listed, but of another board
        assert not kit.is_appointed(users["board-admin-fife"], lothian)
        assert kit.scope().board_ids == ()  # nobody signed in
        seen = []
        dataset = kit.dataset(name="notices", title="Notices", filter_specs=[], columns=lambda f: ["board"],
                              rows=lambda filters, scope: iter([{"board": b} for b in scope.board_ids]),
                              summary=lambda filters, scope: seen.append(scope) or {})
        g.user = users["cfsd"]
        assert list(dataset.rows({})) == [{"board": lothian.id}]
        g.user = users["gp-fife"]
        assert list(dataset.rows({})) == []
        dataset.summary({})
        assert seen[0].user is users["gp-fife"] and not seen[0]
    session.close()
    app.extensions["pathway_review.db"].dispose()
