"""Triage of hundreds of responses: wide list, selecting many, a bulk bar that replies, save and next,
readable previews, filters read back, and a history in words."""
from __future__ import annotations

import re

from tests.feedback_support import OPEN, api_body, fetch, insert, token

LIST = f"/consultations/{OPEN[0]}/{OPEN[1]}/responses"
BULK = LIST + "/bulk"


def checked_ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'name="ids" type="checkbox" value="(\d+)" checked', page)}


def test_the_list_is_wide_with_the_bulk_bar_above_the_rows(client, auth, app):
    insert(app, "gp", *OPEN)
    auth.login("cfsd")
    page = client.get(LIST).get_data(as_text=True)
    assert 'class="nhsuk-width-container-fluid pr-wide"' in page
    assert page.index('class="pr-bulk-bar"') < page.index('<table class="nhsuk-table pr-feedback-table"')
    assert 'id="bulk-response"' in page and "Reply" in page
    assert 'type="date"' in page and 'id="submitted_from"' in page


def test_previews_are_rendered_markdown_not_raw(client, auth, app):
    insert(app, "gp", *OPEN, text="**FIT** kits <script>x</script>",
           text_html="<p><strong>FIT</strong> kits</p>")
    auth.login("cfsd")
    page = client.get(LIST).get_data(as_text=True)
    assert "<strong>FIT</strong> kits" in page and "**FIT**" not in page and "<script>x" not in page


def test_select_all_on_the_page_ticks_every_row(client, auth, app):
    ids = {insert(app, "gp", *OPEN) for _ in range(3)}
    auth.login("cfsd")
    assert checked_ids(client.get(LIST).get_data(as_text=True)) == set()
    page = client.get(LIST + "?select=page").get_data(as_text=True)
    assert checked_ids(page) == ids and "Clear selection" in page


def test_applied_filters_read_back_in_one_line_each_with_a_clear_link(client, auth, app):
    insert(app, "gp-fife", *OPEN, safety_concern=True)
    auth.login("cfsd")
    page = client.get(LIST + "?board=fife&safety=yes&submitted_from=2026-11-01").get_data(as_text=True)
    assert "1 response</strong> matching" in page
    assert f'href="{LIST}?safety=yes&amp;submitted_from=2026-11-01">Health Board: NHS Fife' in page
    assert f'href="{LIST}?board=fife&amp;submitted_from=2026-11-01">Patient-safety concern: Yes' in page
    assert "Submitted on or after: 1 November 2026" in page
    assert f'<a href="{LIST}">Clear all filters</a>' in page


def test_bulk_bar_reaches_every_response_matching_the_filter_beyond_the_page(client, auth, app):
    fife = [insert(app, "gp-fife", *OPEN) for _ in range(53)]  # more than one page of 50
    lothian = insert(app, "gp", *OPEN)
    auth.login("cfsd")
    page = client.get(LIST + "?board=fife").get_data(as_text=True)
    assert "All 53 responses matching the filter" in page
    response = auth.post(BULK, {"scope": "all", "status": "acknowledged", "theme": "kits, winter",
                                "response": "Thank you: the kit supply is being reviewed.", "back": "board=fife"})
    assert response.status_code == 302 and response.headers["Location"].endswith("responses?board=fife")
    for feedback_id in (fife[0], fife[-1]):
        record = fetch(app, feedback_id)
        assert (record.status, record.theme_list) == ("acknowledged", ["kits", "winter"])
        assert record.response == "Thank you: the kit supply is being reviewed."
    assert fetch(app, lothian).status == "new" and fetch(app, lothian).response is None


def test_all_matching_a_refused_filter_changes_nothing(client, auth, app):
    feedback_id = insert(app, "gp", *OPEN)
    auth.login("cfsd")
    response = auth.post(BULK, {"scope": "all", "status": "accepted", "back": "submitted_from=yesterday"})
    assert response.status_code == 422 and "nothing was changed" in response.get_data(as_text=True)
    assert fetch(app, feedback_id).status == "new"


def test_a_refused_bulk_action_keeps_the_filter_the_ticks_and_the_typing(client, auth, app):
    fife = [insert(app, "gp-fife", *OPEN) for _ in range(2)]
    lothian = insert(app, "gp", *OPEN)
    auth.login("cfsd")
    response = auth.post(BULK, {"ids": [fife[0]], "status": "bogus", "response": "Our reply, kept.",
                                "back": "board=fife"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose a status from the list." in page
    assert "Health Board: NHS Fife" in page and f">FB-{lothian}<" not in page
    assert checked_ids(page) == {fife[0]} and "Our reply, kept.</textarea>" in page
    assert fetch(app, fife[0]).status == "new"


def test_save_and_next_opens_the_next_untriaged_in_the_same_list(client, auth, app):
    first = insert(app, "gp-fife", *OPEN, safety_concern=True)
    second = insert(app, "gp-fife", *OPEN)
    insert(app, "gp", *OPEN)  # another board: outside the list
    auth.login("cfsd")
    detail = client.get(f"/consultations/responses/{first}/?back=board%3Dfife").get_data(as_text=True)
    assert "Save and next untriaged" in detail
    response = auth.post(f"/consultations/responses/{first}/?back=board%3Dfife",
                         {"status": "accepted", "response": "", "themes": "", "then": "next"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/consultations/responses/{second}/?back=board%3Dfife")
    assert fetch(app, first).status == "accepted"
    last = auth.post(f"/consultations/responses/{second}/?back=board%3Dfife",
                     {"status": "accepted", "response": "", "themes": "", "then": "next"})
    assert last.headers["Location"].endswith("/responses?board=fife")
    assert "No responses are left to triage in this list." in client.get(last.headers["Location"]).get_data(
        as_text=True)


def test_history_reads_as_sentences_with_labels(client, app, auth):
    body = api_body(version="1.1", section=None, answers={})
    created = client.post("/api/v1/pathways/visible-haematuria/feedback", json=body, headers=token(app, "gp"))
    feedback_id = created.get_json()["id"]
    client.patch(f"/api/v1/feedback/{feedback_id}", json={"answers": {"clot-retention-route": "Yes"}},
                 headers=token(app, "gp"))
    client.post(f"/api/v1/feedback/{feedback_id}/triage", json={"status": "partly-accepted", "themes": ["routes"]},
                headers=token(app, "cfsd"))
    auth.login("cfsd")
    page = client.get(f"/consultations/responses/{feedback_id}/").get_data(as_text=True)
    assert ("Answers: Does your practice have a clear same-day route to urology for clot retention? set to Yes"
            in page)
    assert "Status: New → Partly accepted" in page and "Themes: added routes" in page
    assert "{" not in page.split("<h2>History</h2>")[1].split("</table>")[0]


def test_a_filter_value_that_is_not_offered_is_explained_in_words(client, auth, app):
    auth.login("cfsd")
    page = client.get(LIST + "?type=rude").get_data(as_text=True)
    assert "Red flags (red-flags)" in page and "Referral criteria (referral-criteria)" in page
