"""Anonymous means CfSD sees the board and nothing else: on its pages, in the API and in every export."""
from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pytest

from tests.feedback_support import OPEN, fetch, insert, token

NAME, EMAIL, PRACTICE = "Dr Lothian GP", "gp@lothian.example", "P90210"
NEW_FORM_URL = f"/pathways/{OPEN[0]}/{OPEN[1]}/feedback"
ROUND = f"{OPEN[0]}/{OPEN[1]}"


@pytest.fixture
def anonymous(app):
    return insert(app, "gp", *OPEN, anonymous=True, practice_code=PRACTICE, text="Kits run out in winter.",
                  text_html="<p>Kits run out in winter.</p>")


def submitted_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/feedback/(\d+)/receipt", response.headers["Location"]).group(1))


def leaks(text: str) -> list[str]:
    return [found for found in (NAME, EMAIL, PRACTICE) if found in text]


def test_the_form_defaults_to_a_gp_in_the_board_and_says_who_sees_what(client, auth):
    auth.login("gp")
    page = client.get(NEW_FORM_URL).get_data(as_text=True)
    assert 'value="board" checked' in page and "A GP in NHS Lothian" in page
    assert "With my name (Dr Lothian GP, NHS Lothian)" in page
    assert "nobody sees your name, e-mail address or practice" in page
    assert "CfSD always sees your Health Board" in page


def test_a_form_sent_without_a_choice_is_anonymous(client, auth, app):
    auth.login("gp")
    response = auth.post(NEW_FORM_URL, {"section": "key-messages", "type": "workload", "text": "Too slow.",
                                        "answers.fit-threshold-deliverable": "No", "action": "submit"})
    feedback_id = submitted_id(response)
    record = fetch(app, feedback_id)
    assert (record.anonymous, record.hide_board) == (True, False)


def test_cfsd_pages_show_the_board_and_nothing_else(client, auth, app, anonymous):
    auth.login("cfsd")
    detail = client.get(f"/consultations/responses/{anonymous}/").get_data(as_text=True)
    assert "A GP in NHS Lothian (anonymous)" in detail and leaks(detail) == []
    listing = client.get(f"/consultations/{OPEN[0]}/{OPEN[1]}/responses").get_data(as_text=True)
    assert f">FB-{anonymous}<" in listing and "NHS Lothian" in listing and leaks(listing) == []
    dashboard = client.get(f"/consultations/{OPEN[0]}/{OPEN[1]}/").get_data(as_text=True)
    assert leaks(dashboard) == []


def test_history_does_not_name_the_author_of_anonymous_feedback(client, auth, app):
    auth.login("gp")
    response = auth.post(NEW_FORM_URL, {"section": "key-messages", "type": "workload", "text": "Too slow.",
                                        "answers.fit-threshold-deliverable": "No", "attribution": "board",
                                        "action": "submit"})
    feedback_id = submitted_id(response)
    auth.logout()
    auth.login("cfsd")
    detail = client.get(f"/consultations/responses/{feedback_id}/").get_data(as_text=True)
    assert "The GP who wrote it" in detail and NAME not in detail and EMAIL not in detail


def test_named_feedback_still_names_its_author_to_cfsd(client, auth, app):
    named = insert(app, "gp", *OPEN, anonymous=False, practice_code=PRACTICE)
    auth.login("cfsd")
    detail = client.get(f"/consultations/responses/{named}/").get_data(as_text=True)
    assert NAME in detail and EMAIL in detail and PRACTICE in detail


def test_the_api_gives_cfsd_no_author_or_practice_but_the_author_keeps_both(client, app, anonymous):
    for_cfsd = client.get(f"/api/v1/feedback/{anonymous}", headers=token(app, "cfsd")).get_json()
    assert for_cfsd["author"] is None and for_cfsd["practice_code"] is None
    assert for_cfsd["board_name"] == "NHS Lothian" and leaks(json.dumps(for_cfsd)) == []
    listed = client.get("/api/v1/feedback?anonymous=yes", headers=token(app, "cfsd")).get_json()
    assert [r["id"] for r in listed["feedback"]] == [anonymous] and leaks(json.dumps(listed)) == []
    own = client.get(f"/api/v1/feedback/{anonymous}", headers=token(app, "gp")).get_json()
    assert own["author"]["email"] == EMAIL and own["practice_code"] == PRACTICE


@pytest.mark.parametrize("pseudonymise", ["", "1", "0"])
def test_no_export_of_anonymous_feedback_names_anyone(client, app, anonymous, pseudonymise):
    """Whatever is asked for, identified exports included, in every format."""
    headers = token(app, "cfsd")
    query = f"round={ROUND}" + (f"&pseudonymise={pseudonymise}" if pseudonymise else "")
    document = client.get(f"/api/v1/export/feedback.json?{query}", headers=headers).get_json()
    row = document["rows"][0]
    assert (row["id"], row["anonymous"], row["board"]) == (anonymous, True, "lothian")
    assert (row["author_name"], row["author_email"], row["practice_code"]) == (None, None, None)
    text = client.get(f"/api/v1/export/feedback.csv?{query}", headers=headers).get_data(as_text=True)
    assert "Kits run out in winter." in text and "NHS Lothian" in text and leaks(text) == []
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/v1/export/feedback.xlsx?{query}",
                                                        headers=headers).get_data()))
    cells = " ".join(str(c) for sheet in book for r in sheet.iter_rows(values_only=True) for c in r if c)
    assert "Kits run out in winter." in cells and leaks(cells) == []


def test_exports_are_pseudonymised_unless_identified_is_asked_for(client, app):
    named = insert(app, "gp", *OPEN, anonymous=False, practice_code=PRACTICE)
    headers = token(app, "cfsd")
    default = client.get(f"/api/v1/export/feedback.json?round={ROUND}", headers=headers).get_json()
    assert default["pseudonymised"] is True
    row = default["rows"][0]
    assert row["id"] == named and row["author_name"].startswith("Respondent ") and EMAIL not in json.dumps(row)
    identified = client.get(f"/api/v1/export/feedback.csv?round={ROUND}&pseudonymise=0", headers=headers)
    rows = list(csv.DictReader(io.StringIO(identified.get_data(as_text=True).lstrip("\ufeff"))))
    assert (rows[0]["Name"], rows[0]["E-mail address"], rows[0]["Practice code"]) == (NAME, EMAIL, PRACTICE)
