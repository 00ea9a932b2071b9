"""The platform's main journeys, end to end in Chromium against gunicorn.

A GP finds a pathway through search, comments on a section and is stopped by a CHI number without
losing the text; CfSD triages and answers, the answer shows on "You said, we did", and the Excel export
holds the comment; a board admin switches local notes on and only that board's GPs see the note.
"""
from __future__ import annotations

import re

from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import screenshot, sign_in

PATHWAY = "/pathways/headache-in-adults/"
CHI = "021116 5794"  # a valid CHI number (also passes the NHS check)


def find_pathway_through_search(page):
    page.locator("#search-field").fill("migraine")
    page.locator("#search-field").press("Enter")
    page.wait_for_load_state()
    first = page.locator(".pr-search-result").first
    assert "Headache" in first.inner_text()
    first.get_by_role("link").first.click()
    page.wait_for_load_state()
    assert page.url.split("#")[0].endswith(("/pathways/headache-in-adults/1.0/", PATHWAY))


def give_feedback_on_first_section(page, text: str):
    find_pathway_through_search(page)
    page.get_by_role("link", name="Give feedback on this section").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Give feedback on")
    page.get_by_label("Workload").check()
    page.get_by_label("Your feedback").fill(text)
    page.get_by_role("button", name="Submit feedback").click()


def test_gp_feedback_is_stopped_by_a_chi_number_then_submitted_and_answered(new_page, tmp_path):
    gp = new_page()
    sign_in(gp, "gp")
    typed = f"Patient {CHI} waited weeks: this section moves imaging requests onto general practice."
    give_feedback_on_first_section(gp, typed)

    summary = gp.locator(".nhsuk-error-summary")
    assert "CHI" in summary.inner_text() and CHI in summary.inner_text()
    assert gp.get_by_label("Your feedback").input_value() == typed, "the text must survive the refusal"
    assert gp.get_by_label("Workload").is_checked()
    check_accessibility(gp, "feedback form with identifier error")
    screenshot(gp, "feedback-identifier-error")

    summary.get_by_role("link").first.click()  # the summary link takes focus to the field
    assert gp.evaluate("document.activeElement.name") in ("text", "type")
    gp.get_by_label("Your feedback").fill(typed.replace(f"Patient {CHI} waited weeks: t", "T"))
    gp.get_by_role("button", name="Submit feedback").click()
    assert gp.get_by_role("heading", name="Feedback sent").is_visible()
    check_accessibility(gp, "feedback receipt")
    reference = re.search(r"FB-\d+", gp.content()).group(0)

    gp.get_by_role("link", name="My feedback").first.click()
    # The record's own link (its accessible name starts with the reference), not "You said, we did for FB-n".
    assert gp.get_by_role("link", name=re.compile(rf"^{reference}\b")).is_visible()
    check_accessibility(gp, "my feedback")
    screenshot(gp, "my-feedback-desktop")

    cfsd = new_page()
    sign_in(cfsd, "cfsd")
    cfsd.goto("/consultations/")
    check_accessibility(cfsd, "consultations index")
    cfsd.goto("/consultations/headache-in-adults/1.0/")
    check_accessibility(cfsd, "consultation dashboard")
    screenshot(cfsd, "consultation-dashboard")
    cfsd.get_by_role("link", name="All responses: filter, triage and answer").click()
    check_accessibility(cfsd, "responses list")
    cfsd.get_by_role("link", name=reference, exact=True).click()
    check_accessibility(cfsd, "response triage")
    cfsd.get_by_label("Status").select_option("accepted")
    answer = "Thank you: the next draft lets practices request imaging through the headache clinic."
    cfsd.get_by_label("CfSD's response").fill(answer)
    cfsd.get_by_role("button", name="Save", exact=True).click()
    assert "Accepted" in cfsd.content()

    cfsd.goto("/consultations/headache-in-adults/1.0/you-said-we-did")
    assert answer in cfsd.content()
    check_accessibility(cfsd, "you said, we did")

    cfsd.goto("/consultations/headache-in-adults/1.0/")
    with cfsd.expect_download() as download:
        cfsd.get_by_role("link", name="Download Excel").first.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook_path = tmp_path / download.value.suggested_filename
    download.value.save_as(workbook_path)
    from openpyxl import load_workbook

    workbook = load_workbook(workbook_path, read_only=True)
    responses = [sheet for sheet in workbook.worksheets if sheet.title.lower().startswith("respon")][0]
    rows = list(responses.iter_rows(values_only=True))
    header, records = rows[0], rows[1:]
    mine = [dict(zip(header, row)) for row in records if str(row[header.index("Feedback number")]) == reference[3:]]
    assert mine and mine[0]["CfSD's response"] == answer and mine[0]["Status"] == "Accepted"
    assert "imaging requests" in mine[0]["Feedback"]

    gp.goto("/feedback/")
    assert "Accepted" in gp.content()
    gp.get_by_role("link", name=re.compile(rf"^{reference}\b")).click()
    assert answer in gp.content()


def test_gp_gives_feedback_with_the_keyboard_alone(new_page):
    page = new_page()
    sign_in(page, "gp")
    page.goto(PATHWAY)

    def tab_to(matches, limit=400):
        for _ in range(limit):
            page.keyboard.press("Tab")
            info = page.evaluate("""() => { const e = document.activeElement;
                return {text: (e.innerText || '').trim(), name: e.name || '', id: e.id || '', tag: e.tagName,
                        outline: getComputedStyle(e).outlineStyle, shadow: getComputedStyle(e).boxShadow,
                        background: getComputedStyle(e).backgroundColor}; }""")
            if matches(info):
                assert (info["outline"] != "none" or info["shadow"] != "none"
                        or info["background"] != "rgba(0, 0, 0, 0)"), \
                    f"no visible focus on {info}"
                return info
        raise AssertionError("could not reach the element with Tab")

    tab_to(lambda e: e["text"].startswith("Give feedback on this section"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(lambda e: e["name"] == "type")
    page.keyboard.press("Space")  # the first type
    tab_to(lambda e: e["name"] == "text")
    page.keyboard.type("Keyboard only: this section needs a same-day route for thunderclap headache.")
    tab_to(lambda e: e["text"] == "Submit feedback")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Feedback sent").is_visible()


def test_board_admin_switches_local_notes_on_for_lothian_only(new_page):
    admin = new_page()
    sign_in(admin, "board-admin")
    admin.goto("/admin/boards/lothian/plugins")
    check_accessibility(admin, "board plugins")
    switch_on = admin.get_by_role("button", name="Switch on Local notes on national pathways")
    if switch_on.count():  # another journey on this server may have switched it on already
        switch_on.click()
        assert "Local notes on national pathways is now on for NHS Lothian" in admin.content()
    assert admin.get_by_role("button", name="Switch off Local notes on national pathways").is_visible()

    admin.goto("/pathways/dyspepsia/")
    admin.get_by_role("link", name="Add a local note").first.click()
    admin.get_by_label("Local referral route").check()
    note = "Lothian: refer through the Lothian gastroenterology advice line before a routine referral."
    admin.get_by_label("Local note", exact=True).fill(note)
    check_accessibility(admin, "local note form")
    admin.get_by_role("button", name="Add the note").click()

    lothian_gp = new_page()
    sign_in(lothian_gp, "gp")
    lothian_gp.goto("/pathways/dyspepsia/")
    assert note in lothian_gp.content()
    assert lothian_gp.get_by_text("NHS Lothian").first.is_visible()
    check_accessibility(lothian_gp, "pathway with a local note")
    screenshot(lothian_gp, "local-note-lothian")

    fife_gp = new_page()
    sign_in(fife_gp, "gp-fife")
    fife_gp.goto("/pathways/dyspepsia/")
    assert note not in fife_gp.content()
    assert fife_gp.goto("/local-notes/boards/lothian/").status == 404
