"""NHS Scotland single sign-on against a real OpenID Connect provider: first sign-in, linking, refusals."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from pathway_review import accounts
from pathway_review.models import AuditEvent, IdentityLink, User
from tests import identity_provider
from tests.conftest import ACCOUNTS, PASSWORD, make_app
from tests.feedback_support import OPEN, count_feedback, form

NEW_FEEDBACK = f"/pathways/{OPEN[0]}/{OPEN[1]}/feedback"
BUTTON = "Sign in with your NHS Scotland account"


@pytest.fixture(scope="module")
def provider():
    proc, issuer = identity_provider.start()
    yield issuer
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def app_config(provider):
    return identity_provider.app_settings(provider)


def db(app):
    return app.extensions["pathway_review.db"]


def start_and_sign_in(client, account, next_url=None):
    """The browser's round trip: this site, the provider's login and consent, back to the callback."""
    start = client.get("/login/oidc/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    back = identity_provider.sign_in_at_provider(start.headers["Location"], account)
    return back, client.get(identity_provider.callback_path(back))


def refusals(app):
    with db(app).sessions() as session:
        return [(e.target, e.detail) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "signin.refused").order_by(AuditEvent.id))]


def test_sign_in_page_offers_the_nhs_scotland_account(client):
    page = client.get("/login?next=/pathways/").get_data(as_text=True)
    assert BUTTON in page
    assert 'href="/login/oidc/?next=/pathways/"' in page


def test_a_new_gp_signs_in_chooses_board_and_practice_and_gives_feedback(app, client, auth):
    _, response = start_and_sign_in(client, "morag.new@nhs.scot")
    assert response.headers["Location"] == "/login/oidc/register"
    page = client.get("/login/oidc/register").get_data(as_text=True)
    assert "Dr Morag New" in page and "NHS Lothian" in page
    refused = auth.post("/login/oidc/register", {"board": "lothian", "practice_code": "7001A"})
    assert refused.status_code == 400
    assert "Enter your practice code: 5 digits, like 70013." in refused.get_data(as_text=True)
    response = auth.post("/login/oidc/register", {"board": "lothian", "practice_code": "70013"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Signed in as Dr Morag New, NHS Lothian" in client.get("/").get_data(as_text=True)

    assert auth.post(NEW_FEEDBACK, form()).status_code == 302
    assert count_feedback(app) == 1
    with db(app).sessions() as session:
        gp = session.scalar(select(User).where(User.email == "morag.new@nhs.scot"))
        assert (gp.role, gp.board.slug, gp.practice_code, gp.password_hash) == ("gp", "lothian", "70013", None)
        link = session.scalar(select(IdentityLink).where(IdentityLink.user_id == gp.id))
        assert (link.issuer, link.subject) == (app.config["OIDC_ISSUER"], "subject-morag.new@nhs.scot")


def test_the_account_is_found_by_the_providers_subject_not_the_email(app, client, auth):
    start_and_sign_in(client, "ewan.new@nhs.scot")
    auth.post("/login/oidc/register", {"board": "fife", "practice_code": "20002"})
    auth.logout()
    with db(app).transaction() as session:  # the address changed at this site; the subject did not
        session.execute(update(User).where(User.email == "ewan.new@nhs.scot").values(email="ewan@old.example"))
    _, response = start_and_sign_in(app.test_client(), "ewan.new@nhs.scot", next_url="/pathways/")
    assert response.status_code == 302 and response.headers["Location"] == "/pathways/"
    with db(app).sessions() as session:
        assert session.scalar(select(User.id).where(User.email == "ewan.new@nhs.scot")) is None


def test_an_account_made_by_an_admin_is_joined_on_first_sign_in(app, client):
    with db(app).transaction() as session:
        accounts.create_user(session, "invited.gp@nhs.scot", "Dr Invited", "gp", None, "tayside", "30001")
    _, response = start_and_sign_in(client, "invited.gp@nhs.scot")
    assert response.headers["Location"] == "/"
    assert "Signed in as Dr Invited, NHS Tayside" in client.get("/").get_data(as_text=True)


def test_a_switched_off_account_is_refused(app, client):
    with db(app).transaction() as session:
        accounts.create_user(session, "gone.gp@nhs.scot", "Dr Gone", "gp", None, "tayside").active = False
    _, response = start_and_sign_in(client, "gone.gp@nhs.scot")
    assert response.status_code == 403
    assert "This account is switched off" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert refusals(app)[-1][0] == "gone.gp@nhs.scot" and '"account_inactive"' in refusals(app)[-1][1]


def test_a_disallowed_domain_is_refused_with_what_to_do(app, client):
    _, response = start_and_sign_in(client, "someone@gmail.example")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "This account cannot be used here" in page and "@nhs.scot" in page
    assert client.get("/").status_code == 302
    assert refusals(app) == [("someone@gmail.example", '{"method": "oidc", "reason": "domain_not_allowed"}')]
    with db(app).sessions() as session:
        assert session.scalar(select(User.id).where(User.email == "someone@gmail.example")) is None


def test_tampered_state_is_refused(app, client):
    start = client.get("/login/oidc/")
    back = identity_provider.sign_in_at_provider(start.headers["Location"], "morag.new@nhs.scot")
    tampered = back.replace("state=", "state=x")
    response = client.get(identity_provider.callback_path(tampered))
    assert response.status_code == 400
    assert "Your sign-in could not be completed" in response.get_data(as_text=True)
    assert "state_mismatch" in refusals(app)[-1][1]
    assert client.get("/").status_code == 302


def test_a_replayed_code_is_refused(app, client, auth):
    back, first = start_and_sign_in(client, "invited.gp@nhs.scot")
    assert first.headers["Location"] == "/login/oidc/register"
    # The same code again, under a fresh sign-in's state: the provider has spent it.
    fresh = client.get("/login/oidc/").headers["Location"]
    state = fresh.split("state=")[1].split("&")[0]
    code = back.split("code=")[1].split("&")[0]
    response = client.get(f"/login/oidc/callback?code={code}&state={state}")
    assert response.status_code == 400
    assert "Your sign-in could not be completed" in response.get_data(as_text=True)
    assert "invalid_grant" in refusals(app)[-1][1]


@pytest.mark.parametrize("client_id,reason", [("tampered-audience", "aud"), ("tampered-expiry", "exp")])
def test_an_id_token_for_another_service_or_long_expired_is_refused(tmp_path, database_url, provider,
                                                                    client_id, reason):
    app = make_app(tmp_path, database_url, **identity_provider.app_settings(provider, client_id))
    try:
        client = app.test_client()
        _, response = start_and_sign_in(client, "morag.new@nhs.scot")
        assert response.status_code == 400
        assert "Your sign-in could not be completed" in response.get_data(as_text=True)
        assert client.get("/").status_code == 302
        detail = refusals(app)[-1][1]
        assert '"reason": "id_token:' in detail and reason in detail, detail
    finally:
        db(app).dispose()


def test_local_passwords_can_be_switched_off(tmp_path, database_url, provider):
    app = make_app(tmp_path, database_url, LOCAL_PASSWORDS=False, **identity_provider.app_settings(provider))
    try:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        assert BUTTON in page and 'name="password"' not in page
        from flask import session
        from flask_wtf.csrf import generate_csrf

        with app.test_request_context():  # no form on the page to take a token from: make one
            token, raw = generate_csrf(), session["csrf_token"]
        with client.session_transaction() as cookie:
            cookie["csrf_token"] = raw
        response = client.post("/login", data={"email": ACCOUNTS["gp"][0], "password": PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 403
        assert "This service does not use passwords" in response.get_data(as_text=True)
        assert client.get("/").status_code == 302
    finally:
        db(app).dispose()


def test_an_unreachable_provider_gets_a_clear_page_not_an_error(tmp_path, database_url):
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = make_app(tmp_path, database_url, **identity_provider.app_settings(dead))
    try:
        response = app.test_client().get("/login/oidc/")
        assert response.status_code == 502
        page = response.get_data(as_text=True)
        assert "The NHS Scotland sign-in service is not answering" in page and "password" in page
        assert '"provider_unreachable"' in refusals(app)[-1][1]
    finally:
        db(app).dispose()
