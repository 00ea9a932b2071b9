"""A real OpenID Connect provider for tests: panva's oidc-provider under Node.js, on a free loopback port.

Install it with ``make tests/oidc_provider/node_modules`` (``npm ci``); without Node.js or the package the
tests that need it are skipped and say why.
"""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest

HERE = Path(__file__).parent / "oidc_provider"
APP_CALLBACK = "http://localhost/login/oidc/callback"
CLIENTS = [
    {"client_id": "pathway-review", "client_secret": "test-client-secret", "redirect_uris": [APP_CALLBACK]},
    # Its ID tokens come back signed by the provider but meant for another service, or long expired.
    {"client_id": "tampered-audience", "client_secret": "test-client-secret", "redirect_uris": [APP_CALLBACK],
     "tamper": "audience"},
    {"client_id": "tampered-expiry", "client_secret": "test-client-secret", "redirect_uris": [APP_CALLBACK],
     "tamper": "expired"},
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def missing() -> str | None:
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "Node.js is not installed (apt-get install nodejs npm); OpenID Connect tests not run"
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        return "the oidc-provider npm package is not installed (make oidc-provider, or npm ci in tests/oidc_provider)"
    return None


def start(clients: list[dict] | None = None) -> tuple[subprocess.Popen, str]:
    reason = missing()
    if reason:
        pytest.skip(reason)
    port = _free_port()
    settings = {"port": port, "clients": clients or CLIENTS}
    proc = subprocess.Popen([shutil.which("node"), str(HERE / "server.mjs"), json.dumps(settings)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, issuer
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the OpenID Connect provider did not start:\n" + proc.stdout.read()) from None
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the OpenID Connect provider did not start within 30 seconds")


def app_settings(issuer: str, client_id: str = "pathway-review") -> dict:
    return {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": client_id, "OIDC_CLIENT_SECRET": "test-client-secret",
            "OIDC_ALLOWED_DOMAINS": ["nhs.scot"]}


def sign_in_at_provider(authorize_url: str, account: str) -> str:
    """Sign in at the provider's login form as ``account`` and consent; the URL it sends the browser back to."""
    import requests

    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False)
    for _ in range(12):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(APP_CALLBACK):
                return location
            response = browser.get(location, allow_redirects=False)
            continue
        action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        prompt = re.search(r'name="prompt" value="(\w+)"', response.text)
        if not action or not prompt:
            raise AssertionError(f"unexpected provider page {response.status_code}: {response.text[:500]}")
        data = {"prompt": prompt.group(1)}
        if data["prompt"] == "login":
            data.update(login=account, password="any password")
        response = browser.post(urljoin(response.url, action.group(1)), data=data, allow_redirects=False)
    raise AssertionError("the provider never sent the browser back")


def callback_path(url: str) -> str:
    return url[len("http://localhost"):]
