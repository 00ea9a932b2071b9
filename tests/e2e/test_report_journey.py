"""CfSD downloads the PDF and the Word report of an open consultation from its dashboard, and both open with
the counts the dashboard shows."""
from __future__ import annotations

import re
import subprocess

import docx
from pypdf import PdfReader

from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import ROOT, sign_in


def test_cfsd_downloads_the_pdf_and_word_report_of_an_open_consultation(new_page, server):
    subprocess.run(server["cli"] + ["feedback", "demo", "40", "--seed", "7"], env=server["env"], cwd=ROOT,
                   check=True, capture_output=True)
    page = new_page()
    sign_in(page, "cfsd")
    page.goto("/consultations/")
    page.get_by_role("link", name=re.compile("Suspected colorectal cancer")).first.click()
    assert page.get_by_role("heading", level=1, name="Suspected colorectal cancer").is_visible()
    check_accessibility(page, "consultation dashboard with charts")
    figures = page.locator(".pr-feedback-figures").inner_text()
    responses = int(re.search(r"(\d+)\s+responses", figures).group(1))
    gps = int(re.search(r"(\d+)\s+GPs responding", figures).group(1))
    assert responses > 0
    chart = page.get_by_role("img", name="Responses by Health Board")
    assert chart.is_visible()

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download the consultation report (PDF)").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename.endswith(".pdf")
    reader = PdfReader(pdf.path())
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert f"Responses {responses}" in text and f"GPs responding {gps}" in text
    assert all("Illustrative sample content" in p.extract_text() for p in reader.pages)

    with page.expect_download() as word_download:
        page.get_by_role("link", name="Download the consultation report (Word)").click()
    word = word_download.value
    assert word.suggested_filename.endswith(".docx")
    document = docx.Document(word.path())
    reach = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert reach["Responses"] == str(responses) and reach["GPs responding"] == str(gps)


def test_cfsd_finds_reviews_due_and_records_a_governance_step_on_a_phone(new_page):
    page = new_page(width=320, height=800)
    sign_in(page, "cfsd")
    page.goto("/reviews/")
    assert page.get_by_role("heading", level=1, name="Reviews due").is_visible()
    assert page.get_by_text("Review due within 6 months").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # the table reflows into rows
    check_accessibility(page, "reviews due at 320 px")

    page.goto("/reports/low-back-pain/1.0/governance")
    page.get_by_label("Specialty Delivery Group").check()
    page.get_by_label("Approved", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    summary = page.locator(".nhsuk-error-summary").inner_text()
    assert "cannot be recorded before Development group has approved" in summary
    check_accessibility(page, "governance record with an error")
    page.get_by_label("Development group").check()
    page.get_by_label("Approved", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    assert "1 of 4 approval steps approved" in page.locator("main").inner_text()
