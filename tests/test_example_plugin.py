"""The example third-party plugin in examples/pathway-review-practice-contacts, installed as a package would be.

It proves the journey of docs/plugins.md: found through its entry point, switched on for one board, working
for that board only. Install it with ``pip install -e examples/pathway-review-practice-contacts``. The tests
use the fixtures an outside author gets from ``pathway_review.testing``: the plugin is registered and
switched on for Lothian before each test unless ``plugin_boards`` says otherwise.
"""
import importlib.util
import json
from importlib.metadata import entry_points

import pytest

from pathway_review.testing import access_failures, switch_on

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pathway_review_practice_contacts") is None,
    reason="the example plugin is not installed: pip install -e examples/pathway-review-practice-contacts")

COLORECTAL = "/pathways/suspected-colorectal-cancer/"
CONTACTS = {"setting-liaison_name": "Dr Ailsa Reid, GP interface lead",
            "setting-liaison_email": "interface@lothian.example.nhs.scot",
            "setting-liaison_phone": "0131 555 0100",
            "setting-inbox_hours": "Weekdays, 9am to 5pm",
            "setting-show_on_pathways": "on"}


@pytest.fixture
def plugin_under_test():
    return "pathway_review_practice_contacts"


def save_contacts(sign_in, who="board-admin", board="lothian", **changes):
    form = {**CONTACTS, **changes, "plugin": "practice_contacts", "action": "enable", "settings": "1"}
    form = {k: v for k, v in form.items() if v is not None}
    return sign_in(who).post(f"/admin/boards/{board}/plugins", form, follow_redirects=True)


@pytest.mark.parametrize("plugin_boards", [()])
def test_found_through_its_entry_point(runner):
    (ep,) = [ep for ep in entry_points(group="pathway_review") if ep.name == "practice_contacts"]
    assert ep.value == "pathway_review_practice_contacts" and ep.dist.name == "pathway-review-practice-contacts"
    rows = {row["name"]: row for row in json.loads(runner.invoke(args=["plugins", "list", "--json"]).stdout)}
    listed = rows["practice_contacts"]
    assert listed["source"] == "entry point" and listed["failure"] is None
    assert listed["optional"] is True and listed["version"] == "0.1.0" and listed["boards"] == []
    assert {"board_settings", "nav_links", "pathway_panels", "register_blueprints"} <= set(listed["hooks"])


@pytest.mark.parametrize("plugin_boards", [()])
def test_off_until_a_board_switches_it_on(sign_in, plugin_name):
    assert plugin_name == "practice_contacts"  # the entry point's name, however it was registered
    gp = sign_in("gp").client
    assert "Practice contacts" not in gp.get(COLORECTAL).get_data(as_text=True)
    assert gp.get("/practice-contacts/").status_code == 404


def test_board_admin_sets_the_contacts_and_that_board_sees_them(sign_in):
    page = save_contacts(sign_in).get_data(as_text=True)
    assert "Settings for Practice contacts saved for NHS Lothian." in page
    assert "Settings for NHS Lothian" in page and 'value="0131 555 0100"' in page

    gp = sign_in("gp").client
    pathway = gp.get(COLORECTAL).get_data(as_text=True)
    assert "Questions about this pathway in NHS Lothian?" in pathway
    assert '<a href="mailto:interface@lothian.example.nhs.scot">' in pathway
    assert 'href="/practice-contacts/"' in pathway  # the navigation link
    contacts = gp.get("/practice-contacts/").get_data(as_text=True)
    assert "Dr Ailsa Reid, GP interface lead" in contacts and "Weekdays, 9am to 5pm" in contacts

    fife = sign_in("gp-fife").client
    assert "Questions about this pathway" not in fife.get(COLORECTAL).get_data(as_text=True)
    assert "practice-contacts" not in fife.get("/").get_data(as_text=True)
    assert fife.get("/practice-contacts/").status_code == 404
    assert fife.get("/practice-contacts/boards/lothian/").status_code == 404


@pytest.mark.parametrize("plugin_boards", [("lothian", "fife")])
def test_each_board_keeps_its_own_contacts(sign_in):
    save_contacts(sign_in)
    save_contacts(sign_in, who="board-admin-fife", board="fife", **{"setting-liaison_name": "Fife interface team",
                                                               "setting-liaison_email": "interface@fife.example"})
    lothian, fife = sign_in("gp").client, sign_in("gp-fife").client
    assert "Dr Ailsa Reid" in lothian.get(COLORECTAL).get_data(as_text=True)
    fife_page = fife.get(COLORECTAL).get_data(as_text=True)
    assert "Fife interface team" in fife_page and "Dr Ailsa Reid" not in fife_page
    assert fife.get("/practice-contacts/boards/lothian/").status_code == 404

    cfsd = sign_in("cfsd").client  # national staff reach every board that publishes contacts
    listing = cfsd.get("/practice-contacts/").get_data(as_text=True)
    assert "NHS Fife" in listing and "NHS Lothian" in listing and "NHS Tayside" not in listing
    assert "Fife interface team" in cfsd.get("/practice-contacts/boards/fife/").get_data(as_text=True)
    assert cfsd.get("/practice-contacts/boards/tayside/").status_code == 404


def test_panel_can_be_hidden_while_the_page_stays(sign_in):
    save_contacts(sign_in, **{"setting-show_on_pathways": None})
    gp = sign_in("gp").client
    assert "Questions about this pathway" not in gp.get(COLORECTAL).get_data(as_text=True)
    assert "Dr Ailsa Reid" in gp.get("/practice-contacts/").get_data(as_text=True)


def test_page_says_when_no_contacts_are_set(sign_in):
    gp = sign_in("gp").client
    assert "has not added its contacts yet" in gp.get("/practice-contacts/").get_data(as_text=True)
    assert "Questions about this pathway" not in gp.get(COLORECTAL).get_data(as_text=True)


def test_contacts_are_shown_as_text_never_as_markup(sign_in):
    save_contacts(sign_in, **{"setting-liaison_name": "<script>alert(1)</script>",
                          "setting-liaison_email": "javascript:alert(1)"})
    gp = sign_in("gp").client
    page = gp.get(COLORECTAL).get_data(as_text=True)
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_switching_off_hides_everything_and_keeps_the_contacts(app, sign_in, runner):
    save_contacts(sign_in)
    assert runner.invoke(args=["plugins", "disable", "practice_contacts", "--board", "lothian"]).exit_code == 0
    gp = sign_in("gp").client
    assert "Dr Ailsa Reid" not in gp.get(COLORECTAL).get_data(as_text=True)
    assert gp.get("/practice-contacts/").status_code == 404
    switch_on(app, "practice_contacts", ["lothian"])
    assert "Dr Ailsa Reid" in gp.get("/practice-contacts/").get_data(as_text=True)


def test_every_route_answers_each_role_and_board_as_its_rule_declares(app):
    failures, checked = access_failures(app, plugin="practice_contacts")
    assert checked >= 5 * 3  # two pages, one of them per board, for every role
    assert not failures, "\n".join(failures)
