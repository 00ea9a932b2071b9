"""Invitation and password-reset links by mail, through the notifications outbox and a real SMTP server."""
from __future__ import annotations

import re

import pytest

from tests.conftest import ACCOUNTS, PASSWORD, csrf_token
from tests.mail_support import mail_config, send, text_of
from tests.test_account_lifecycle import NEW_PASSWORD, set_password

LINK = re.compile(r"^https?://[^/\s]+(/account/set-password/[\w-]+)\r?$", flags=re.M)


@pytest.fixture
def app_config(smtp_server):
    return mail_config(smtp_server)


def link_in(message) -> str:
    found = LINK.search(text_of(message))
    assert found, text_of(message)
    return found.group(1)


def ask_for_reset(app, email: str):
    visitor = app.test_client()
    page = visitor.post("/account/forgotten-password", data={"email": email, "csrf_token": csrf_token(visitor)})
    return page.status_code, re.sub(r'value="[^"]*"', "", page.get_data(as_text=True).replace(email, "EMAIL"))


def test_an_invitation_is_mailed_and_its_link_sets_the_password(app, client, auth, smtp_server):
    auth.login("board-admin")
    page = auth.post("/admin/boards/lothian/users", {"email": "new.gp@lothian.example", "name": "Dr New",
                                                     "role": "gp"}, follow_redirects=True).get_data(as_text=True)
    assert "Invitation sent to new.gp@lothian.example" in page
    assert "/account/set-password/" not in page, "a mailed invitation is not shown to the admin"

    send(app)
    [invitation] = smtp_server.to("new.gp@lothian.example")
    assert invitation["Subject"] == "Your invitation to Pathway Review"
    assert "List-Unsubscribe" not in invitation, "an account's own link cannot be unsubscribed from"
    path = link_in(invitation)
    invited = app.test_client()
    assert "Choose a password for new.gp@lothian.example" in invited.get(path).get_data(as_text=True)
    assert set_password(invited, path).status_code == 303
    assert auth.login("new.gp@lothian.example", NEW_PASSWORD).status_code == 302


def test_the_command_line_mails_the_invitation_instead_of_printing_it(app, runner, smtp_server):
    result = runner.invoke(args=["users", "invite", "gp.two@lothian.example", "--role", "gp", "--board", "lothian",
                                 "--name", "Dr Two", "--practice", "70013"])
    assert result.exit_code == 0, result.output
    assert "Invitation mailed to gp.two@lothian.example" in result.output and "set-password" not in result.output
    send(app)
    [invitation] = smtp_server.to("gp.two@lothian.example")
    assert app.test_client().get(link_in(invitation)).status_code == 200


def test_a_reset_is_mailed_for_an_account_and_nothing_for_an_unknown_address(app, auth, smtp_server):
    known = ask_for_reset(app, ACCOUNTS["gp"][0])
    unknown = ask_for_reset(app, "nobody@lothian.example")
    assert known == unknown and known[0] == 200, "the page must not tell whether the address has an account"

    send(app)
    assert len(smtp_server.messages) == 1, [m["To"] for m in smtp_server.messages]
    [reset] = smtp_server.to("gp")
    assert reset["Subject"] == "Reset your Pathway Review password"
    assert "If it was not you, ignore this mail" in text_of(reset)

    visitor = app.test_client()
    assert set_password(visitor, link_in(reset)).status_code == 303
    assert auth.login("gp", PASSWORD).status_code == 401
    assert auth.login("gp", NEW_PASSWORD).status_code == 302


def test_a_reset_mail_ignores_the_choice_to_get_no_other_mail(app, client, auth, smtp_server):
    auth.login("gp")
    never = {f"delivery-{kind}": "never" for kind in ("feedback_receipt", "feedback_answered",
                                                      "consultation_closing", "consultation_opened")}
    assert auth.post("/notifications/preferences", never).status_code == 303
    ask_for_reset(app, ACCOUNTS["gp"][0])
    send(app)
    assert len(smtp_server.to("gp")) == 1
    page = client.get("/notifications/").get_data(as_text=True)
    assert "set-password" not in page, "a live reset link is not listed on the notifications page"
