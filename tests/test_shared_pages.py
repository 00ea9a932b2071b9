"""A pathway page is shared by everyone with the same role and board, and dropped only when what it shows
changes: feedback on one version leaves every other version's page cached, in every app on the database."""
from __future__ import annotations

import re

from pathway_review import create_app
from pathway_review.testing.apps import AuthActions, PASSWORD

from tests.feedback_support import OPEN, add_gp, db, insert

OPEN_PAGE = f"/pathways/{OPEN[0]}/{OPEN[1]}/"
OTHER_PAGE = "/pathways/dyspepsia/"


def responses(page: str) -> int:
    return int(re.search(r"(\d+) responses? to version", page).group(1))


def without_tokens(page: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", page)  # signed with the time, so it moves on


def cache(app):
    return app.extensions["pathway_review.fragments"]


def signed_in(app, who):
    client = app.test_client()
    AuthActions(client).login(who)
    return client


def test_feedback_drops_only_its_own_versions_page(app):
    cfsd = signed_in(app, "cfsd")
    before = responses(cfsd.get(OPEN_PAGE).get_data(as_text=True))
    other = without_tokens(cfsd.get(OTHER_PAGE).get_data(as_text=True))
    insert(app, "gp", *OPEN)
    misses = cache(app).misses
    assert without_tokens(cfsd.get(OTHER_PAGE).get_data(as_text=True)) == other
    assert cache(app).misses == misses  # the other version's page was not rebuilt
    assert responses(cfsd.get(OPEN_PAGE).get_data(as_text=True)) == before + 1


def test_a_second_app_on_the_same_database_sees_the_change(app):
    keys = ("TESTING", "INSTANCE_PATH", "DATABASE_URL", "PATHWAYS_DIR", "TODAY", "SECRET_KEY",
            "LIBRARY_CHECK_INTERVAL", "QUEUE_IMMEDIATE", "PLUGINS")
    other = create_app({key: app.config[key] for key in keys if key in app.config})
    try:
        reader = signed_in(other, "cfsd")
        before = responses(reader.get(OPEN_PAGE).get_data(as_text=True))
        assert responses(reader.get(OPEN_PAGE).get_data(as_text=True)) == before  # served from its cache
        insert(app, "gp", *OPEN)  # written through the first app
        assert responses(reader.get(OPEN_PAGE).get_data(as_text=True)) == before + 1
    finally:
        other.extensions["pathway_review.db"].dispose()


def test_each_gp_sees_their_own_name_and_feedback_in_the_shared_page(app):
    with db(app).transaction() as session:
        from pathway_review import accounts

        accounts.create_user(session, "second.gp@lothian.example", "Dr Second", "gp", PASSWORD, "lothian")
    first, second = signed_in(app, "gp"), signed_in(app, "second.gp@lothian.example")
    insert(app, "gp", *OPEN)
    insert(app, "gp", *OPEN)
    mine = first.get(OPEN_PAGE).get_data(as_text=True)
    hits = cache(app).hits
    theirs = second.get(OPEN_PAGE).get_data(as_text=True)
    assert cache(app).hits > hits  # the same page, not one rendered for the second GP
    assert "Signed in as Dr Lothian GP" in mine and "You have given 2 comments" in mine
    assert "Signed in as Dr Second" in theirs and "Dr Lothian GP" not in theirs
    assert "Your feedback on this version" not in theirs  # no empty panel for someone with none


def test_a_gp_in_another_board_gets_their_boards_page(app):
    add_gp(app, "unused@fife.example", "fife")
    lothian, fife = signed_in(app, "gp"), signed_in(app, "gp-fife")
    insert(app, "gp", *OPEN)
    assert "You have given 1 comment " in lothian.get(OPEN_PAGE).get_data(as_text=True)
    page = fife.get(OPEN_PAGE).get_data(as_text=True)
    assert "Signed in as Dr Fife GP (NHS Fife)" in page or "Signed in as Dr Fife GP" in page
    assert "You have given" not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert fife.post("/logout", data={"csrf_token": token}).status_code == 302


def test_another_gps_feedback_leaves_a_gps_page_cached_while_the_author_and_cfsd_see_it(app):
    with db(app).transaction() as session:
        from pathway_review import accounts

        second = accounts.create_user(session, "second.gp@lothian.example", "Dr Second", "gp", PASSWORD, "lothian")
        session.flush()
        second_id = second.id
    first, author, cfsd = signed_in(app, "gp"), signed_in(app, "second.gp@lothian.example"), signed_in(app, "cfsd")
    mine = without_tokens(first.get(OPEN_PAGE).get_data(as_text=True))
    assert "You have given" not in author.get(OPEN_PAGE).get_data(as_text=True)
    elsewhere = without_tokens(author.get(OTHER_PAGE).get_data(as_text=True))
    counted = responses(cfsd.get(OPEN_PAGE).get_data(as_text=True))

    insert(app, second_id, *OPEN)  # a busy consultation: another GP's feedback
    misses = cache(app).misses
    assert without_tokens(first.get(OPEN_PAGE).get_data(as_text=True)) == mine
    # Nor is the author's own part of another version's page built again.
    assert without_tokens(author.get(OTHER_PAGE).get_data(as_text=True)) == elsewhere
    assert cache(app).misses == misses  # served as they were, not rendered again
    assert "You have given 1 comment " in author.get(OPEN_PAGE).get_data(as_text=True)
    assert responses(cfsd.get(OPEN_PAGE).get_data(as_text=True)) == counted + 1
