"""Reading national pathways in a real browser: sign in, the catalogue, a pathway, a comparison."""
from __future__ import annotations

import pytest

from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import screenshot, sign_in


def test_signed_out_visitor_is_sent_to_sign_in_and_the_page_is_accessible(new_page):
    page = new_page()
    page.goto("/")
    assert "/login" in page.url
    assert page.get_by_role("heading", name="Sign in to Pathway Review").is_visible()
    check_accessibility(page, "sign in")
    screenshot(page, "sign-in-desktop")


def test_wrong_password_shows_an_error_summary_linked_to_the_field(new_page):
    page = new_page()
    page.goto("/login")
    page.get_by_label("Email address").fill("gp.lothian@example.nhs.scot")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".nhsuk-error-summary")
    assert "not right" in summary.inner_text()
    check_accessibility(page, "sign in with error")


@pytest.mark.parametrize("width,label", [(1280, "desktop"), (375, "mobile")])
def test_gp_reads_a_pathway_from_the_catalogue(new_page, width, label):
    page = new_page(width=width)
    sign_in(page, "gp")
    assert page.get_by_role("heading", name="National pathways").is_visible()
    check_accessibility(page, f"catalogue ({label})")
    screenshot(page, f"catalogue-{label}")

    page.get_by_role("link", name="Visible haematuria").click()
    assert page.get_by_role("heading", level=1, name="Visible haematuria").is_visible()
    assert page.get_by_text("Sample content — not clinical guidance").is_visible()
    assert page.get_by_text("open for feedback", exact=False).first.is_visible()
    check_accessibility(page, f"pathway version ({label})")
    screenshot(page, f"pathway-{label}")

    # The contents list jumps to a section anchor.
    page.get_by_role("navigation", name="Sections").get_by_role("link").nth(1).click()
    assert "#" in page.url


def test_gp_compares_two_versions_and_sees_word_level_changes(new_page):
    page = new_page()
    sign_in(page, "gp")
    page.goto("/pathways/suspected-colorectal-cancer/history/")
    check_accessibility(page, "history")
    page.get_by_label("From version").select_option("2.0")
    page.get_by_label("To version").select_option("3.0")
    page.get_by_role("button", name="Compare").click()
    assert "/compare/2.0/3.0/" in page.url
    assert page.locator("ins.pr-diff-ins").count() > 0
    assert page.locator(".pr-change--added").count() >= 1
    check_accessibility(page, "compare")
    screenshot(page, "compare-desktop")


def test_skip_link_is_first_and_moves_focus_to_main_content(new_page):
    page = new_page()
    sign_in(page, "gp")
    page.goto("/pathways/dyspepsia/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle"
                            " + getComputedStyle(document.activeElement).boxShadow")
    assert outline.strip() not in ("none", "nonenone"), "the focused skip link has no visible focus style"
    page.keyboard.press("Enter")
    assert page.url.endswith("#maincontent")


def test_admin_pages_are_accessible(new_page):
    page = new_page()
    sign_in(page, "admin")
    for path, label in [("/admin/", "admin index"), ("/admin/plugins", "admin plugins"),
                        ("/admin/health", "library health"), ("/admin/audit", "audit log"),
                        ("/admin/boards/lothian/plugins", "board plugins"),
                        ("/admin/boards/lothian/users", "board users")]:
        page.goto(path)
        check_accessibility(page, label)
    screenshot(page, "board-users-desktop")


def test_not_found_page_is_friendly(new_page):
    page = new_page()
    sign_in(page, "gp")
    response = page.goto("/pathways/no-such-pathway/")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    check_accessibility(page, "404")
