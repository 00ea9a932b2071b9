"""CfSD triages a busy consultation in a real browser: the bulk bar that stays in view, then save and next."""
from __future__ import annotations

import re
import subprocess

from tests.conftest import ROOT
from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import screenshot, sign_in

RESPONSES = "/consultations/headache-in-adults/1.0/responses"


def test_cfsd_triages_many_responses_from_the_bulk_bar_then_one_by_one(new_page, server):
    # Synthetic responses, as a busy consultation has them (inserted straight into the database).
    subprocess.run(server["cli"] + ["feedback", "demo", "90", "--seed", "7"], env=server["env"], cwd=ROOT,
                   check=True, capture_output=True)
    page = new_page(1280, 800)
    sign_in(page, "cfsd")
    page.goto(RESPONSES + "?status=new")
    assert page.get_by_role("link", name=re.compile(r"Status: New\W+remove this filter")).is_visible()
    check_accessibility(page, "responses list for triage")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    bar = page.locator(".pr-bulk-bar")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    top = bar.evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < 2 and bar.is_visible(), "the bulk bar stays at the top while the list scrolls"
    screenshot(page, "triage-bulk-bar-scrolled")

    boxes = page.locator('input[name="ids"]')
    first, second = boxes.nth(boxes.count() - 1), boxes.nth(boxes.count() - 2)
    picked = sorted([first.get_attribute("value"), second.get_attribute("value")])
    first.check()
    second.check()
    page.get_by_label("Set the status").select_option("acknowledged")
    page.get_by_label("Reply (replaces each one's reply)").fill("Thank you: this is going to the working group.")
    page.get_by_role("button", name="Apply", exact=True).click()
    assert "2 responses updated." in page.content()
    assert "status=new" in page.url, "the filter is kept"
    assert all(f">FB-{i}<" not in page.content() for i in picked), "no longer new, so out of this list"

    page.locator('a[href^="/consultations/responses/"]').first.click()
    opened = re.search(r"/responses/(\d+)/", page.url).group(1)
    check_accessibility(page, "one response to triage")
    page.get_by_label("Status").select_option("accepted")
    page.get_by_role("button", name="Save and next untriaged").click()
    following = re.search(r"/responses/(\d+)/", page.url).group(1)
    assert following != opened and "Triage saved." in page.content()
    assert page.get_by_label("Status").input_value() == "new"
    page.get_by_role("link", name="Responses", exact=True).click()
    assert "status=new" in page.url and f">FB-{opened}<" not in page.content()
