"""Pathway pages are rendered once and cached; any committed change must still show at once."""
import pytest
from sqlalchemy import update

from pathway_review import accounts
from pathway_review.db import SITE, read_marks
from pathway_review.models import User

PAGE = "/pathways/dyspepsia/"


@pytest.fixture
def app_config():
    return {"PLUGINS": ["tests.fixture_plugins.account_count_panel"]}


def panel(client):
    page = client.get(PAGE).get_data(as_text=True)
    return page.split('class="account-count">', 1)[1].split("</p>", 1)[0]


def test_a_repeated_view_is_served_from_the_cache(app, client, auth):
    auth.login("gp")
    first = panel(client)
    cache = app.extensions["pathway_review.fragments"]
    hits = cache.hits
    assert panel(client) == first
    assert cache.hits > hits


def test_a_new_record_shows_on_the_next_view(app, client, auth):
    auth.login("gp")
    before = panel(client)
    with app.extensions["pathway_review.db"].transaction() as session:
        accounts.create_user(session, "new.gp@lothian.example", "Dr New", "gp", None, "lothian")
    after = panel(client)
    assert after != before
    assert "Dr New" in after


def test_a_bulk_update_shows_on_the_next_view(app, client, auth):
    auth.login("gp")
    panel(client)
    with app.extensions["pathway_review.db"].transaction() as session:
        session.execute(update(User).where(User.email == "admin@site.example").values(name="Renamed Admin"))
    assert "Renamed Admin" in panel(client)


def test_a_rolled_back_change_does_not_count(app, client, auth):
    auth.login("gp")
    panel(client)
    db = app.extensions["pathway_review.db"]
    with db.engine.connect() as conn:
        before = read_marks(conn, [SITE])
    session = db.session(write=True)
    session.execute(update(User).values(name="Nobody"))
    session.rollback()
    session.close()
    with db.engine.connect() as conn:
        assert read_marks(conn, [SITE]) == before
    assert "Nobody" not in panel(client)


def test_each_sign_in_gets_a_page_with_its_own_csrf_token(app, auth):
    first, second = app.test_client(), app.test_client()
    from tests.conftest import AuthActions

    AuthActions(first).login("gp")
    AuthActions(second).login("gp")
    first.get(PAGE)
    # The sign-out form in the second browser must carry a token its own session accepts.
    page = second.get(PAGE).get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = second.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
