"""Configuration: defaults, then the instance folder, then ``PATHWAY_REVIEW_*`` environment variables."""
from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

ENV_PREFIX = "PATHWAY_REVIEW_"

DEFAULTS = {
    "SECRET_KEY": None,  # generated into the instance folder on first start
    "PATHWAYS_DIR": None,  # defaults to ./pathways beside wsgi.py
    "DATABASE_URL": None,  # defaults to SQLite in the instance folder
    "PRODUCTION": False,
    # Sessions: server-side records so sign-out really ends them.
    "SESSION_IDLE_TIMEOUT": 30 * 60,
    "SESSION_ABSOLUTE_TIMEOUT": 12 * 60 * 60,
    "SESSION_COOKIE_NAME": "pathway_review_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # forced on in production
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    # The server-side record enforces idle and absolute timeouts; re-sending the cookie on every
    # response would only cost time.
    "SESSION_REFRESH_EACH_REQUEST": False,
    "WTF_CSRF_TIME_LIMIT": None,  # the session's own timeouts bound the token's life
    "LOGIN_RATE_LIMIT": "10/300",  # attempts / seconds, per account and per address
    "EXPORT_RATE_LIMIT": "30/600",  # exports / seconds, per person
    "FEEDBACK_RATE_LIMIT": "120/600",  # new feedback records / seconds, per person
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "LIBRARY_CHECK_INTERVAL": 2.0,
    "PLUGINS": [],  # extra plugin modules or dotted paths (tests, local development)
    "LOAD_ENTRY_POINTS": True,
    "TODAY": None,  # ISO date that freezes the consultation clock (tests, demos)
    # E-mail, sent only by the job-queue worker. No SMTP_URL: mails wait in the outbox, nothing is lost.
    # smtp://user:pass@host:port; STARTTLS with ?starttls=true or smtp+starttls://; smtps:// for TLS from the start.
    "SMTP_URL": None,
    "MAIL_FROM": "Pathway Review <no-reply@pathway-review.invalid>",
    # Where the site is reached from outside: links in mails are built on it (there is no request to ask).
    "BASE_URL": "http://127.0.0.1:5000",
}

# Environment values are strings; these keys are parsed as JSON so numbers and booleans survive.
_JSON_KEYS = {"PRODUCTION", "SESSION_IDLE_TIMEOUT", "SESSION_ABSOLUTE_TIMEOUT", "MAX_CONTENT_LENGTH",
              "LIBRARY_CHECK_INTERVAL", "LOAD_ENTRY_POINTS", "SESSION_COOKIE_SECURE"}


def load_config(app, test_config: dict | None) -> None:
    app.config.from_mapping({k: v for k, v in DEFAULTS.items() if k not in app.config or v is not None})
    app.config.from_pyfile("config.py", silent=True)
    _load_environment(app.config)
    if test_config:
        app.config.from_mapping(test_config)
    _fill_derived(app)


def _load_environment(config) -> None:
    # DATABASE_URL without prefix is the convention of every PaaS and of CI.
    if os.environ.get("DATABASE_URL"):
        config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    for key, value in os.environ.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX):]
        if name in _JSON_KEYS:
            try:
                value = json.loads(value)
            except ValueError:
                raise RuntimeError(f"{key} must be a JSON value (a number, true or false), not {value!r}")
        config[name] = value


def _fill_derived(app) -> None:
    config = app.config
    instance = Path(app.instance_path)
    if not config.get("PATHWAYS_DIR"):
        config["PATHWAYS_DIR"] = str(Path(app.root_path).parent / "pathways")
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance / 'pathway_review.sqlite3'}"
    if config["DATABASE_URL"].startswith("postgres://"):
        config["DATABASE_URL"] = "postgresql+psycopg://" + config["DATABASE_URL"][len("postgres://"):]
    elif config["DATABASE_URL"].startswith("postgresql://"):
        config["DATABASE_URL"] = "postgresql+psycopg://" + config["DATABASE_URL"][len("postgresql://"):]
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(instance)
    if config.get("PRODUCTION"):
        config["SESSION_COOKIE_SECURE"] = True


def _instance_secret(instance: Path) -> str:
    # A key generated once per instance keeps sessions valid across restarts and workers
    # without anyone having to invent one for a local run.
    import secrets

    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker won the race
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(key)
        return key
