"""Journeys in a real browser: Debian's Chromium driven by Playwright, against gunicorn on 127.0.0.1.

The server runs the real app from a fresh instance folder and database, with the consultation clock
frozen. Screenshots go to ``test-artifacts/screenshots`` (override with ``PATHWAY_REVIEW_SCREENSHOTS``).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests import identity_provider
from tests.conftest import ROOT, SAMPLE_PATHWAYS, TODAY, temporary_database
from tests.mail_support import MailCatcher

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = Path(os.environ.get("PATHWAY_REVIEW_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
DEMO_PASSWORD = "pathway-demo-2026"
USERS = {
    "gp": "gp.lothian@example.nhs.scot",
    "gp-fife": "gp.fife@example.nhs.scot",
    "cfsd": "cfsd@example.nhs.scot",
    "board-admin": "admin.lothian@example.nhs.scot",
    "admin": "admin@example.nhs.scot",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium); browser journeys not run")
    folder = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # A real SMTP server in this process: journeys read the mail the worker sends and follow its links.
    mail = MailCatcher()
    mail.start()
    try:
        with temporary_database(folder) as url:
            env = dict(os.environ,
                       PATHWAY_REVIEW_INSTANCE_PATH=str(folder / "instance"),
                       PATHWAY_REVIEW_DATABASE_URL=url,
                       PATHWAY_REVIEW_PATHWAYS_DIR=str(SAMPLE_PATHWAYS),
                       PATHWAY_REVIEW_TODAY=TODAY,
                       PATHWAY_REVIEW_SECRET_KEY="e2e-secret",
                       PATHWAY_REVIEW_LOGIN_RATE_LIMIT="500/300",
                       PATHWAY_REVIEW_SMTP_URL=f"smtp://127.0.0.1:{mail.port}",
                       PATHWAY_REVIEW_PUBLIC_URL=base)
            env.pop("DATABASE_URL", None)
            bin_dir = Path(sys.executable).parent
            cli = [str(bin_dir / "pathway-review")]
            subprocess.run(cli + ["init"], env=env, cwd=ROOT, check=True, capture_output=True)
            subprocess.run(cli + ["demo", "accounts"], env=env, cwd=ROOT, check=True, capture_output=True)
            provider = None
            if identity_provider.missing() is None:
                # NHS Scotland sign-in through a real provider, beside the demo accounts' passwords.
                client = {"client_id": "pathway-review", "client_secret": "e2e-client-secret",
                          "redirect_uris": [f"http://127.0.0.1:{port}/login/oidc/callback"]}
                provider, issuer = identity_provider.start([client])
                env.update(PATHWAY_REVIEW_OIDC_ISSUER=issuer, PATHWAY_REVIEW_OIDC_CLIENT_ID="pathway-review",
                           PATHWAY_REVIEW_OIDC_CLIENT_SECRET="e2e-client-secret",
                           PATHWAY_REVIEW_OIDC_ALLOWED_DOMAINS="nhs.scot")
            log = open(folder / "gunicorn.log", "w")
            proc = subprocess.Popen([str(bin_dir / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                                     "--timeout", "60", "wsgi:app"], env=env, cwd=ROOT, stdout=log,
                                    stderr=subprocess.STDOUT)
            # The worker builds the search index and keeps it up to date, as beside any real server.
            worker_log = open(folder / "worker.log", "w")
            worker = subprocess.Popen(cli + ["worker", "--threads", "2"], env=env, cwd=ROOT, stdout=worker_log,
                                      stderr=subprocess.STDOUT)
            try:
                for _ in range(150):
                    try:
                        urllib.request.urlopen(base + "/login", timeout=1)
                        break
                    except OSError:
                        if proc.poll() is not None:
                            raise RuntimeError((folder / "gunicorn.log").read_text()) from None
                        time.sleep(0.2)
                yield {"url": base, "env": env, "cli": cli, "log": folder / "gunicorn.log",
                       "oidc": identity_provider.missing(), "mail": mail}
            finally:
                proc.terminate()
                worker.terminate()
                proc.wait(timeout=20)
                worker.wait(timeout=20)
                if provider is not None:
                    provider.terminate()
                    provider.wait(timeout=10)
                log.close()
                worker_log.close()
                text = (folder / "gunicorn.log").read_text()
                assert "Traceback" not in text, "the server logged an error:\n" + text[-5000:]
    finally:
        mail.stop()


@pytest.fixture(scope="session")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, server):
    """Pages in fresh browser contexts (separate cookies), e.g. a GP and a CfSD user side by side."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(base_url=server["url"], viewport={"width": width, "height": height},
                                      accept_downloads=True)
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page, who: str):
    page.goto("/login")
    page.get_by_label("Email address").fill(USERS[who])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{who} could not sign in"


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
