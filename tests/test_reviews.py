"""Reviews due: CfSD's list of published pathways by review date, flagged at 9 and 6 months and overdue by the
same rule as the reminder mail, and a board admin's list of the pathways its local notes are written on."""
from __future__ import annotations

import re
from datetime import date

from pathway_review.plugin_api import review_status


def rows(page):
    table = page[page.index('id="reviews"'):page.index("</table>", page.index('id="reviews"'))]
    found = re.findall(r'">([^<]+ \d\.\d)</a>.*?Review date </span>([^<]+)</td>.*?nhsuk-tag[^"]*">([^<]+)<',
                       table, re.S)
    return [(title, day, label) for title, day, label in found]


def test_review_status_flags_9_and_6_months_and_overdue(app):
    library = app.extensions["pathway_review.library"]
    dyspepsia = library.get_version("dyspepsia", "1.0")                 # review 28 October 2027
    with app.app_context():
        assert review_status(dyspepsia, date(2027, 1, 27)).key == "later"
        assert review_status(dyspepsia, date(2027, 1, 28)).months == 9
        assert review_status(dyspepsia, date(2027, 4, 28)).label == "Review due within 6 months"
        assert review_status(dyspepsia, date(2027, 10, 28)).key == "overdue"
        assert review_status(library.get_version("headache-in-adults", "1.0"), date(2029, 9, 1)).key == "none"
        assert review_status(library.get_version("suspected-colorectal-cancer", "1.0"), date(2026, 1, 1)).key \
            == "none"  # superseded: its successor is what gets reviewed


def test_cfsd_sees_published_pathways_by_review_date(client, auth, app):
    auth.login("cfsd")
    page = client.get("/reviews/").get_data(as_text=True)
    assert 'href="/reviews/" aria-current="page">' in page  # in the menu
    listed = rows(page)
    assert listed[0] == ("Low back pain in adults 1.0", "8 January 2027", "Review due within 6 months")
    assert [title for title, _, _ in listed][:4] == ["Low back pain in adults 1.0", "Suspected colorectal cancer 2.0",
                                                     "Visible haematuria 1.0", "Menopause and HRT 1.0"]
    assert ("Dyspepsia in adults 1.0", "28 October 2027", "Not yet due") in listed
    assert not any(title.startswith("Headache") for title, _, _ in listed)  # out for consultation, not published
    assert "<strong>4</strong> due within 6 months" in page

    app.config["TODAY"] = "2027-02-01"
    later = dict((title, label) for title, _, label in rows(client.get("/reviews/").get_data(as_text=True)))
    assert later["Low back pain in adults 1.0"] == later["Suspected colorectal cancer 2.0"] == "Review overdue"
    assert later["Dyspepsia in adults 1.0"] == "Review due within 9 months"
    assert later["Iron deficiency anaemia in adults 1.0"] == "Not yet due"


def test_a_board_admin_sees_the_pathways_its_local_notes_depend_on(client, auth, app, runner):
    auth.login("board-admin")
    page = client.get("/reviews/board").get_data(as_text=True)
    assert "NHS Lothian has not switched on local notes" in page
    result = runner.invoke(args=["plugins", "enable", "local_notes", "--board", "lothian"])
    assert result.exit_code == 0, result.output
    response = auth.post("/local-notes/boards/lothian/notes/new", {
        "pathway": "suspected-colorectal-cancer", "version": "3.0", "section": "how-to-refer",
        "kind": "referral-route", "text": "Refer through SCI Gateway to Lothian colorectal triage."})
    assert response.status_code == 303
    page = client.get("/reviews/board").get_data(as_text=True)
    table = page[page.index('id="board-reviews"'):]
    assert "Suspected colorectal cancer 2.0" in table and "Review due within 6 months" in table
    assert "Low back pain" not in table  # no Lothian note on it
    auth.logout()
    auth.login("board-admin-fife")
    assert "NHS Fife has not switched on local notes" in client.get("/reviews/board").get_data(as_text=True)


def test_only_cfsd_and_board_admins_see_reviews(client, auth):
    auth.login("gp")
    assert client.get("/reviews/").status_code == 403
    assert client.get("/reviews/board").status_code == 403
    auth.logout()
    auth.login("board-admin")
    assert client.get("/reviews/").status_code == 403
