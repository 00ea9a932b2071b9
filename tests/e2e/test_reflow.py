"""Every page type, as each role sees it, at 1280 and 320 CSS px: no sideways scrolling of the page
(WCAG 1.4.10 reflow) and no axe finding of any impact. Plus what a GP sees first on a phone.

One browser and one signed-in context per role, reused for every page.
The data the pages show (a comment, CfSD's answer, an interface issue) is made the way people make it.
"""
from __future__ import annotations

import re
import subprocess

import pytest

from tests.e2e.accessibility import WCAG_TAGS
from tests.e2e.conftest import screenshot, sign_in

WIDTHS = (1280, 320)
HEADACHE = "/pathways/headache-in-adults/1.0/"
COLORECTAL = "/pathways/suspected-colorectal-cancer/"


def problems_on(page, label: str) -> list[str]:
    """Sideways scroll and axe findings on the page as loaded, described for the failure message."""
    from axe_playwright_python.sync_playwright import Axe

    found = []
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if scroll > client:
        found.append(f"{label}: the page scrolls sideways ({scroll} > {client} px)")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                       "resultTypes": ["violations"]})
    for v in results.response["violations"]:
        targets = [n["target"] for n in v["nodes"][:3]]
        found.append(f"{label}: axe {v['id']} ({v.get('impact')}): {v['help']} {targets}")
    return found


def walk(page, label: str, urls: list[str]) -> list[str]:
    """Each page loaded at each width, as a phone or a desktop would load it: the header's script lays
    out its menu when the page loads, so a page resized after loading is not what anyone sees."""
    found = []
    for url in urls:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(url)
            if response is None or response.status >= 400:
                found.append(f"{label}: {url} answered {response.status if response else 'nothing'}")
                break
            found += problems_on(page, f"{label} {url} at {width}px")
    return found


@pytest.fixture(scope="module")
def people(browser, server):
    """A signed-in page per role, and the records that give their pages something to show."""
    for plugin in ("interface_log", "local_notes"):
        subprocess.run(server["cli"] + ["plugins", "enable", plugin, "--board", "lothian"], env=server["env"],
                       check=True, capture_output=True)
    contexts, pages = [], {}
    for who in ("gp", "cfsd", "board-admin", "admin"):
        context = browser.new_context(base_url=server["url"], viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15000)
        contexts.append(context)
        pages[who] = context.new_page()
        sign_in(pages[who], who)

    gp, cfsd = pages["gp"], pages["cfsd"]
    gp.goto(HEADACHE + "feedback?section=red-flags")
    gp.get_by_label("Workload").check()
    gp.get_by_label("Your feedback").fill("Practices cannot arrange same-day imaging; the route needs to be "
                                          "through the acute headache clinic.")
    gp.get_by_role("button", name="Submit feedback").click()
    feedback_id = re.search(r"FB-(\d+)", gp.content()).group(1)
    cfsd.goto(f"/consultations/responses/{feedback_id}/")
    cfsd.get_by_label("Status").select_option("partly-accepted")
    cfsd.get_by_label("CfSD's response").fill("The next draft names the acute headache clinic as the route.")
    cfsd.get_by_role("button", name="Save", exact=True).click()

    gp.goto("/interface-log/boards/lothian/issues/new")
    gp.get_by_label("Discharge and clinic letters").check()
    gp.get_by_label("What happened").fill("Discharge letters from ward 20 do not say which medicines were stopped.")
    gp.get_by_label("Service or department").fill("Acute medicine")
    gp.get_by_role("button", name="Log the issue").click()
    issue_id = re.search(r"/issues/(\d+)", gp.url).group(1)

    yield {"pages": pages, "feedback": feedback_id, "issue": issue_id}
    for context in contexts:
        context.close()


def test_a_gp_can_read_every_page_at_320_px_without_scrolling_sideways(people):
    gp, feedback = people["pages"]["gp"], people["feedback"]
    found = walk(gp, "GP", [
        "/", COLORECTAL, COLORECTAL + "3.0/print", COLORECTAL + "history/", COLORECTAL + "compare/2.0/3.0/",
        HEADACHE + "feedback?section=red-flags", "/feedback/", f"/feedback/{feedback}/",
        "/consultations/headache-in-adults/1.0/you-said-we-did", "/search?q=haematuria", "/account/",
        "/notifications/preferences", "/interface-log/boards/lothian/", "/interface-log/boards/lothian/issues",
        "/interface-log/boards/lothian/issues/new", f"/interface-log/boards/lothian/issues/{people['issue']}",
        "/local-notes/boards/lothian/", "/accessibility", "/privacy", "/contact",
    ])
    assert not found, "\n".join(found)


def test_cfsd_pages_reflow_and_pass_axe(people):
    cfsd = people["pages"]["cfsd"]
    found = walk(cfsd, "CfSD", [
        "/consultations/", "/consultations/headache-in-adults/1.0/", "/consultations/headache-in-adults/1.0/responses",
        f"/consultations/responses/{people['feedback']}/", "/export/", "/export/feedback/", "/interface-log/",
        "/local-notes/", "/admin/health", COLORECTAL,
    ])
    assert not found, "\n".join(found)


def test_board_admin_and_liaison_pages_reflow_and_pass_axe(people):
    # A board's interface liaison is its board admins (and whoever they appoint): the same pages.
    admin = people["pages"]["board-admin"]
    found = walk(admin, "board admin", [
        "/admin/boards/lothian/plugins", "/admin/boards/lothian/users",
        "/admin/boards/lothian/plugins/local_notes/switch-off", "/interface-log/boards/lothian/",
        "/interface-log/boards/lothian/issues", f"/interface-log/boards/lothian/issues/{people['issue']}",
        "/local-notes/boards/lothian/", "/local-notes/boards/lothian/notes/new?pathway=headache-in-adults",
    ])
    assert not found, "\n".join(found)


def test_site_admin_pages_reflow_and_pass_axe(people):
    admin = people["pages"]["admin"]
    found = walk(admin, "site admin", ["/admin/", "/admin/plugins", "/admin/audit", "/admin/background",
                                       "/admin/health", "/notifications/", "/notifications/bounces"])
    assert not found, "\n".join(found)


def test_signed_out_pages_reflow_and_pass_axe(browser, server):
    context = browser.new_context(base_url=server["url"])
    try:
        page = context.new_page()
        found = walk(page, "signed out", ["/login", "/account/forgotten-password", "/accessibility", "/contact"])
    finally:
        context.close()
    assert not found, "\n".join(found)


def test_on_a_phone_the_header_is_compact_and_give_feedback_is_in_the_first_screen(people):
    gp = people["pages"]["gp"]
    gp.set_viewport_size({"width": 390, "height": 844})
    gp.goto(COLORECTAL)
    header_bottom = gp.evaluate("""() => Math.max(...[...document.querySelectorAll(
        '.nhsuk-header, .pr-sample-notice')].map(e => e.getBoundingClientRect().bottom))""")
    assert header_bottom <= 844 / 3, f"the header and notices fill {header_bottom} of 844 px"
    give = gp.get_by_role("link", name="Give feedback on the whole pathway")
    box = give.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, f"Give feedback starts at {box} on a 844 px screen"
    screenshot(gp, "pathway-phone-first-screen")


def test_a_gp_finds_you_said_we_did_from_the_pathway_and_from_my_feedback(people):
    gp = people["pages"]["gp"]
    gp.set_viewport_size({"width": 320, "height": 800})
    gp.goto(HEADACHE)
    gp.get_by_role("link", name="You said, we did").first.click()
    assert gp.get_by_role("heading", level=1, name="You said, we did").is_visible()
    assert gp.get_by_text("Partly accepted: some of what you suggested will change").first.is_visible()
    gp.get_by_role("navigation", name="Sections with answers").get_by_role("link", name="Red flags").click()
    assert gp.url.endswith("#about-red-flags")

    gp.goto("/feedback/")
    row = gp.locator("tr", has_text=f"FB-{people['feedback']}")
    assert "The next draft names the acute headache clinic as the route." in row.inner_text()
    row.get_by_role("link", name="You said, we did").click()
    assert "/consultations/headache-in-adults/1.0/you-said-we-did" in gp.url
