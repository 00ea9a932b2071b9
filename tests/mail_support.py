"""A real SMTP server for the notification tests (aiosmtpd on a free loopback port), and the task runner."""
from __future__ import annotations

import socket
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import ACCOUNTS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailCatcher:
    """Keeps every message it accepts; refuses the addresses in ``refuse`` with the code given."""

    def __init__(self, port: int | None = None, credentials: tuple[str, str] | None = None):
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}
        options = {}
        if credentials:
            # Plain AUTH without TLS is for this loopback test server only.
            options = {"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": False}
        self.credentials = credentials
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        given = (auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=given == self.credentials, handled=False)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self):
        self._controller.start()

    def stop(self):
        self._controller.stop()

    def to(self, who: str) -> list[EmailMessage]:
        address = ACCOUNTS.get(who, (who,))[0]
        return [m for m in self.messages if address in m["To"]]

    def clear(self):
        self.messages.clear()


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


@pytest.fixture
def smtp_server():
    catcher = MailCatcher()
    catcher.start()
    yield catcher
    catcher.stop()


BASE_URL = "https://pathways.example.scot"


def mail_config(server: MailCatcher) -> dict:
    return {"SMTP_URL": f"smtp://127.0.0.1:{server.port}", "PUBLIC_URL": BASE_URL}


def run_task(app, name: str) -> None:
    """Run one of the plugins' periodic tasks as the worker would: ``run(app)`` in an app context."""
    from pathway_review.jobs import periodic_tasks

    with app.app_context():
        periodic_tasks(app)[name].run(app)


def send(app) -> None:
    run_task(app, "notifications.send")
