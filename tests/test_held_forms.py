"""No words lost: a form sent after the session lapsed is kept, and given back after signing in again."""
from __future__ import annotations

import html
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select, update

from pathway_review.models import HeldForm, LoginSession, as_utc, utcnow
from tests.conftest import ACCOUNTS, PASSWORD, csrf_token
from tests.feedback_support import OPEN, count_feedback, form

NEW = f"/pathways/{OPEN[0]}/{OPEN[1]}/feedback"
WORDS = "The two-week wait for colonoscopy is not something our practice can promise patients."


def db(app):
    return app.extensions["pathway_review.db"]


def sign_in(client, who, next_url=None):
    data = {"email": ACCOUNTS[who][0], "password": PASSWORD, "csrf_token": csrf_token(client)}
    if next_url:
        data["next"] = next_url
    return client.post("/login", data=data)


def lapse_sessions(app):
    with db(app).transaction() as session:
        session.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(hours=2)))


def post_feedback(client, token):
    return client.post(NEW, data=form(text=WORDS, csrf_token=token))


def test_a_gp_whose_session_lapsed_gets_their_words_back_after_signing_in(app, client):
    sign_in(client, "gp")
    token = csrf_token(client)  # the form page was loaded while signed in
    lapse_sessions(app)  # ... and then the GP went to see a patient
    response = post_feedback(client, token)
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/login?next=")
    page = client.get(login_url).get_data(as_text=True)
    assert "we kept what you wrote" in page
    next_url = parse_qs(urlparse(login_url).query)["next"][0]
    assert next_url.startswith(NEW + "?restore=")

    back = sign_in(client, "gp", next_url)
    assert back.headers["Location"] == next_url
    page = html.unescape(client.get(next_url).get_data(as_text=True))
    assert WORDS in page
    assert "Here is what you wrote before you were signed out" in page
    assert count_feedback(app) == 0  # nothing was sent without the GP seeing it
    assert client.post(NEW, data=form(text=WORDS, csrf_token=csrf_token(client))).status_code == 302
    assert count_feedback(app) == 1


def test_words_typed_in_a_tab_signed_out_elsewhere_are_kept(app, client, auth):
    sign_in(client, "gp")
    token = csrf_token(client)
    auth.logout()  # in another tab of the same browser
    response = post_feedback(client, token)
    next_url = parse_qs(urlparse(response.headers["Location"]).query)["next"][0]
    sign_in(client, "gp", next_url)
    assert WORDS in html.unescape(client.get(next_url).get_data(as_text=True))


def test_kept_words_go_only_to_their_author_and_never_keep_secrets(app, client, auth):
    sign_in(client, "gp")
    token = csrf_token(client)
    auth.logout()
    next_url = parse_qs(urlparse(post_feedback(client, token).headers["Location"]).query)["next"][0]
    with db(app).sessions() as session:
        kept = session.scalar(select(HeldForm))
    assert WORDS in kept.fields and "csrf" not in kept.fields
    assert kept.expires_at is not None

    other = app.test_client()  # another GP, another browser, who somehow has the link
    sign_in(other, "gp-fife", next_url)
    assert WORDS not in html.unescape(other.get(next_url).get_data(as_text=True))

    with db(app).transaction() as session:  # an hour later it is gone
        session.execute(update(HeldForm).values(expires_at=utcnow() - timedelta(minutes=1)))
    sign_in(client, "gp", next_url)
    assert WORDS not in html.unescape(client.get(next_url).get_data(as_text=True))


def test_an_interface_issue_typed_before_the_session_lapsed_comes_back(app, client, runner):
    assert runner.invoke(args=["plugins", "enable", "interface_log", "--board", "lothian"]).exit_code == 0
    sign_in(client, "gp")
    token = csrf_token(client)
    lapse_sessions(app)
    description = "Discharge letters from ward 12 arrive three weeks late."
    response = client.post("/interface-log/boards/lothian/issues/new",
                           data={"category": "discharge-letters", "description": description, "service": "Ward 12",
                                 "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    next_url = parse_qs(urlparse(response.headers["Location"]).query)["next"][0]
    sign_in(client, "gp", next_url)
    page = html.unescape(client.get(next_url).get_data(as_text=True))
    assert description in page and 'value="Ward 12"' in page


def test_pages_warn_before_the_idle_timeout_and_staying_signed_in_keeps_the_session(app, client):
    sign_in(client, "gp")
    page = client.get(NEW).get_data(as_text=True)
    assert 'id="pr-session-warning"' in page and 'data-idle-seconds="1800"' in page
    assert "js/session-timeout.js" in page
    with db(app).transaction() as session:  # 25 idle minutes of the 30 allowed
        session.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=25)))
    response = client.post("/account/stay-signed-in", data={"csrf_token": csrf_token(client)},
                           headers={"Accept": "application/json"})
    assert response.status_code == 204
    with db(app).sessions() as session:
        last_seen = session.scalar(select(LoginSession.last_seen_at))
    assert utcnow() - as_utc(last_seen) < timedelta(minutes=1)
    # Without JavaScript the button is a plain form: back to the page it was pressed on.
    response = client.post("/account/stay-signed-in", data={"csrf_token": csrf_token(client)},
                           headers={"Referer": "http://localhost" + NEW})
    assert response.status_code == 303 and response.headers["Location"] == "http://localhost" + NEW
