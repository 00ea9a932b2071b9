"""The GP's side in the browser: giving feedback, drafts, receipt, My feedback, edit, withdraw, the window."""
from __future__ import annotations

import re

import pytest

from tests.feedback_support import CLOSED, OPEN, UPCOMING, count_feedback, fetch, form, history, insert

NEW = f"/pathways/{OPEN[0]}/{OPEN[1]}/feedback"


def test_pathway_page_offers_feedback_on_the_whole_pathway_and_each_section(client, auth, app):
    auth.login("gp")
    page = client.get(f"/pathways/{OPEN[0]}/{OPEN[1]}/").get_data(as_text=True)
    sections = app.extensions["pathway_review.library"].get_version(*OPEN).sections
    # The document's "Editorial details" is shown once, beside the pathway, and takes no feedback of its own.
    shown = [s for s in sections if s.id != "editorial-details"]
    assert page.count("Give feedback on the whole pathway") == 1
    assert page.count("Give feedback on this section") == len(shown)
    assert f'href="{NEW}?section=key-messages"' in page


def test_feedback_form_shows_a_section_with_its_subsections(client, auth):
    # "Red flags" has no text of its own: all of it sits under two sub-headings.
    auth.login("gp")
    page = client.get(f"{NEW}?section=red-flags").get_data(as_text=True)
    shown = re.search(r'Read the section “Red flags”.*?<div class="nhsuk-details__text">(.*?)</div>\s*</details>',
                      page, re.S)
    assert shown, "no 'Read the section' details on the form"
    assert "<h3>Refer as urgent suspected cancer without waiting for FIT</h3>" in shown.group(1)
    assert "A mass felt on digital rectal examination." in shown.group(1)
    assert "A FIT result of 20 µg Hb/g or more" in shown.group(1)


@pytest.mark.parametrize("slug_version", [UPCOMING, CLOSED])
def test_no_feedback_links_outside_the_window(client, auth, slug_version):
    auth.login("gp")
    page = client.get("/pathways/{}/{}/".format(*slug_version)).get_data(as_text=True)
    assert "Give feedback" not in page


def test_cfsd_gets_no_feedback_links_but_a_panel(client, auth):
    auth.login("cfsd")
    page = client.get(f"/pathways/{OPEN[0]}/{OPEN[1]}/").get_data(as_text=True)
    assert "Give feedback" not in page
    assert "0 responses to version 3.0" in page
    assert f'href="/consultations/{OPEN[0]}/{OPEN[1]}/"' in page


def test_submit_shows_receipt_and_my_feedback(client, auth, app):
    auth.login("gp")
    response = auth.post(NEW, form())
    assert response.status_code == 302
    feedback_id = int(re.search(r"/feedback/(\d+)/receipt", response.headers["Location"]).group(1))
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"FB-{feedback_id}" in receipt and "Feedback sent" in receipt
    record = fetch(app, feedback_id)
    assert (record.status, record.section_id, record.version) == ("new", "key-messages", "3.0")
    assert record.answer_values == {"fit-threshold-deliverable": "No", "fit-kits-per-month": 25}
    mine = client.get("/feedback/").get_data(as_text=True)
    assert f"FB-{feedback_id}" in mine and "New" in mine and "No answer yet" in mine
    page = client.get(f"/pathways/{OPEN[0]}/{OPEN[1]}/").get_data(as_text=True)
    assert "You have given 1 comment on this version" in page


def test_draft_needs_no_text_and_stays_private_until_submitted(client, auth, app):
    auth.login("gp")
    response = auth.post(NEW, form(text="", type="", action="draft"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
    feedback_id = int(re.search(r"/feedback/(\d+)/edit", response.headers["Location"]).group(1))
    assert fetch(app, feedback_id).status == "draft"
    auth.logout()
    auth.login("cfsd")
    assert client.get(f"/consultations/responses/{feedback_id}/").status_code == 404
    auth.logout()
    auth.login("gp")
    edit = f"/feedback/{feedback_id}/edit"
    refused = auth.post(edit, form(text="", action="submit"))
    assert refused.status_code == 422 and "Write your feedback before you submit it" in refused.get_data(as_text=True)
    assert auth.post(edit, form(text="Now written", action="submit")).status_code == 302
    record = fetch(app, feedback_id)
    assert record.status == "new" and record.submitted_at is not None
    assert [h.action for h in history(app, feedback_id)] == ["draft saved", "submitted"]


def test_edit_and_withdraw_own_feedback_while_open(client, auth, app):
    auth.login("gp")
    location = auth.post(NEW, form()).headers["Location"]
    feedback_id = int(re.search(r"/feedback/(\d+)/", location).group(1))
    assert auth.post(f"/feedback/{feedback_id}/edit", form(text="Changed my mind", type="other")).status_code == 302
    record = fetch(app, feedback_id)
    assert (record.text, record.type, record.status) == ("Changed my mind", "other", "new")
    edited = history(app, feedback_id)[-1]
    assert edited.action == "edited" and edited.change_values["type"] == ["workload", "other"]
    assert auth.post(f"/feedback/{feedback_id}/withdraw").status_code == 302
    assert fetch(app, feedback_id).status == "withdrawn"
    again = auth.post(f"/feedback/{feedback_id}/edit", form(text="Back again"))
    assert again.status_code == 409 and fetch(app, feedback_id).text == "Changed my mind"


def test_discarding_a_draft_deletes_it(client, auth, app):
    auth.login("gp")
    location = auth.post(NEW, form(action="draft")).headers["Location"]
    feedback_id = int(re.search(r"/feedback/(\d+)/", location).group(1))
    assert auth.post(f"/feedback/{feedback_id}/withdraw").status_code == 302
    assert fetch(app, feedback_id) is None


@pytest.mark.parametrize("slug_version,why", [(UPCOMING, "opens on 11 January 2027"),
                                               (CLOSED, "closed on 31 October 2026")])
def test_form_says_why_and_accepts_nothing_outside_the_window(client, auth, app, slug_version, why):
    auth.login("gp")
    url = "/pathways/{}/{}/feedback".format(*slug_version)
    page = client.get(url).get_data(as_text=True)
    assert why in page and 'name="text"' not in page
    response = auth.post(url, {"type": "other", "text": "Trying anyway", "action": "submit"})
    assert response.status_code == 409 and why in response.get_data(as_text=True)
    assert count_feedback(app) == 0


def test_edit_refused_once_the_window_closes(tmp_path, database_url):
    from tests.conftest import AuthActions, make_app

    app = make_app(tmp_path, database_url)
    client = app.test_client()
    auth = AuthActions(client)
    feedback_id = insert(app, "gp", *OPEN, text="Written while open")
    auth.login("gp")
    app.config["TODAY"] = "2027-02-27"  # the day after colorectal 3.0 closes
    response = auth.post(f"/feedback/{feedback_id}/edit", form(text="Too late"))
    assert response.status_code == 409 and "closed on 26 February 2027" in response.get_data(as_text=True)
    assert auth.post(f"/feedback/{feedback_id}/withdraw").status_code == 409
    assert fetch(app, feedback_id).text == "Written while open"
    app.extensions["pathway_review.db"].engine.dispose()


def test_a_gp_never_sees_another_gps_feedback(client, auth, app):
    feedback_id = insert(app, "gp-fife", *OPEN)
    auth.login("gp")
    for url in (f"/feedback/{feedback_id}/", f"/feedback/{feedback_id}/edit", f"/feedback/{feedback_id}/receipt",
                f"/feedback/{feedback_id}/withdraw"):
        assert client.get(url).status_code == 404, url
    assert auth.post(f"/feedback/{feedback_id}/edit", form(text="Hijack")).status_code == 404
    assert auth.post(f"/feedback/{feedback_id}/withdraw").status_code == 404
    assert fetch(app, feedback_id).status == "new"
    assert f"FB-{feedback_id}" not in client.get("/feedback/").get_data(as_text=True)


def test_form_posts_need_the_csrf_token(client, auth, app):
    auth.login("gp")
    response = client.post(NEW, data=form())
    assert response.status_code == 400 and "The form could not be accepted" in response.get_data(as_text=True)
    feedback_id = insert(app, "gp", *OPEN)
    assert client.post(f"/feedback/{feedback_id}/withdraw").status_code == 400
    assert fetch(app, feedback_id).status == "new"


@pytest.mark.parametrize("changes,field,message", [
    ({"text": "x" * 10_001}, "text", "under 10,000 characters"),
    ({"type": "gossip"}, "type", "Choose what your feedback is about"),
    ({"section": "no-such-section"}, "section", "no section"),
    ({"answers.fit-threshold-deliverable": "Maybe"}, "answers.fit-threshold-deliverable", "choose one of"),
    ({"answers.fit-kits-per-month": "lots"}, "answers.fit-kits-per-month", "enter a number"),
])
def test_bad_input_is_refused_with_the_field_named_and_kept(client, auth, app, changes, field, message):
    auth.login("gp")
    data = form(text="Keep this text", **{k: v for k, v in changes.items() if k != "text"})
    data.update(changes)
    response = auth.post(NEW, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'href="#{field}"' in page and message in page
    if field != "text":
        assert "Keep this text" in page  # nothing typed is lost
    assert count_feedback(app) == 0


def test_html_and_script_in_feedback_never_run(client, auth, app):
    auth.login("gp")
    text = "**Bold** <script>alert('x')</script> <img src=x onerror=alert(1)> [link](javascript:alert(2))"
    location = auth.post(NEW, form(text=text)).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert "<strong>Bold</strong>" in page
    assert "<script>alert" not in page and "onerror" not in page and "javascript:" not in page
    auth.logout()
    auth.login("cfsd")
    feedback_id = int(re.search(r"/feedback/(\d+)/", location).group(1))
    staff = client.get(f"/consultations/responses/{feedback_id}/").get_data(as_text=True)
    assert "<script>alert" not in staff and "onerror" not in staff


def test_nav_links_by_role(client, auth):
    auth.login("gp")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/feedback/"' in page and "My feedback" in page and "Consultations" not in page
    auth.logout()
    auth.login("cfsd")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/consultations/"' in page and "My feedback" not in page


def test_other_roles_cannot_give_feedback(client, auth):
    auth.login("board-admin")
    assert client.get(NEW).status_code == 403
    assert auth.post(NEW, form()).status_code == 403


def test_the_whole_journey_in_the_browser(client, auth, app):
    """A GP is stopped by a CHI number without losing the text, submits, and sees it under My feedback;
    CfSD sees it on the dashboard, answers it, and the answer appears on "You said, we did"."""
    from tests.feedback_support import chi_numbers

    auth.login("gp")
    chi = chi_numbers(1, seed=3)[0]
    stopped = auth.post(NEW, form(text=f"Kits run out; e.g. {chi}", section="key-messages"))
    assert stopped.status_code == 422 and f"Kits run out; e.g. {chi}" in stopped.get_data(as_text=True)
    sent = auth.post(NEW, form(text="Kits run out in winter.", section="key-messages"))
    feedback_id = int(re.search(r"/feedback/(\d+)/receipt", sent.headers["Location"]).group(1))
    assert f"FB-{feedback_id}" in client.get("/feedback/").get_data(as_text=True)
    auth.logout()
    auth.login("cfsd")
    dashboard = client.get(f"/consultations/{OPEN[0]}/{OPEN[1]}/").get_data(as_text=True)
    assert "<strong class=\"pr-feedback-figure\">1</strong> responses" in dashboard
    auth.post(f"/consultations/responses/{feedback_id}/",
              {"status": "changed-in-next-version", "response": "Kits are now sent by post.", "themes": "test access"})
    auth.logout()
    auth.login("gp")
    assert "Kits are now sent by post." in client.get("/feedback/").get_data(as_text=True)
    said = client.get(f"/consultations/{OPEN[0]}/{OPEN[1]}/you-said-we-did").get_data(as_text=True)
    assert "Kits run out in winter." in said and "Kits are now sent by post." in said
