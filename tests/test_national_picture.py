"""The national picture: CfSD's board × pathway heatmap, whose numbers are the records boards share."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from pathway_review.models import Board
from pathway_review.testing import switch_on
from tests.feedback_support import db, insert

PAGE = "/national-picture/"
SLUG, OTHER = "suspected-colorectal-cancer", "headache-in-adults"


def board_id(app, slug):
    with db(app).sessions() as session:
        return session.scalar(select(Board.id).where(Board.slug == slug))


def add_notes(app, board, kind, count, pathway=SLUG):
    from plugins.local_notes.models import LocalNote

    with db(app).transaction() as session:
        for n in range(count):
            session.add(LocalNote(board_id=board_id(app, board), pathway=pathway, section_id="how-to-refer",
                                  version="3.0", fingerprint="x", kind=kind, text=f"Local route {n}"))


def add_issues(app, board, count, pathway=SLUG):
    from plugins.interface_log.models import InterfaceIssue

    with db(app).transaction() as session:
        for n in range(count):
            session.add(InterfaceIssue(board_id=board_id(app, board), category="referrals", service=f"Service {n}",
                                       description="Referrals bounced.", pathway=pathway))


def cells(page: str) -> dict[tuple[str, str], tuple[int, str]]:
    """(pathway title, board name) -> (number, link) for every linked cell of the table."""
    found = {}
    for href, number, board, title in re.findall(
            r'<a href="(/national-picture/records\?[^"]+)">(\d+)<span class="nhsuk-u-visually-hidden"> in ([^<]+) '
            r'on ([^<]+)</span></a>', page):
        found[(unescape(title), unescape(board))] = (int(number), unescape(href))
    return found


@pytest.fixture
def shared(app):
    """Lothian and Fife share local notes and the issue log; Tayside keeps notes and issues but has both off."""
    switch_on(app, "local_notes", ["lothian", "fife", "tayside"])
    switch_on(app, "interface_log", ["lothian", "tayside"])
    add_notes(app, "lothian", "variation", 3)
    add_notes(app, "lothian", "referral-route", 1)
    add_notes(app, "lothian", "variation", 1, pathway=OTHER)
    add_notes(app, "fife", "variation", 2)
    add_notes(app, "tayside", "variation", 5)
    add_issues(app, "lothian", 2)
    add_issues(app, "lothian", 1, pathway=None)  # about no pathway: not in the picture
    add_issues(app, "tayside", 4)
    switch_on(app, "local_notes", ["tayside"], enabled=False)
    switch_on(app, "interface_log", ["tayside"], enabled=False)
    no = {"answers": {"deliverable": "No"}}
    insert(app, "gp", OTHER, "1.0", **no)
    insert(app, "gp", OTHER, "1.0", **no, safety_concern=True)
    insert(app, "gp", OTHER, "1.0", **no, status="draft")         # the GP's alone
    insert(app, "gp", OTHER, "1.0", **no, status="withdrawn")     # taken back
    insert(app, "gp", OTHER, "1.0", answers={"deliverable": "Yes"}, safety_concern=True, anonymous=True,
           hide_board=True)
    insert(app, "gp-fife", OTHER, "1.0", **no)
    return app


@pytest.mark.parametrize("who,status", [("gp", 403), ("gp-fife", 403), ("board-admin", 403),
                                        ("board-admin-fife", 403), ("cfsd", 200), ("admin", 200)])
def test_only_national_staff_see_the_picture(client, auth, who, status):
    auth.login(who)
    assert client.get(PAGE).status_code == status
    assert client.get(f"/national-picture/records?board=lothian&pathway={SLUG}&measure=feedback:safety-concern") \
        .status_code == status
    assert ('href="/national-picture/"' in client.get("/").get_data(as_text=True)) is (status == 200)


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_heatmap_counts_only_what_boards_share(shared, client, auth):
    auth.login("cfsd")
    variations = cells(client.get(PAGE + "?measure=local_notes:variation").get_data(as_text=True))
    assert {key: n for key, (n, _) in variations.items()} == {
        ("Suspected colorectal cancer", "NHS Lothian"): 3, ("Headache in adults", "NHS Lothian"): 1,
        ("Suspected colorectal cancer", "NHS Fife"): 2}  # Tayside switched local notes off
    routes = cells(client.get(PAGE + "?measure=local_notes:referral-route").get_data(as_text=True))
    assert {key: n for key, (n, _) in routes.items()} == {("Suspected colorectal cancer", "NHS Lothian"): 1}
    issues = cells(client.get(PAGE + "?measure=interface_log:linked-issues").get_data(as_text=True))
    assert {key: n for key, (n, _) in issues.items()} == {("Suspected colorectal cancer", "NHS Lothian"): 2}
    undeliverable = cells(client.get(PAGE + "?measure=feedback:not-deliverable").get_data(as_text=True))
    assert {key: n for key, (n, _) in undeliverable.items()} == {
        ("Headache in adults", "NHS Lothian"): 2, ("Headache in adults", "NHS Fife"): 1}
    safety = cells(client.get(PAGE + "?measure=feedback:safety-concern").get_data(as_text=True))
    assert {key: n for key, (n, _) in safety.items()} == {("Headache in adults", "NHS Lothian"): 2}


@pytest.mark.parametrize("measure", ["local_notes:variation", "local_notes:referral-route",
                                     "interface_log:linked-issues", "feedback:not-deliverable",
                                     "feedback:safety-concern"])
def test_each_cell_links_to_exactly_the_records_it_counts(shared, client, auth, measure):
    auth.login("cfsd")
    found = cells(client.get(PAGE + f"?measure={measure}").get_data(as_text=True))
    assert found
    for (title, board), (number, href) in found.items():
        page = client.get(href)
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert f"{board}: {title}" in unescape(text)
        links = re.findall(r'<li><a href="([^"]+)">', text.split("<h1>", 1)[1])
        assert len(links) == number, (measure, board, title)
        for link in links:  # each record opens for CfSD
            assert client.get(link).status_code == 200, link


def test_the_svg_is_an_accessible_image_with_the_same_numbers(shared, client, auth):
    auth.login("cfsd")
    page = client.get(PAGE + "?measure=local_notes:variation").get_data(as_text=True)
    svg = re.search(r"<svg[^>]*class=\"pr-heatmap\".*?</svg>", page, flags=re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="heatmap-title heatmap-desc"' in svg
    assert re.search(r'<title id="heatmap-title">Local notes: local variation by board and pathway</title>', svg)
    assert "6 in all" in re.search(r"<desc[^>]*>(.*?)</desc>", svg).group(1)
    numbers = sorted(int(n) for n in re.findall(r'text-anchor="middle" fill="[^"]+">(\d+)</text>', svg))
    assert numbers.count(0) == len(numbers) - 3 and numbers[-3:] == [1, 2, 3]
    assert "<table" in page and 'role="region"' in page


def test_bad_input_is_refused_with_a_reason(shared, client, auth):
    auth.login("cfsd")
    response = client.get(PAGE + "?measure=no-such-measure")
    assert response.status_code == 400
    assert "Choose one of the measures" in response.get_data(as_text=True)
    for query, message in [("board=atlantis&pathway=dyspepsia&measure=feedback:safety-concern", "Choose a board"),
                           ("board=lothian&pathway=nope&measure=feedback:safety-concern", "Choose a national"),
                           ("board=lothian&pathway=dyspepsia&measure=nope", "Choose one of the measures"),
                           ("", "Choose a board")]:
        response = client.get("/national-picture/records?" + query)
        assert response.status_code == 400 and message in response.get_data(as_text=True), query


def test_an_empty_picture_says_so(client, auth):
    auth.login("cfsd")
    page = client.get(PAGE).get_data(as_text=True)
    assert "Nothing to show yet" in page and "pr-heatmap" not in page


def test_the_demo_data_shows_boards_varying(app, client, auth, runner):
    for command in (["local-notes", "demo"], ["interface-log", "demo"], ["feedback", "demo", "120", "--seed", "1"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    auth.login("cfsd")
    variations = cells(client.get(PAGE + "?measure=local_notes:variation").get_data(as_text=True))
    assert {board for _, board in variations} >= {"NHS Lothian", "NHS Fife", "NHS Tayside", "NHS Highland"}
    issues = cells(client.get(PAGE + "?measure=interface_log:linked-issues").get_data(as_text=True))
    assert ("Suspected colorectal cancer", "NHS Lothian") in issues
    undeliverable = cells(client.get(PAGE + "?measure=feedback:not-deliverable").get_data(as_text=True))
    assert len({board for _, board in undeliverable}) > 3


def test_every_route_answers_every_role_as_declared(shared):
    from pathway_review.testing import access_failures

    failures, checked = access_failures(shared, plugin="national_picture")
    assert checked >= 10 and not failures, "\n".join(failures)


def test_the_api_gives_the_same_numbers_to_national_staff_only(shared, client):
    from tests.feedback_support import token

    assert client.get("/api/v1/national-picture").status_code == 401
    for who in ("gp", "board-admin"):
        assert client.get("/api/v1/national-picture", headers=token(shared, who)).status_code == 403
    body = client.get("/api/v1/national-picture", headers=token(shared, "cfsd")).get_json()
    cells = {(c["measure"], c["board"], c["pathway"]): c["count"] for c in body["cells"]}
    assert cells[("local_notes:variation", "lothian", SLUG)] == 3
    assert cells[("local_notes:variation", "fife", SLUG)] == 2
    assert not any(board == "tayside" for _, board, _ in cells)
    assert cells[("feedback:not-deliverable", "lothian", OTHER)] == 2
    totals = {m["key"]: m["total"] for m in body["measures"]}
    assert totals["local_notes:variation"] == 6 and totals["interface_log:linked-issues"] == 2
    assert len(body["boards"]) >= 14 and len(body["pathways"]) == 11
