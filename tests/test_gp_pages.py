"""What a GP (and the people around them) notice on the page: where "You said, we did" is, what My feedback
shows, link names, limits, one sample notice, the footer pages, printing, and the small forms."""
from __future__ import annotations

import html
import re

from tests.feedback_support import OPEN, insert
from tests.test_pages import text_of

PATHWAY = "/pathways/{}/{}/".format(*OPEN)
YSWD = "/consultations/{}/{}/you-said-we-did".format(*OPEN)


def names_of_links(page: str, starting: str) -> list[str]:
    """The accessible names (text with hidden parts, tags removed) of the links whose text starts so."""
    names = [" ".join(html.unescape(re.sub(r"<[^>]+>", "", inner)).split())
             for inner in re.findall(r"<a [^>]*>(.*?)</a>", page, flags=re.S)]
    return [name for name in names if name.startswith(starting)]


# ---- "You said, we did" and My feedback -----------------------------------------------------------

def test_a_gp_finds_you_said_we_did_from_the_pathway_the_form_and_my_feedback(client, auth, app):
    insert(app, "gp", *OPEN, status="partly-accepted", response="Kits are funded from April.",
           section_id="key-messages", text="The **FIT** threshold moves work onto practices.",
           text_html="<p>The <strong>FIT</strong> threshold moves work onto practices.</p>")
    auth.login("gp")
    assert f'href="{YSWD}"' in client.get(PATHWAY).get_data(as_text=True)
    assert f'href="{YSWD}"' in client.get(PATHWAY + "feedback?section=key-messages").get_data(as_text=True)
    mine = client.get("/feedback/")
    body = mine.get_data(as_text=True)
    assert f'href="{YSWD}"' in body
    row = text_of(mine)
    # Date, section, an excerpt (Markdown rendered, not raw), status and CfSD's answer.
    assert "Suspected colorectal cancer 3.0: Key messages" in row
    assert "The FIT threshold moves work onto practices." in row and "**FIT**" not in row
    assert "Partly accepted" in row and "Kits are funded from April." in row
    assert re.search(r"Date \d{1,2} [A-Z][a-z]{2} \d{4}", row), "each row shows the date it was given"


def test_you_said_we_did_has_contents_by_section_and_says_what_was_done_in_words(client, auth, app):
    insert(app, "gp", *OPEN, status="partly-accepted", response="Kits are funded.", section_id="key-messages")
    insert(app, "gp-fife", *OPEN, status="not-accepted", response="The evidence is clear.")
    auth.login("gp")
    response = client.get(YSWD)
    page = response.get_data(as_text=True)
    contents = re.search(r'<nav class="nhsuk-contents-list".*?</nav>', page, flags=re.S).group(0)
    anchors = re.findall(r'href="#([a-z0-9-]+)"', contents)
    assert anchors == ["about-the-whole-pathway", "about-key-messages"]
    for anchor in anchors:
        assert f'<h2 id="{anchor}">' in page  # each entry leads to its section's heading
    text = text_of(response)
    assert "Partly accepted: some of what you suggested will change" in text
    assert "Not accepted: the pathway stays as it is, and CfSD explains why below." in text
    assert "We did: partly accepted" not in text


# ---- the pathway page -----------------------------------------------------------------------------

def test_every_give_feedback_link_has_a_name_of_its_own(client, auth):
    auth.login("gp")
    page = client.get(PATHWAY).get_data(as_text=True)
    names = names_of_links(page, "Give feedback on this section")
    assert len(names) > 5 and len(set(names)) == len(names)
    assert "Give feedback on this section (Key messages)" in names


def test_a_pathway_page_has_one_sample_notice_and_its_editorial_details_once(client, auth):
    auth.login("gp")
    page = client.get(PATHWAY).get_data(as_text=True)
    assert page.count('class="pr-sample-notice"') + page.count("nhsuk-warning-callout pr-sample") == 1
    assert page.count(">Editorial details</h2>") == 1
    assert "Date issued" not in page  # the document's own table, which repeated the side column
    catalogue = client.get("/").get_data(as_text=True)
    assert catalogue.count('class="pr-sample-notice"') == 1


def test_the_pathway_prints_from_a_view_of_its_own(client, auth):
    auth.login("gp")
    page = client.get(PATHWAY).get_data(as_text=True)
    link = PATHWAY + "print"
    assert f'href="{link}"' in page and "Print this pathway or save it as a PDF" in page
    printed = client.get(link)
    assert printed.status_code == 200
    text = text_of(printed)
    assert "Use your browser's Print command" in text and "Key messages" in text
    assert "Give feedback" not in text and "Sample content — not clinical guidance" in text


# ---- the header, footer and the pages it links to -------------------------------------------------

def test_the_account_box_names_the_board_without_doubled_brackets(client, auth, app):
    from pathway_review import accounts
    from tests.feedback_support import db

    with db(app).transaction() as session:
        accounts.create_user(session, "demo@lothian.example", "Dr Morag Lothian (demo GP)", "gp",
                             "a long enough demo password", "lothian")
    auth.login("demo@lothian.example", password="a long enough demo password")
    text = text_of(client.get("/"))
    assert "Signed in as Dr Morag Lothian (demo GP), NHS Lothian" in text
    assert ") (" not in text


def test_footer_links_to_accessibility_privacy_and_contact_pages_anyone_can_read(client):
    login = client.get("/login").get_data(as_text=True)
    for href, heading in (("/accessibility", "Accessibility statement for Pathway Review"),
                          ("/privacy", "Privacy notice"), ("/contact", "Contact us")):
        assert f'href="{href}"' in login
        response = client.get(href)  # signed out: someone who cannot sign in needs these most
        assert response.status_code == 200 and f"<h1>{heading}</h1>" in response.get_data(as_text=True)


def test_the_contact_page_gives_the_configured_mailbox(client, app):
    assert "ask your Health Board's Pathway Review admin" in text_of(client.get("/contact"))
    app.config["CONTACT_EMAIL"] = "pathways@cfsd.example"
    assert 'href="mailto:pathways@cfsd.example"' in client.get("/contact").get_data(as_text=True)


# ---- forms ----------------------------------------------------------------------------------------

def test_feedback_type_error_names_the_choices_by_their_labels(client, auth):
    auth.login("gp")
    response = auth.post(PATHWAY + "feedback", {"section": "key-messages", "type": "gossip", "text": "Words",
                                                "attribution": "named", "action": "submit"})
    text = text_of(response)
    assert response.status_code == 422
    assert "Choose what your feedback is about: Red flags, Referral criteria" in text
    assert "red-flags" not in text and "primary-care-management" not in text


def test_free_text_fields_say_how_much_can_be_typed(client, auth, runner):
    auth.login("gp")
    page = client.get(PATHWAY + "feedback").get_data(as_text=True)
    assert 'id="text-info">You can enter up to 10,000 characters</div>' in page
    assert re.search(r'<textarea[^>]*id="text"[^>]*aria-describedby="[^"]*text-info', page, flags=re.S)
    runner.invoke(args=["plugins", "enable", "interface_log", "--board", "lothian"])
    issue_form = client.get("/interface-log/boards/lothian/issues/new").get_data(as_text=True)
    assert "You can enter up to 5,000 characters" in issue_form


def test_the_interface_issue_section_list_follows_the_chosen_pathway(client, auth, runner, app):
    from tests.test_interface_log import ISSUE, NEW, enable, issue_count

    enable(runner)
    auth.login("gp")
    listed = auth.post(NEW, ISSUE | {"pathway": "headache-in-adults", "action": "sections"}).get_data(as_text=True)
    assert '<input type="hidden" name="sections_of" value="headache-in-adults">' in listed
    assert "Section of Headache in adults (optional)" in listed
    # The GP then changes the pathway but sends the old pathway's section.
    changed = auth.post(NEW, ISSUE | {"pathway": "visible-haematuria", "section": "cluster-headache",
                                      "sections_of": "headache-in-adults"})
    page = changed.get_data(as_text=True)
    assert changed.status_code == 400
    assert "The sections below are now those of Visible haematuria" in text_of(changed)
    assert "Section of Visible haematuria (optional)" in page and '<option value="cluster-headache">' not in page
    assert ISSUE["description"] + "</textarea>" in page and issue_count(app) == 0


def test_switching_a_plugin_off_is_confirmed_on_a_page_of_its_own(client, auth, runner, app):
    runner.invoke(args=["plugins", "enable", "local_notes", "--board", "lothian"])
    auth.login("board-admin")
    plugins = client.get("/admin/boards/lothian/plugins").get_data(as_text=True)
    confirm = "/admin/boards/lothian/plugins/local_notes/switch-off"
    assert f'href="{confirm}"' in plugins and 'name="action" value="disable"' not in plugins
    question = client.get(confirm)
    assert question.status_code == 200
    assert "Switch off Local notes on national pathways for NHS Lothian?" in text_of(question)
    assert "/local-notes/boards/lothian/" in client.get("/").get_data(as_text=True)  # still on
    done = auth.post("/admin/boards/lothian/plugins", {"plugin": "local_notes", "action": "disable"})
    assert done.status_code == 303
    assert client.get("/local-notes/boards/lothian/").status_code == 404
    assert client.get(confirm).status_code == 303  # already off: back to the list


# ---- tables on small screens ----------------------------------------------------------------------

def test_wide_tables_scroll_in_their_own_labelled_focusable_region(client, auth):
    auth.login("gp")
    history = client.get("/pathways/suspected-colorectal-cancer/history/").get_data(as_text=True)
    assert re.search(r'<div class="pr-table-region" role="region" aria-label="Versions, newest first" '
                     r'tabindex="0">\s*<table', history)
    auth.logout()
    auth.login("admin")
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert 'role="region" aria-label="Events, newest first" tabindex="0"' in audit


def test_inviting_someone_names_each_problem_in_the_forms_own_words(client, auth):
    auth.login("board-admin")
    response = auth.post("/admin/boards/lothian/users", {"email": "not an address", "name": "", "role": "gp"})
    text = text_of(response)
    assert response.status_code == 400
    assert "Enter the email address in the right format, like name@nhs.scot." in text
    assert "Enter the person's full name." in text
    page = response.get_data(as_text=True)
    assert 'href="#email"' in page and 'href="#name"' in page
    again = auth.post("/admin/boards/lothian/users", {"email": "gp@lothian.example", "name": "Dr Again", "role": "gp"})
    assert "An account for gp@lothian.example already exists." in text_of(again)


def test_you_said_we_did_pages_through_every_answer_in_document_order(client, auth, app, monkeypatch):
    from datetime import datetime, timedelta, timezone

    from plugins.feedback import you_said

    monkeypatch.setattr(you_said, "PAGE_SIZE", 3)
    sections = [s.id for s in app.extensions["pathway_review.library"].get_version(*OPEN).sections]
    t0 = datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)
    # Written out of order: the page reads whole pathway, then sections as the document does, oldest first.
    written = [(sections[1], 0), (None, 1), (sections[0], 2), (sections[1], 3), (None, 4), (sections[1], 5),
               (sections[1], 6)]
    for section_id, n in written:
        insert(app, "gp", *OPEN, status="accepted", response=f"Answer {n}.", section_id=section_id,
               submitted_at=t0 + timedelta(hours=n), text=f"Comment number {n}")
    insert(app, "gp", *OPEN, status="acknowledged", response="Not yet.", section_id=sections[0], text="Pending")
    auth.login("gp")
    pages = [client.get(YSWD, query_string={"page": n}).get_data(as_text=True) for n in (1, 2, 3)]

    shown = [int(n) for page in pages for n in re.findall(r"Comment number (\d+)", page)]
    assert shown == [1, 4, 2, 0, 3, 5, 6]  # each answer once, whole pathway first, then by section
    assert all(page.count("Comment number") <= 3 for page in pages) and "Pending" not in "".join(pages)
    assert "Page 2 of 3" in pages[1]
    # The contents list leads to every answered section on the page where it starts.
    contents = re.search(r'<nav class="nhsuk-contents-list".*?</nav>', pages[2], flags=re.S).group(0)
    assert re.findall(r'href="([^"]+)"', contents) == [
        f"{YSWD}?page=1#about-the-whole-pathway", f"{YSWD}?page=1#about-{sections[0]}",
        f"#about-{sections[1]}"]
    assert f'<h2 id="about-{sections[1]}">' in pages[2] and "(continued)" in pages[2]
