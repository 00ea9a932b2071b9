"""The national picture and case studies in a real browser: a Lothian change shared, adopted by Fife, seen by CfSD.

axe checks the heatmap page and a case study page at desktop (1280 px) and phone (320 px) widths.
"""
from __future__ import annotations

import re

from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import screenshot, sign_in

SERVICE = "Colorectal triage (shared learning journey)"


def hours(page) -> int:
    page.goto("/case-studies/")
    return int(page.locator("#national-hours").inner_text().replace(",", ""))


def test_a_lothian_change_is_shared_adopted_by_fife_and_seen_nationally(new_page):
    admin = new_page()
    sign_in(admin, "board-admin")
    admin.goto("/admin/boards/lothian/plugins")
    switch_on = admin.get_by_role("button", name="Switch on Interface issue log")
    if switch_on.count():  # another journey on this server may have switched it on already
        switch_on.click()

    # The liaison logs an issue about a pathway and resolves it with a lasting change.
    admin.goto("/interface-log/boards/lothian/issues/new?pathway=suspected-colorectal-cancer")
    admin.get_by_label("Referrals (rejected, redirected, advice-only)").check()
    admin.get_by_label("What happened").fill("Routine referrals were rejected without saying where to go instead.")
    admin.get_by_label("Service or department").fill(SERVICE)
    admin.get_by_role("button", name="Log the issue").click()
    issue_url = admin.url
    admin.get_by_label("Resolved").check()
    admin.get_by_label("Resolution note").fill("Triage agreed a standard reply.")
    admin.get_by_role("radio", name="Yes").check()
    admin.get_by_label("What changed for good").fill("Rejection letters now name the right service.")
    admin.get_by_role("button", name="Save triage").click()
    assert "saved: resolved" in admin.content()

    # ... and publishes it as a case study, after the identifier guard stops a pasted CHI number.
    issue_id = re.search(r"/issues/(\d+)", issue_url).group(1)
    admin.goto(f"/case-studies/publish/{issue_id}")
    admin.get_by_label("Title").fill("Rejected referrals name the right service")
    admin.get_by_label("Who was involved").fill("The Interface Group and the colorectal triage team.")
    admin.get_by_label("GP hours saved a year").fill("300")
    admin.get_by_label("How the hours were estimated").fill("Sample: 25 re-referrals a month avoided, an hour each.")
    admin.get_by_label("The problem").fill("Referral for 021116 5794 was rejected.")
    admin.get_by_label("I confirm that no patient can be identified").check()
    admin.get_by_role("button", name="Publish the case study").click()
    assert "contains what looks like a CHI or NHS number" in admin.content()
    assert admin.get_by_label("How the hours were estimated").input_value().startswith("Sample: 25")
    admin.get_by_label("The problem").fill("Routine referrals were rejected without saying where to go instead.")
    admin.get_by_label("I confirm that no patient can be identified").check()
    admin.get_by_role("button", name="Publish the case study").click()
    assert "Case study published" in admin.content()
    case_url = admin.url

    cfsd = new_page()
    sign_in(cfsd, "cfsd")
    before = hours(cfsd)

    fife = new_page()
    sign_in(fife, "gp-fife")
    fife.goto("/case-studies/?q=rejected")
    fife.get_by_role("link", name="Rejected referrals name the right service").first.click()
    fife.get_by_label("Adopted here").check()
    fife.get_by_role("button", name="Save for NHS Fife").click()
    assert "NHS Fife: adopted here" in fife.content()
    assert hours(cfsd) == before + 300

    # The case study page and the heatmap pass axe at desktop and phone widths.
    for width in (1280, 320):
        reader = new_page(width=width)
        sign_in(reader, "gp-fife")
        reader.goto(case_url)
        check_accessibility(reader, f"case study ({width} px)")
        screenshot(reader, f"case-study-{width}")
        assert reader.evaluate("document.documentElement.scrollWidth") <= width

        national = new_page(width=width)
        sign_in(national, "cfsd")
        national.goto("/national-picture/?measure=interface_log:linked-issues")
        svg = national.locator("svg.pr-heatmap")
        assert svg.get_attribute("role") == "img"
        check_accessibility(national, f"national picture heatmap ({width} px)")
        screenshot(national, f"national-picture-{width}")
        assert national.evaluate("document.documentElement.scrollWidth") <= width

    # Each number in the table opens the records behind it.
    national.get_by_role("link", name=re.compile(r"^\d+ in NHS Lothian on Suspected colorectal cancer$")).click()
    assert SERVICE in national.content()
