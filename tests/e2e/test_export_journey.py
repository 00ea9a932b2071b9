"""CfSD exports feedback in a real browser: the export page, the form, a download, an error."""
from __future__ import annotations

from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import screenshot, sign_in


def test_cfsd_downloads_a_filtered_csv_from_the_export_form(new_page):
    page = new_page()
    sign_in(page, "cfsd")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Export").click()
    assert page.get_by_role("heading", level=1, name="Export").is_visible()
    check_accessibility(page, "export page")

    page.get_by_role("link", name="Choose filters and a format for feedback on national pathways").click()
    assert page.get_by_role("heading", level=1, name="Export feedback on national pathways").is_visible()
    check_accessibility(page, "export form")
    screenshot(page, "export-form")

    page.get_by_label("CSV (comma-separated values, opens in any spreadsheet)").check()
    page.get_by_label("Pathway", exact=True).select_option("suspected-colorectal-cancer")
    assert page.get_by_label("Pseudonymised: a pseudonym").is_checked(), "pseudonymised unless asked"
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    file = download.value
    assert file.suggested_filename.startswith("feedback-suspected-colorectal-cancer-")
    assert file.suggested_filename.endswith(".csv")
    with open(file.path(), "rb") as handle:
        head = handle.readline()
    assert head.startswith(b"\xef\xbb\xbfFeedback number,Pathway,Version,")


def test_a_date_range_the_wrong_way_round_is_shown_beside_the_field(new_page):
    page = new_page()
    sign_in(page, "cfsd")
    page.goto("/export/feedback/")
    page.get_by_label("Submitted on or after").fill("2026-11-20")
    page.get_by_label("Submitted on or before").fill("2026-11-01")
    page.get_by_role("button", name="Download").click()
    summary = page.locator(".nhsuk-error-summary")
    assert "must be on or after" in summary.inner_text()
    assert page.get_by_label("Submitted on or after").input_value() == "2026-11-20"
    check_accessibility(page, "export form with an error")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "submitted_to"
