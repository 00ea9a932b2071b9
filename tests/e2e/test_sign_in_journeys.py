"""Signing in, end to end in Chromium: a new GP through the NHS Scotland provider, and a kept form."""
from __future__ import annotations

import pytest

from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import screenshot, sign_in

PATHWAY = "/pathways/headache-in-adults/"


def test_a_new_gp_signs_in_with_their_nhs_account_chooses_a_practice_and_gives_feedback(new_page, server):
    if server["oidc"]:
        pytest.skip(server["oidc"])
    gp = new_page()
    gp.goto(PATHWAY)
    gp.get_by_role("link", name="Sign in with your NHS Scotland account").click()
    # The provider's own (development) sign-in and consent pages.
    gp.locator("input[name=login]").fill("isla.new@nhs.scot")
    gp.locator("input[name=password]").fill("anything")
    gp.locator("button[type=submit]").click()
    gp.locator("button[type=submit]").click()  # consent
    gp.wait_for_url("**/login/oidc/register")
    assert gp.get_by_role("heading", level=1).inner_text() == "Your Health Board and practice"
    check_accessibility(gp, "first sign-in: board and practice")
    gp.get_by_label("Health Board").select_option("tayside")
    gp.get_by_label("Practice code").fill("12")
    gp.get_by_role("button", name="Continue").click()
    assert "Enter your practice code: 5 digits" in gp.locator(".nhsuk-error-summary").inner_text()
    gp.get_by_label("Practice code").fill("30012")
    gp.get_by_role("button", name="Continue").click()
    gp.wait_for_load_state()
    assert gp.url.split("#")[0].endswith(PATHWAY) or "/pathways/headache-in-adults/" in gp.url
    assert "Signed in as Dr Isla New, NHS Tayside" in gp.content()
    screenshot(gp, "first-sign-in-through-nhs-account")

    gp.get_by_role("link", name="Give feedback on this section").first.click()
    gp.get_by_label("Workload").check()
    gp.get_by_label("Your feedback").fill("Our practice cannot offer this review within two weeks.")
    gp.get_by_role("button", name="Submit feedback").click()
    assert gp.get_by_role("heading", name="Feedback sent").is_visible()


def test_words_typed_before_signing_out_in_another_tab_come_back(new_page):
    gp = new_page()
    sign_in(gp, "gp")
    gp.goto(PATHWAY)
    gp.get_by_role("link", name="Give feedback on this section").first.click()
    typed = "The headache diary is not something we can collect before referral."
    gp.get_by_label("Workload").check()
    gp.get_by_label("Your feedback").fill(typed)

    other_tab = gp.context.new_page()
    other_tab.goto("/")
    other_tab.get_by_role("button", name="Sign out").click()
    other_tab.close()

    gp.get_by_role("button", name="Submit feedback").click()
    assert "we kept what you wrote" in gp.content()
    gp.get_by_label("Email address").fill("gp.lothian@example.nhs.scot")
    gp.get_by_label("Password").fill("pathway-demo-2026")
    gp.get_by_role("button", name="Sign in", exact=True).click()
    gp.wait_for_load_state()
    assert gp.get_by_label("Your feedback").input_value() == typed
    assert gp.get_by_label("Workload").is_checked()
    check_accessibility(gp, "feedback form given back after sign-in")
    gp.get_by_role("button", name="Submit feedback").click()
    assert gp.get_by_role("heading", name="Feedback sent").is_visible()
