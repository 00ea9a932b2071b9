"""CfSD's consultation pages: dashboard figures on known data, comments following the text into a new
version, the cost of a pathway page, and "You said, we did" keeping anonymous feedback anonymous."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from tests.feedback_support import DEFAULT_Q, OPEN, add_gp, insert

LISTENER = "tests.fixture_plugins.feedback_listener"
T0 = datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def app_config():
    return {"PLUGINS": [LISTENER]}


def known_round(app):
    """Five counted responses from four GPs; three estimate the time (10, 30 and 5 hours a year)."""
    sections = app.extensions["pathway_review.library"].get_version(*DEFAULT_Q).sections
    carol = add_gp(app, "carol@lothian.example", "lothian")
    dan = add_gp(app, "dan@fife.example", "fife")
    eve = add_gp(app, "eve@fife.example", "fife")
    insert(app, "gp", *DEFAULT_Q, section_id=sections[0].id, safety_concern=True, submitted_at=T0,
           answers={"deliverable": "No", "extra-gp-minutes": 10, "patients-a-year": 60})
    insert(app, "gp-fife", *DEFAULT_Q, submitted_at=T0, type="other",
           answers={"deliverable": "Yes", "extra-gp-minutes": 30, "patients-a-year": 20})
    insert(app, "gp-fife", *DEFAULT_Q, submitted_at=T0 + timedelta(days=2), section_id=sections[1].id,
           answers={"deliverable": "With changes", "extra-gp-minutes": 45, "patients-a-year": 40})
    insert(app, carol, *DEFAULT_Q, submitted_at=T0, answers={"extra-gp-minutes": 6, "patients-a-year": 50})
    insert(app, dan, *DEFAULT_Q, submitted_at=T0, answers={"extra-gp-minutes": 20})
    insert(app, eve, *DEFAULT_Q, status="withdrawn", answers={"extra-gp-minutes": 600, "patients-a-year": 1000})
    insert(app, "gp", *DEFAULT_Q, status="draft", answers={"extra-gp-minutes": 600, "patients-a-year": 1000})
    return sections


def test_dashboard_figures_on_known_data(app):
    from plugins.feedback.stats import figures

    sections = known_round(app)
    pv = app.extensions["pathway_review.library"].get_version(*DEFAULT_Q)
    with app.extensions["pathway_review.db"].sessions() as session:
        result = figures(session, pv)
    assert (result.total, result.respondents, result.safety) == (5, 4, 1)
    assert (result.estimate.respondents, result.estimate.total_hours, result.estimate.median_hours) == (3, 45, 10)
    by_section = {sid: n for sid, _, n, _ in result.by_section}
    assert (by_section[None], by_section[sections[0].id], by_section[sections[1].id]) == (3, 1, 1)
    assert dict(result.by_type)["Workload"] == 4 and dict(result.by_type)["Other"] == 1
    deliverable = next(t for q, t, _ in result.answers if q.id == "deliverable")
    assert dict(deliverable) == {"Yes": 1, "With changes": 1, "No": 1}
    boards = {name: (n, bar) for name, n, bar in result.by_board}
    assert len(boards) == 14 and boards["NHS Fife"] == (3, 100) and boards["NHS Lothian"] == (2, 65)
    assert boards["NHS Shetland"] == (0, 0)


def test_dashboard_page(client, auth, app):
    known_round(app)
    auth.login("cfsd")
    page = client.get("/consultations/{}/{}/".format(*DEFAULT_Q)).get_data(as_text=True)
    assert "45</strong> extra GP hours a year" in page and "median 10.0 hours" in page
    assert "from 3 respondents" in page
    assert page.count('class="nhsuk-table__header" scope="row">NHS ') == 14
    by_board = page[page.index('id="responses-by-board"'):]
    assert "NHS Fife: 3; NHS Forth Valley: 0" in by_board[:by_board.index("</desc>")]
    assert "feedback-assets/feedback.css" in page
    per_day = page[page.index('id="responses-per-day"'):]
    per_day = per_day[:per_day.index("</figure>")]
    # 12 October (opening) to 21 November (today): four responses on 10 November, one on the 12th.
    assert "41 points, 5 in all." in per_day and "10 Nov: 4; 11 Nov: 0; 12 Nov: 1;" in per_day
    assert 'role="img"' in per_day and ">12 Oct</text>" in per_day
    assert 'style=' not in page
    assert page.index('id="safety"') < page.index("Responses by section")
    assert "Download CSV (fixture)" in page and f"/fixture-export/{DEFAULT_Q[0]}/{DEFAULT_Q[1]}.csv" in page
    css = client.get("/feedback-assets/feedback.css").get_data(as_text=True)
    assert ".pr-bar--100 { width: 100%; }" in css


def test_consultations_index_counts_responses(client, auth, app):
    known_round(app)
    auth.login("admin")
    page = client.get("/consultations/").get_data(as_text=True)
    row = page[page.index("Headache in adults"):]
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">5</td>' in row[:800]
    assert "Heavy menstrual bleeding" in page and "Opens 11 January 2027" in page


def test_gp_cannot_open_cfsd_pages(client, auth, app):
    feedback_id = insert(app, "gp", *OPEN)
    auth.login("gp")
    for url in ("/consultations/", "/consultations/{}/{}/".format(*OPEN), f"/consultations/responses/{feedback_id}/",
                "/consultations/{}/{}/responses".format(*OPEN)):
        assert client.get(url).status_code == 403, url


def test_comments_follow_the_text_from_colorectal_2_to_3(client, auth, app):
    library = app.extensions["pathway_review.library"]
    old, new = library.get_version(OPEN[0], "2.0"), library.get_version(*OPEN)
    changed = next(s for s in old.sections if new.section(s.id) and new.section(s.id).fingerprint != s.fingerprint)
    same = next(s for s in old.sections if new.section(s.id) and new.section(s.id).fingerprint == s.fingerprint)
    changed_id = insert(app, "gp", OPEN[0], "2.0", section_id=changed.id, text="About the old threshold")
    same_id = insert(app, "gp-fife", OPEN[0], "2.0", section_id=same.id, text="About unchanged text")
    auth.login("cfsd")
    page = client.get("/consultations/{}/{}/".format(*OPEN)).get_data(as_text=True)
    earlier = page[page.index('id="earlier"'):]
    first = earlier[earlier.index(f">FB-{changed_id}<"):]
    assert "section changed since this comment" in first[:first.index("</li>")]
    second = earlier[earlier.index(f">FB-{same_id}<"):]
    assert "section changed since this comment" not in second[:second.index("</li>")]
    pathway_page = client.get("/pathways/{}/{}/".format(*OPEN)).get_data(as_text=True)
    assert "2 comments on earlier versions follow the text into this one" in pathway_page
    assert "1 marked “section changed since this comment”" in pathway_page
    record = client.get(f"/consultations/responses/{changed_id}/").get_data(as_text=True)
    assert "section changed since this comment</strong> (version 3.0)" in record


def doc(version, status, body):
    dates = "consultation_opens: 2026-11-01\nconsultation_closes: 2027-01-31\n" if status == "consultation" else ""
    return (f"---\ntitle: Sample pathway\nspecialty: Testing\nversion: \"{version}\"\nstatus: {status}\n"
            f"date: 2026-06-01\n{dates}owning_group: Test SDG\napproved_by: Interface Group\n"
            f"summary: Sample only.\n---\n{body}")


@pytest.fixture
def removed_section_library(tmp_path):
    root = tmp_path / "library"
    (root / "sample").mkdir(parents=True)
    (root / "sample" / "1.0.md").write_text(doc("1.0", "superseded", "## Alpha\n\nOne.\n\n## Beta\n\nTwo.\n"))
    (root / "sample" / "2.0.md").write_text(doc("2.0", "consultation", "## Alpha\n\nOne, changed.\n"))
    return root


@pytest.fixture
def app_with_removed_section(tmp_path, database_url, removed_section_library):
    from tests.conftest import make_app

    app = make_app(tmp_path, database_url, PATHWAYS_DIR=str(removed_section_library))
    yield app
    app.extensions["pathway_review.db"].engine.dispose()


def test_feedback_on_a_removed_section_is_kept_and_listed(app_with_removed_section):
    from tests.conftest import AuthActions

    app = app_with_removed_section
    alpha = insert(app, "gp", "sample", "1.0", section_id="alpha")
    beta = insert(app, "gp", "sample", "1.0", section_id="beta")
    client = app.test_client()
    AuthActions(client).login("cfsd")
    page = client.get("/consultations/sample/2.0/").get_data(as_text=True)
    earlier = page[page.index('id="earlier"'):]
    beta_item = earlier[earlier.index(f">FB-{beta}<"):]
    assert "on a section no longer in this version" in beta_item[:beta_item.index("</li>")]
    alpha_item = earlier[earlier.index(f">FB-{alpha}<"):]
    assert "section changed since this comment" in alpha_item[:alpha_item.index("</li>")]
    pathway_page = client.get("/pathways/sample/2.0/").get_data(as_text=True)
    assert "1 is on a section no longer in this version" in pathway_page


@pytest.mark.parametrize("who", ["gp", "cfsd"])
def test_pathway_page_costs_at_most_two_feedback_queries(client, auth, app, who):
    library = app.extensions["pathway_review.library"]
    for section in library.get_version(OPEN[0], "2.0").sections[:4]:
        insert(app, "gp", OPEN[0], "2.0", section_id=section.id)
    insert(app, "gp", *OPEN, section_id="key-messages")
    auth.login(who)
    statements = []

    def count(conn, cursor, statement, *args):
        if "feedback" in statement:
            statements.append(statement)

    engine = app.extensions["pathway_review.db"].engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get("/pathways/{}/{}/".format(*OPEN)).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert 1 <= len(statements) <= 2
    assert ("You have given 1 comment" if who == "gp" else "1 response to version 3.0") in page


def test_you_said_we_did_keeps_anonymous_feedback_anonymous(client, auth, app):
    secret = add_gp(app, "secret@lothian.example", "lothian", name="Dr Secret Name")
    insert(app, "gp", *OPEN, status="accepted", response="We changed the threshold.", section_id="key-messages")
    insert(app, "gp-fife", *OPEN, status="partly-accepted", response="Kits are funded.", anonymous=True)
    insert(app, secret, *OPEN, status="not-accepted", response="Evidence is clear.", anonymous=True, hide_board=True)
    insert(app, "gp", *OPEN, status="acknowledged", response="Not decided yet.")
    insert(app, "gp", *OPEN, status="accepted", response=None, text="Unanswered words")
    url = "/consultations/{}/{}/you-said-we-did".format(*OPEN)
    auth.login("gp")  # another GP reads: the header names the reader, never the anonymous authors
    page = client.get(url).get_data(as_text=True)
    assert "Dr Lothian GP, NHS Lothian said" in page and "We changed the threshold." in page
    assert "A GP in NHS Fife said" in page and "Dr Fife GP" not in page
    assert "Anonymous GP said" in page and "Dr Secret Name" not in page
    assert "Not decided yet." not in page and "Unanswered words" not in page
    assert page.index("The whole pathway") < page.index("Key messages")
    auth.logout()
    auth.login("cfsd")
    staff = client.get(url).get_data(as_text=True)
    assert "Dr Secret Name" not in staff and staff.count("A GP in NHS Lothian said") == 1
    auth.logout()
    auth.login("board-admin")
    assert client.get(url).status_code == 200
    auth.logout()
    assert client.get(url).status_code == 302
