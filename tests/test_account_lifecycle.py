"""The account lifecycle: invitations, setting and resetting a password, switching accounts off and on,
roles, and API tokens with their last use."""
from __future__ import annotations

import logging
import re
import time
from datetime import timedelta

from sqlalchemy import select, update

from pathway_review import accounts
from pathway_review.account_pages import STEADY_ANSWER_SECONDS
from pathway_review.models import AccountLink, ApiToken, AuditEvent, User, utcnow
from tests.conftest import ACCOUNTS, PASSWORD, AuthActions, csrf_token

NEW_PASSWORD = "a brand new long passphrase"
LINK = re.compile(r"https?://[^/\s]+(/account/set-password/[\w-]+)")


def db(app):
    return app.extensions["pathway_review.db"]


def person(app, email):
    with db(app).sessions() as session:
        return session.scalar(select(User).where(User.email == email))


def actions(app):
    with db(app).sessions() as session:
        return [(e.action, e.target) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def set_password(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(path, data={"password": password, "confirm": confirm or password,
                                   "csrf_token": csrf_token(client)})


def api_token(app, who="gp"):
    with db(app).transaction() as session:
        return accounts.create_token(session, person_in(session, ACCOUNTS[who][0]), "reports")


def person_in(session, email):
    return session.scalar(select(User).where(User.email == email))


def test_a_board_admin_invites_someone_who_sets_a_password_and_signs_in(app, client, auth):
    auth.login("board-admin")
    response = auth.post("/admin/boards/lothian/users", {"email": "new.admin@lothian.example", "name": "New Admin",
                                                         "role": "board-admin"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "send new.admin@lothian.example this invitation link yourself" in page
    path = LINK.search(page).group(1)
    assert ("user.invited", "new.admin@lothian.example") in actions(app)

    invited = app.test_client()
    form = invited.get(path)
    assert form.status_code == 200 and "Choose a password for new.admin@lothian.example" in form.get_data(as_text=True)
    short = set_password(invited, path, "too short")
    assert short.status_code == 400 and "at least 12 characters" in short.get_data(as_text=True)
    response = set_password(invited, path)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "Your password is set" in invited.get("/login").get_data(as_text=True)
    assert AuthActions(invited).login("new.admin@lothian.example", NEW_PASSWORD).status_code == 302
    assert "Signed in as New Admin, NHS Lothian" in invited.get("/").get_data(as_text=True)

    again = app.test_client().get(path)  # single use
    assert again.status_code == 410 and "This link no longer works" in again.get_data(as_text=True)


def test_the_command_line_prints_an_invitation_that_expires(app, runner):
    result = runner.invoke(args=["users", "invite", "gp.two@lothian.example", "--role", "gp", "--board", "lothian",
                                 "--name", "Dr Two", "--practice", "70013"])
    assert result.exit_code == 0, result.output
    path = LINK.search(result.output).group(1)
    client = app.test_client()
    assert client.get(path).status_code == 200
    with db(app).transaction() as session:
        session.execute(update(AccountLink).values(expires_at=utcnow() - timedelta(minutes=1)))
    response = client.get(path)
    assert response.status_code == 410
    assert "Ask your board admin for a new invitation" in response.get_data(as_text=True)
    again = runner.invoke(args=["users", "invite", ACCOUNTS["gp"][0], "--role", "gp", "--board", "lothian"])
    assert again.exit_code != 0 and "already has a password" in again.output


def test_forgotten_password_answers_alike_and_the_link_resets_it(app, client, auth, caplog):
    def ask(email):
        visitor = app.test_client()
        token = csrf_token(visitor)
        started = time.monotonic()
        page = visitor.post("/account/forgotten-password", data={"email": email, "csrf_token": token})
        # Both answers take at least the steady time, so a stopwatch cannot tell them apart.
        assert time.monotonic() - started >= STEADY_ANSWER_SECONDS
        return page.status_code, re.sub(r'value="[^"]*"', "", page.get_data(as_text=True).replace(email, "EMAIL"))

    signed_in_elsewhere = app.test_client()
    AuthActions(signed_in_elsewhere).login("gp")
    with caplog.at_level(logging.WARNING, logger="pathway_review.account_links"):
        known = ask(ACCOUNTS["gp"][0])
        unknown = ask("nobody@lothian.example")
    assert known == unknown and known[0] == 200
    assert "If EMAIL is the address of an account here" in known[1]
    links = [LINK.search(r.getMessage()).group(1) for r in caplog.records if "reset link" in r.getMessage()]
    assert len(links) == 1 and ACCOUNTS["gp"][0] in caplog.text and "nobody@" not in caplog.text

    assert set_password(client, links[0]).status_code == 303
    assert auth.login("gp", PASSWORD).status_code == 401
    assert auth.login("gp", NEW_PASSWORD).status_code == 302
    assert signed_in_elsewhere.get("/").status_code == 302  # a reset ends every other session


def test_switching_an_account_off_ends_sessions_and_tokens_at_once(app, client, auth):
    gp_browser = app.test_client()
    AuthActions(gp_browser).login("gp")
    token = api_token(app)
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/pathways", headers=bearer).status_code == 200
    gp_id = person(app, ACCOUNTS["gp"][0]).id

    auth.login("board-admin")
    page = client.get(f"/admin/users/{gp_id}").get_data(as_text=True)
    assert "Switch account off" in page and "reports" in page
    response = auth.post(f"/admin/users/{gp_id}/status", {"action": "deactivate"}, follow_redirects=True)
    assert "signed out everywhere" in response.get_data(as_text=True)
    assert gp_browser.get("/").headers["Location"].startswith("/login")
    assert app.test_client().get("/api/v1/pathways", headers=bearer).status_code == 401
    assert AuthActions(app.test_client()).login("gp").status_code == 401

    auth.post(f"/admin/users/{gp_id}/status", {"action": "reactivate"})
    assert AuthActions(app.test_client()).login("gp").status_code == 302
    assert app.test_client().get("/api/v1/pathways", headers=bearer).status_code == 401  # tokens stay revoked
    assert [a for a in actions(app) if a[0].startswith("user.")] == [
        ("user.deactivated", ACCOUNTS["gp"][0]), ("user.reactivated", ACCOUNTS["gp"][0])]


def test_the_command_line_switches_accounts_off_and_on(app, runner):
    assert runner.invoke(args=["users", "deactivate", ACCOUNTS["cfsd"][0]]).exit_code == 0
    assert AuthActions(app.test_client()).login("cfsd").status_code == 401
    assert runner.invoke(args=["users", "reactivate", ACCOUNTS["cfsd"][0]]).exit_code == 0
    assert AuthActions(app.test_client()).login("cfsd").status_code == 302


def test_a_board_admin_manages_only_their_own_boards_people(app, client, auth):
    fife_gp = person(app, ACCOUNTS["gp-fife"][0]).id
    auth.login("board-admin")
    assert client.get(f"/admin/users/{fife_gp}").status_code == 404
    assert auth.post(f"/admin/users/{fife_gp}/status", {"action": "deactivate"}).status_code == 404
    assert person(app, ACCOUNTS["gp-fife"][0]).active
    assert ("permission.denied", f"/admin/users/{fife_gp}") in actions(app)


def test_roles_are_granted_by_admins_and_audited(app, client, auth, runner):
    gp_id = person(app, ACCOUNTS["gp"][0]).id
    auth.login("board-admin")
    auth.post(f"/admin/users/{gp_id}/role", {"role": "board-admin"})
    assert person(app, ACCOUNTS["gp"][0]).role == "board-admin"
    refused = auth.post(f"/admin/users/{gp_id}/role", {"role": "admin"}, follow_redirects=True)
    assert "Choose GP or board admin." in refused.get_data(as_text=True)
    assert person(app, ACCOUNTS["gp"][0]).role == "board-admin"
    result = runner.invoke(args=["users", "role", ACCOUNTS["gp-fife"][0], "cfsd"])
    assert result.exit_code == 0, result.output
    fife = person(app, ACCOUNTS["gp-fife"][0])
    assert (fife.role, fife.board_id) == ("cfsd", None)
    assert [a for a in actions(app) if a[0] == "role.granted"] == [
        ("role.granted", ACCOUNTS["gp"][0]), ("role.granted", ACCOUNTS["gp-fife"][0])]


def test_token_last_use_is_written_at_most_once_a_minute_and_shown_to_the_owner(app, client, auth):
    token = api_token(app)
    bearer = {"Authorization": f"Bearer {token}"}
    auth.login("gp")
    assert "Never used" in client.get("/account/").get_data(as_text=True)
    app.test_client().get("/api/v1/pathways", headers=bearer)
    with db(app).sessions() as session:
        first = session.scalar(select(ApiToken.last_used_at))
    assert first is not None
    app.test_client().get("/api/v1/pathways", headers=bearer)
    with db(app).sessions() as session:
        assert session.scalar(select(ApiToken.last_used_at)) == first  # within the minute: no write
    with db(app).transaction() as session:
        session.execute(update(ApiToken).values(last_used_at=utcnow() - timedelta(minutes=5)))
    app.test_client().get("/api/v1/pathways", headers=bearer)
    with db(app).sessions() as session:
        assert utcnow() - accounts.as_utc(session.scalar(select(ApiToken.last_used_at))) < timedelta(minutes=1)
    page = client.get("/account/").get_data(as_text=True)
    assert "API tokens" in page and "reports" in page and "Never used" not in page

    token_id = person_tokens(app)[0]
    response = auth.post(f"/account/tokens/{token_id}/revoke", follow_redirects=True)
    assert "no longer works" in response.get_data(as_text=True)
    assert app.test_client().get("/api/v1/pathways", headers=bearer).status_code == 401


def person_tokens(app):
    with db(app).sessions() as session:
        return list(session.scalars(select(ApiToken.id)))


def test_tokens_list_and_revoke_on_the_command_line(app, runner):
    token = api_token(app)
    app.test_client().get("/api/v1/pathways", headers={"Authorization": f"Bearer {token}"})
    listing = runner.invoke(args=["tokens", "list"])
    assert listing.exit_code == 0
    assert ACCOUNTS["gp"][0] in listing.output and "reports" in listing.output and "active" in listing.output
    assert "last used never" not in listing.output
    token_id = listing.output.split()[0]
    assert runner.invoke(args=["tokens", "revoke", token_id]).exit_code == 0
    assert "revoked" in runner.invoke(args=["tokens", "list", "--user", ACCOUNTS["gp"][0]]).output
    assert app.test_client().get("/api/v1/pathways", headers={"Authorization": f"Bearer {token}"}).status_code == 401
