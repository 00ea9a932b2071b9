"""Searching in a real browser, against two gunicorn workers sharing one index: the header box, the
results page with its filters and suggestions, and the way to the section itself."""
from __future__ import annotations

import pytest

from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import screenshot, sign_in


@pytest.mark.parametrize("width,label", [(1280, "desktop"), (375, "mobile")])
def test_gp_searches_from_the_header_and_lands_on_the_section(new_page, width, label):
    page = new_page(width=width)
    sign_in(page, "gp")
    page.locator("#search-field").fill("hoarseness")
    page.locator("#search-field").press("Enter")
    page.wait_for_load_state()
    assert "/search?q=hoarseness" in page.url
    result = page.locator(".pr-search-result").first
    assert result.locator("mark").first.inner_text().lower() == "hoarseness"
    check_accessibility(page, f"search results ({label})")
    screenshot(page, f"search-results-{label}")

    result.get_by_role("link").click()
    page.wait_for_load_state()
    assert page.url.endswith("/pathways/suspected-head-and-neck-cancer/1.0/#throat-and-voice")
    assert page.locator("#throat-and-voice").is_visible()


def test_a_misspelling_is_corrected_without_a_click_and_filters_keep_the_query(new_page):
    page = new_page()
    sign_in(page, "gp")
    page.goto("/search?q=haematuira")
    assert "haematuria" in page.locator(".nhsuk-inset-text").first.inner_text()
    assert page.locator(".pr-search-result").count() > 0, "the corrected word finds its sections at once"
    page.get_by_label("Specialty").select_option("Urology")
    page.get_by_label("Include older versions").check()
    page.get_by_role("button", name="Search", exact=True).last.click()
    page.wait_for_load_state()
    assert "specialty=Urology" in page.url and "all_versions=1" in page.url
    assert page.locator("#search-field").input_value() == "haematuira"
    assert page.locator(".pr-search-result").count() > 0
    check_accessibility(page, "search with filters")


def test_an_unknown_filter_value_is_explained_beside_the_field(new_page):
    page = new_page()
    sign_in(page, "gp")
    page.goto("/search?q=referral&specialty=Astrology")
    summary = page.locator(".nhsuk-error-summary")
    assert "Choose a specialty from the list" in summary.inner_text()
    check_accessibility(page, "search with an error")
