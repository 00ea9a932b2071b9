"""The board plugins' pages in a real browser, for each role that uses them, each checked with axe."""
from __future__ import annotations

from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import screenshot, sign_in


def test_interface_log_for_a_gp_and_the_liaison_and_hidden_from_another_board(new_page):
    admin = new_page()
    sign_in(admin, "board-admin")
    admin.goto("/admin/boards/lothian/plugins")
    switch_on = admin.get_by_role("button", name="Switch on Interface issue log")
    if switch_on.count():
        switch_on.click()
    assert "/interface-log/" in admin.content()

    gp = new_page()
    sign_in(gp, "gp")
    gp.goto("/interface-log/boards/lothian/issues/new")
    check_accessibility(gp, "new interface issue (gp)")
    gp.get_by_label("Discharge and clinic letters", exact=False).first.check()
    gp.get_by_label("What happened").fill("Ward discharge letters do not list the medicines that were stopped.")
    gp.get_by_label("Service or department").fill("Acute medicine")
    gp.get_by_label("A patient was, or could have been, put at risk").check()
    gp.get_by_role("button", name="Log the issue").click()
    assert "Ward discharge letters" in gp.content()
    check_accessibility(gp, "interface issue (gp)")

    admin.goto("/interface-log/boards/lothian/")
    check_accessibility(admin, "interface log dashboard (board admin)")
    screenshot(admin, "interface-log-dashboard")
    admin.goto("/interface-log/boards/lothian/issues")
    check_accessibility(admin, "interface issues list (board admin)")
    admin.get_by_role("link", name="Acute medicine", exact=False).first.click()
    assert "Ward discharge letters" in admin.content()
    check_accessibility(admin, "interface issue triage (board admin)")

    fife = new_page()
    sign_in(fife, "gp-fife")
    assert fife.goto("/interface-log/boards/lothian/").status == 404
    check_accessibility(fife, "not found (other board)")


def test_local_notes_register_for_the_board_and_for_cfsd(new_page):
    admin = new_page()
    sign_in(admin, "board-admin")
    admin.goto("/admin/boards/lothian/plugins")
    switch_on = admin.get_by_role("button", name="Switch on Local notes on national pathways")
    if switch_on.count():
        switch_on.click()
    admin.goto("/local-notes/boards/lothian/")
    check_accessibility(admin, "local notes register (board admin)")

    cfsd = new_page()
    sign_in(cfsd, "cfsd")
    cfsd.goto("/local-notes/")
    check_accessibility(cfsd, "local notes boards (cfsd)")
    cfsd.goto("/local-notes/boards/lothian/")
    check_accessibility(cfsd, "local notes register (cfsd)")
    cfsd.goto("/export/")
    check_accessibility(cfsd, "export index (cfsd)")
