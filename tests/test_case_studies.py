"""Case studies: a liaison shares a resolved issue with a lasting change; every board reads, searches and adopts it."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from pathway_review.models import Board
from pathway_review.testing import switch_on
from tests.conftest import csrf_token
from tests.feedback_support import chi_numbers, db
from tests.test_held_forms import lapse_sessions, sign_in as sign_in_client

INDEX = "/case-studies/"
CASE = {"title": "A 28-day hospital supply instead of a letter to the GP",
        "problem": "Clinic letters asked GPs to start new medicines.",
        "change": "Hospital clinicians issue the first 28 days' supply.",
        "involved": "The Interface Group and the gastroenterology lead.", "hours_saved": "2000",
        "estimate_method": "160 letters a month, an hour each, from a month's audit.", "confirm": "yes"}


def add_issue(app, board, status="resolved", change="Hospital now supplies 28 days.") -> int:
    from plugins.interface_log.models import InterfaceIssue

    with db(app).transaction() as session:
        issue = InterfaceIssue(
            board_id=session.scalar(select(Board.id).where(Board.slug == board)), category="prescribing",
            service="Gastroenterology outpatients", description="Letters ask GPs to prescribe.", status=status,
            resolution="Agreed with the service." if status == "resolved" else None,
            lasting_change=(change is not None) if status == "resolved" else None, lasting_change_detail=change)
        session.add(issue)
        session.flush()
        return issue.id


@pytest.fixture
def issues(app):
    switch_on(app, "interface_log", ["lothian", "fife"])
    return {"lasting": add_issue(app, "lothian"), "open": add_issue(app, "lothian", status="in-progress"),
            "no_change": add_issue(app, "lothian", change=None), "fife": add_issue(app, "fife")}


def case_count(app) -> int:
    from plugins.case_studies.models import CaseStudy

    with db(app).sessions() as session:
        return session.scalar(select(func.count(CaseStudy.id)))


def publish(auth, issue_id, **fields):
    return auth.post(f"/case-studies/publish/{issue_id}", CASE | fields)


def published(sign_in, issues) -> str:
    response = publish(sign_in("board-admin"), issues["lasting"])
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def national_hours(client) -> int:
    page = client.get(INDEX).get_data(as_text=True)
    return int(re.search(r'id="national-hours">([\d,]+)<', page).group(1).replace(",", ""))


def test_the_liaison_publishes_a_resolved_issue_and_every_board_reads_it(app, issues, sign_in):
    liaison = sign_in("board-admin")
    choices = liaison.client.get("/case-studies/publish").get_data(as_text=True)
    assert f"/case-studies/publish/{issues['lasting']}" in choices
    for other in ("open", "no_change", "fife"):
        assert f"/case-studies/publish/{issues[other]}\"" not in choices
    form = liaison.client.get(f"/case-studies/publish/{issues['lasting']}").get_data(as_text=True)
    assert "Letters ask GPs to prescribe.</textarea>" in form  # the problem comes from the issue
    url = published(sign_in, issues)
    for who in ("gp", "gp-fife", "board-admin-fife", "cfsd", "admin"):
        page = sign_in(who).client.get(url).get_data(as_text=True)
        assert CASE["title"] in page and "2,000" in page and "Case study from NHS Lothian" in page, who
    assert case_count(app) == 1


def test_a_patient_identifier_is_stopped_and_nothing_typed_is_lost(app, issues, sign_in):
    chi = chi_numbers(1)[0]
    response = publish(sign_in("board-admin"), issues["lasting"], problem=f"Patient {chi} waited three weeks.")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "The problem contains what looks like a CHI or NHS number" in page
    assert f"Patient {chi} waited three weeks.</textarea>" in page
    assert CASE["estimate_method"] + "</textarea>" in page
    assert case_count(app) == 0


def test_publishing_needs_the_confirmation_that_no_patient_is_identifiable(app, issues, sign_in):
    response = publish(sign_in("board-admin"), issues["lasting"], confirm="")
    assert response.status_code == 400
    assert "Confirm that no patient can be identified" in response.get_data(as_text=True)
    assert case_count(app) == 0


@pytest.mark.parametrize("hours", ["lots", "-5", "2.5", "", "99999999"])
def test_the_hours_must_be_a_sensible_whole_number(app, issues, sign_in, hours):
    response = publish(sign_in("board-admin"), issues["lasting"], hours_saved=hours)
    assert response.status_code == 400 and "as a whole number" in response.get_data(as_text=True)
    assert case_count(app) == 0


def test_a_board_cannot_publish_another_boards_issue(app, issues, sign_in):
    liaison = sign_in("board-admin")
    assert liaison.client.get(f"/case-studies/publish/{issues['fife']}").status_code == 404
    assert publish(liaison, issues["fife"]).status_code == 404
    assert publish(liaison, 999999).status_code == 404
    assert case_count(app) == 0


@pytest.mark.parametrize("which,message", [("open", "only a resolved issue can be published"),
                                           ("no_change", "resolved without a lasting change")])
def test_an_unresolved_issue_or_one_without_a_lasting_change_cannot_be_published(app, issues, sign_in, which,
                                                                                message):
    liaison = sign_in("board-admin")
    for response in (liaison.client.get(f"/case-studies/publish/{issues[which]}"), publish(liaison, issues[which])):
        assert response.status_code == 409 and message in response.get_data(as_text=True)
    assert case_count(app) == 0


@pytest.mark.parametrize("who", ["gp", "cfsd", "admin"])
def test_only_a_boards_liaison_publishes(app, issues, sign_in, who):
    person = sign_in(who)
    assert person.client.get("/case-studies/publish").status_code == 403
    assert publish(person, issues["lasting"]).status_code == 403
    assert "Publish a resolved interface issue" not in person.client.get(INDEX).get_data(as_text=True)
    assert case_count(app) == 0


def test_an_appointed_liaison_publishes_too(app, issues, sign_in):
    gp = sign_in("gp")
    assert publish(gp, issues["lasting"]).status_code == 403
    assert sign_in("board-admin").post("/admin/boards/lothian/plugins", {
        "plugin": "interface_log", "action": "enable", "settings": "1",
        "setting-liaison": "gp@lothian.example"}).status_code == 303
    assert "Publish a resolved interface issue" in gp.client.get(INDEX).get_data(as_text=True)
    assert publish(gp, issues["lasting"]).status_code == 303
    assert case_count(app) == 1


def test_publishing_the_same_issue_twice_edits_the_first(app, issues, sign_in):
    url = published(sign_in, issues)
    again = sign_in("board-admin").client.get(f"/case-studies/publish/{issues['lasting']}")
    assert again.status_code == 303 and again.headers["Location"] == url + "/edit"
    assert case_count(app) == 1


def test_only_the_publishing_boards_liaison_edits(app, issues, sign_in):
    url = published(sign_in, issues)
    fife = sign_in("board-admin-fife")
    assert fife.client.get(url + "/edit").status_code == 404
    assert fife.post(url + "/edit", CASE | {"title": "Taken over"}).status_code == 404
    gp = sign_in("gp")
    assert gp.client.get(url + "/edit").status_code == 403
    assert gp.post(url + "/edit", CASE | {"title": "Taken over"}).status_code == 403
    assert sign_in("cfsd").client.get(url + "/edit").status_code == 404
    liaison = sign_in("board-admin")
    assert "Edit this case study" in liaison.client.get(url).get_data(as_text=True)
    assert "Edit this case study" not in fife.client.get(url).get_data(as_text=True)
    saved = liaison.post(url + "/edit", CASE | {"title": "A 28-day supply from the hospital"})
    assert saved.status_code == 303
    page = fife.client.get(url).get_data(as_text=True)
    assert "A 28-day supply from the hospital" in page and "Taken over" not in page
    chi = chi_numbers(1)[0]
    refused = liaison.post(url + "/edit", CASE | {"involved": f"CHI {chi}"})
    assert refused.status_code == 400 and "CHI number" in refused.get_data(as_text=True)


def test_a_lothian_case_study_adopted_by_fife_moves_the_national_total(app, issues, sign_in):
    url = published(sign_in, issues)
    cfsd = sign_in("cfsd")
    assert national_hours(cfsd.client) == 0
    fife = sign_in("gp-fife")
    assert fife.post(url + "/adoption", {"state": "adopted"}).status_code == 303
    assert "NHS Fife: adopted here" in fife.client.get(url).get_data(as_text=True)
    assert national_hours(cfsd.client) == 2000
    sign_in("board-admin").post(url + "/edit", CASE | {"hours_saved": "2500"})
    assert national_hours(cfsd.client) == 2500  # the case's current estimate
    assert fife.post(url + "/adoption", {"state": "considering"}).status_code == 303
    assert national_hours(cfsd.client) == 0
    assert "NHS Fife: considering" in cfsd.client.get(url).get_data(as_text=True)
    assert fife.post(url + "/adoption", {"state": ""}).status_code == 303
    assert "No other board has marked" in cfsd.client.get(url).get_data(as_text=True)


def test_the_national_total_is_for_national_staff(app, issues, sign_in):
    published(sign_in, issues)
    for who, shown in [("cfsd", True), ("admin", True), ("gp", False), ("board-admin-fife", False)]:
        page = sign_in(who).client.get(INDEX).get_data(as_text=True)
        assert ('id="national-hours"' in page) is shown, who


def test_marking_is_for_other_boards_with_a_clear_answer_for_anything_else(app, issues, sign_in):
    url = published(sign_in, issues)
    own = sign_in("gp").post(url + "/adoption", {"state": "adopted"})
    assert own.status_code == 409 and "started in your board" in own.get_data(as_text=True)
    assert sign_in("cfsd").post(url + "/adoption", {"state": "adopted"}).status_code == 403
    bad = sign_in("gp-fife").post(url + "/adoption", {"state": "maybe"})
    assert bad.status_code == 400 and "Choose adopted here" in bad.get_data(as_text=True)
    assert sign_in("gp-fife").post("/case-studies/999999/adoption", {"state": "adopted"}).status_code == 404
    assert national_hours(sign_in("cfsd").client) == 0


def test_browsing_and_filtering(app, issues, sign_in):
    published(sign_in, issues)
    fife = sign_in("gp-fife").client
    assert CASE["title"] in fife.get(INDEX).get_data(as_text=True)
    assert CASE["title"] in fife.get(INDEX + "?q=gastroenterology").get_data(as_text=True)
    assert "No case studies match" in fife.get(INDEX + "?q=dermatology").get_data(as_text=True)
    assert CASE["title"] in fife.get(INDEX + "?board=lothian").get_data(as_text=True)
    refused = fife.get(INDEX + "?board=atlantis")
    assert refused.status_code == 400 and "Choose a board from the list" in refused.get_data(as_text=True)
    assert fife.get(INDEX + "?q=100%25_off").status_code == 200


def test_case_studies_are_found_in_search_by_every_board(app, issues, sign_in):
    published(sign_in, issues)
    response = sign_in("gp-fife").client.get("/api/v1/search", query_string={"q": "gastroenterology lead"})
    assert response.status_code == 200
    assert any(r["id"].startswith("case_studies:") for r in response.get_json()["results"])


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(INDEX)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_demo_publishes_a_case_study_from_lothian(app, runner):
    assert runner.invoke(args=["interface-log", "demo"]).exit_code == 0
    result = runner.invoke(args=["case-studies", "demo"])
    assert result.exit_code == 0, result.output
    assert "Published a sample case study from NHS Lothian" in result.output
    assert runner.invoke(args=["case-studies", "demo"]).exit_code == 0  # a second run adds nothing
    assert case_count(app) == 1


def test_a_case_study_typed_before_the_session_lapsed_comes_back(app, issues, client):
    sign_in_client(client, "board-admin")
    token = csrf_token(client)
    lapse_sessions(app)
    url = f"/case-studies/publish/{issues['lasting']}"
    response = client.post(url, data=CASE | {"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    next_url = parse_qs(urlparse(response.headers["Location"]).query)["next"][0]
    sign_in_client(client, "board-admin", next_url)
    page = unescape(client.get(next_url).get_data(as_text=True))
    assert CASE["estimate_method"] + "</textarea>" in page and 'value="2000"' in page
    assert case_count(app) == 0


def test_every_route_answers_every_role_and_board_as_declared(app, issues, sign_in):
    from pathway_review.testing import access_failures

    published(sign_in, issues)
    failures, checked = access_failures(app, plugin="case_studies")
    assert checked >= 20 and not failures, "\n".join(failures)


def test_text_that_cannot_be_stored_is_refused_and_the_rest_kept(app, issues, sign_in):
    response = publish(sign_in("board-admin"), issues["lasting"], problem="Letters\x00 went astray.")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 400 and "characters that cannot be stored" in page
    assert "Letters went astray.</textarea>" in page and CASE["involved"] + "</textarea>" in page
    assert case_count(app) == 0


def test_without_the_issue_log_boards_still_read_and_adopt_but_cannot_publish(app, issues, sign_in):
    url = published(sign_in, issues)
    switch_on(app, "interface_log", ["lothian", "fife"], enabled=False)
    liaison = sign_in("board-admin")
    refused = liaison.client.get("/case-studies/publish")
    assert refused.status_code == 403 and "interface liaison" in unescape(refused.get_data(as_text=True))
    assert CASE["title"] in liaison.client.get(INDEX).get_data(as_text=True)
    assert sign_in("gp-fife").post(url + "/adoption", {"state": "adopted"}).status_code == 303
    assert national_hours(sign_in("cfsd").client) == 2000
