"""Configuration: declared settings, then ``instance/config.py``, then ``PATHWAY_REVIEW_*`` variables.

Every setting the core reads is declared in :data:`CORE_SETTINGS`; plugins declare theirs through the
``config_settings`` hook. Each value is checked against its declared type once, at start-up, so a
typo in a deployment stops the app with a message naming it instead of misbehaving later
(``PRODUCTION=false`` read as the text "false", which is true).
"""
from __future__ import annotations

import json
import os
import re
import secrets
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

from flask import Config

from .contracts import Setting

ENV_PREFIX = "PATHWAY_REVIEW_"
MASK = "********"

CORE_SETTINGS = [
    Setting("SECRET_KEY", "str", None, "signs session cookies; without it, the key `init` writes to "
            "`instance/secret_key` (required when PRODUCTION is on)", secret=True),
    Setting("DATABASE_URL", "str", None, "the database, e.g. `postgresql://user@host/db` (also read from "
            "`DATABASE_URL`); default SQLite in the instance folder"),
    Setting("PATHWAYS_DIR", "path", None, "the pathway library; default `pathways/` beside `wsgi.py`"),
    Setting("INSTANCE_PATH", "path", None, "the instance folder (database, secret key, search index); "
            "default `instance/`; environment only"),
    # A key of its own so that rotating SECRET_KEY (which signs everyone out) keeps pseudonyms comparable.
    Setting("PSEUDONYM_KEY", "str", None, "keys the pseudonyms in exports, the same for a person in every export "
            "from the installation; without it, SECRET_KEY (required when PRODUCTION is on)", secret=True),
    Setting("PRODUCTION", "bool", False, "Secure cookies and HSTS; refuses to start without SECRET_KEY and "
            "PSEUDONYM_KEY"),
    Setting("SESSION_IDLE_TIMEOUT", "int", 30 * 60, "seconds without a request before a sign-in ends"),
    Setting("SESSION_ABSOLUTE_TIMEOUT", "int", 12 * 60 * 60, "seconds after which any sign-in ends"),
    # Sign-in: failures allowed per address, account and pair before waits begin / seconds after a key's last
    # failure that it is forgotten. Successful sign-ins are never counted (see signin_limits).
    Setting("LOGIN_RATE_LIMIT", "rate", "10/900", "failed sign-ins free per address, per account and per address "
            "and account / seconds after the last failure that they are forgotten"),
    Setting("RESET_RATE_LIMIT", "rate", "10/600", "forgotten-password requests per seconds, per address"),
    Setting("TRUSTED_PROXIES", "int", 0, "reverse-proxy hops in front of the app whose `X-Forwarded-For`/`-Proto` "
            "are believed"),
    # NHS Scotland single sign-on through OpenID Connect; without an issuer only local passwords work.
    Setting("OIDC_ISSUER", "str", None, "NHS Scotland sign-in, e.g. "
            "`https://login.microsoftonline.com/<tenant id>/v2.0`"),
    Setting("OIDC_CLIENT_ID", "str", None, "the app registration's id; redirect URI `<site>/login/oidc/callback`"),
    Setting("OIDC_CLIENT_SECRET", "str", None, "the app registration's secret", secret=True),
    Setting("OIDC_ALLOWED_DOMAINS", "list", ["nhs.scot"], "e-mail domains whose people may register as GPs"),
    Setting("LOCAL_PASSWORDS", "bool", True, "`false`: the provider is the only way in (no password, invitation or "
            "reset forms)"),
    # E-mail, sent only by the job-queue worker. No SMTP_URL: mails wait in the outbox, nothing is lost.
    Setting("SMTP_URL", "str", None, "the mail server: `smtp://user:pass@host:port`; STARTTLS with `?starttls=true` "
            "or `smtp+starttls://`; `smtps://` for TLS from the start", secret=True),
    Setting("MAIL_FROM", "str", "Pathway Review <no-reply@pathway-review.invalid>", "the sender of every mail"),
    Setting("PUBLIC_URL", "str", None, "the site's address, for links made outside a request (invitations printed "
            "by the command line, links in e-mail)"),
    Setting("MAX_CONTENT_LENGTH", "int", 2 * 1024 * 1024, "the largest request body accepted, in bytes"),
    Setting("LIBRARY_CHECK_INTERVAL", "float", 2.0, "seconds between checks for changed pathway files"),
    Setting("PLUGINS", "list", [], "extra plugin modules to load, beside the installed ones"),
    Setting("LOAD_ENTRY_POINTS", "bool", True, "load installed plugins (the `pathway_review` entry points)"),
    Setting("TODAY", "date", None, "freezes the consultation clock at this date (demos)"),
    Setting("CONTACT_EMAIL", "str", None, "the mailbox the contact page and the accessibility statement give "
            "for questions about this service"),
    # Background work: the job queue, the outbox it delivers, and `pathway-review worker`.
    Setting("QUEUE_URL", "str", None, "the job queue: `redis://host:6379/0` for several hosts; default SQLite in "
            "the instance folder", secret=True),
    Setting("QUEUE_NAME", "str", "pathway-review", "the queue's name (and Redis key prefix); one per installation"),
    Setting("QUEUE_IMMEDIATE", "bool", False, "run each job as it is queued, in the process that queues it (tests "
            "and one-off scripts; no worker)"),
    Setting("QUEUE_SWEEP_INTERVAL", "int", 10, "seconds between sweeps for events the queue never received"),
    Setting("QUEUE_SWEEP_AFTER", "int", 30, "seconds an event may wait for the queue before the sweep delivers it"),
    Setting("QUEUE_CLAIM_SECONDS", "int", 120, "a worker's hold on the events it delivers; a killed worker's "
            "hold lapses after this"),
    Setting("QUEUE_BATCH_WAIT", "float", 0.1, "seconds a delivery waits for more events, so a burst goes as one "
            "batch"),
    Setting("OUTBOX_KEEP_DAYS", "int", 7, "days delivered events are kept before they are forgotten"),
]

# Read by the test suite from the same prefix; they configure the tests, not the app.
NOT_SETTINGS = {"TEST_DATABASE_URL", "SCREENSHOTS"}

# Flask's own settings, fixed by the core rather than offered for configuration.
FLASK_DEFAULTS = {
    "SESSION_COOKIE_NAME": "pathway_review_session",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # forced on in production
    # The server-side record enforces idle and absolute timeouts; re-sending the cookie on every
    # response would only cost time.
    "SESSION_REFRESH_EACH_REQUEST": False,
    "WTF_CSRF_TIME_LIMIT": None,  # the session's own timeouts bound the token's life
}


class ConfigError(RuntimeError):
    """A setting that cannot be used; the message names it and says what is expected."""


def load_config(app, test_config: dict | None) -> None:
    """Core settings: defaults, instance file, environment, then the tests' own values (checked too)."""
    config = app.config
    config.from_mapping(FLASK_DEFAULTS)
    sources = app.extensions["pathway_review.config_sources"] = {}
    _apply_defaults(config, CORE_SETTINGS, sources)
    from_file = Config(app.instance_path)
    from_file.from_pyfile("config.py", silent=True)
    config.update(from_file)
    sources.update(dict.fromkeys(from_file, "instance/config.py"))
    # DATABASE_URL without prefix is the convention of every PaaS and of CI; the prefixed one wins.
    if os.environ.get("DATABASE_URL"):
        config["DATABASE_URL"] = os.environ["DATABASE_URL"]
        sources["DATABASE_URL"] = "environment"
    config.from_prefixed_env(ENV_PREFIX.rstrip("_"))
    for name in environment_names():
        sources[name] = "environment"
        if name in NOT_SETTINGS:
            config.pop(name, None)
    if test_config:
        config.from_mapping(test_config)
        for name in test_config:
            sources[name] = "test"
    check(config, CORE_SETTINGS, sources)
    _fill_derived(app)


def apply_plugin_settings(app, declared: Iterable[Setting], failed_plugins: bool) -> None:
    """Plugins' settings: their defaults, then the same checks; finally refuse unknown variables."""
    declared = list(declared)
    names = {s.name for s in CORE_SETTINGS}
    for setting in declared:
        if setting.name in names:
            raise ConfigError(f"the setting {setting.name} is declared twice (by the core or another plugin)")
        names.add(setting.name)
    sources = app.extensions["pathway_review.config_sources"]
    _apply_defaults(app.config, declared, sources)
    check(app.config, declared, sources)
    unknown = sorted(set(environment_names()) - names - NOT_SETTINGS)
    if unknown and not failed_plugins:
        # A plugin that failed to load may be the one that declares it; then the app still starts.
        raise ConfigError(f"{ENV_PREFIX}{unknown[0]} is not a setting of Pathway Review or of any installed "
                          "plugin; see `pathway-review config` for the settings there are")
    app.extensions["pathway_review.settings"] = [*CORE_SETTINGS, *declared]


def environment_names() -> list[str]:
    return sorted(key[len(ENV_PREFIX):] for key in os.environ if key.startswith(ENV_PREFIX))


def _apply_defaults(config, settings: Iterable[Setting], sources: dict) -> None:
    for setting in settings:
        if setting.name not in config:
            default = setting.default
            config[setting.name] = list(default) if isinstance(default, list) else default
            sources.setdefault(setting.name, "default")


# ---- types -------------------------------------------------------------------------------------------

def check(config, settings: Iterable[Setting], sources: dict) -> None:
    for setting in settings:
        value = config.get(setting.name)
        source = sources.get(setting.name, "default")
        if source == "environment" and setting.type in ("str", "path", "rate", "date"):
            # JSON would turn a key like "1234" into a number, or "1e5" into 100000.0.
            value = os.environ.get(ENV_PREFIX + setting.name, value)
        config[setting.name] = coerce(setting, value, source)


def coerce(setting: Setting, value: Any, source: str = "default") -> Any:
    if value is None:
        return None
    kind, name = setting.type, setting.name
    try:
        converter = _CONVERTERS[kind]
    except KeyError:
        raise ConfigError(f"the setting {name} has an unknown type {kind!r}") from None
    try:
        return converter(value)
    except (TypeError, ValueError) as exc:
        where = {"environment": f"environment variable {ENV_PREFIX}{name}"}.get(source, source)
        raise ConfigError(f"{name} ({where}) must be {exc}, not {value!r}") from None


def _bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError("true or false")


def _int(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("a whole number")


def _float(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise ValueError("a number")


def _str(value):
    if isinstance(value, str):
        return value
    raise ValueError("text")


def _path(value):
    if isinstance(value, (str, os.PathLike)) and str(value):
        return str(value)
    raise ValueError("a folder path")


def _list(value):
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    # Names, or (from Python: instance/config.py, tests) the objects they name, such as plugin modules.
    if isinstance(value, (list, tuple)) and not any(isinstance(item, (int, float, dict, list, type(None)))
                                                    for item in value):
        return list(value)
    raise ValueError('a list of names (a JSON list such as ["a", "b"], or "a,b")')


def _rate(value):
    if isinstance(value, str) and re.fullmatch(r"\d+/\d+", value.strip()) and not value.strip().endswith("/0"):
        return value.strip()
    raise ValueError('a rate "COUNT/SECONDS" such as "10/300"')


def _date(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise ValueError("a date YYYY-MM-DD")


_CONVERTERS = {"bool": _bool, "int": _int, "float": _float, "str": _str, "path": _path, "list": _list,
               "rate": _rate, "date": _date}


# ---- derived values ------------------------------------------------------------------------------------

def _fill_derived(app) -> None:
    config = app.config
    instance = Path(app.instance_path)
    config["INSTANCE_PATH"] = str(instance)
    if not config.get("PATHWAYS_DIR"):
        config["PATHWAYS_DIR"] = str(Path(app.root_path).parent / "pathways")
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance / 'pathway_review.sqlite3'}"
    url = config["DATABASE_URL"]
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            config["DATABASE_URL"] = "postgresql+psycopg://" + url[len(scheme):]
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=config["SESSION_ABSOLUTE_TIMEOUT"])
    sources = app.extensions["pathway_review.config_sources"]
    if config["PRODUCTION"]:
        _refuse_keys_per_host(config)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"], sources["SECRET_KEY"] = _instance_secret(instance)
    if not config.get("PSEUDONYM_KEY"):
        # Exports were always keyed with the secret key; without PRODUCTION they still are.
        config["PSEUDONYM_KEY"] = config["SECRET_KEY"]
        sources["PSEUDONYM_KEY"] = f"SECRET_KEY, from {sources['SECRET_KEY']}"
    if config["PRODUCTION"]:
        config["SESSION_COOKIE_SECURE"] = True


SECRET_FILE = "secret_key"


# Keys every host of an installation must share: one kept per instance folder differs from host to host.
SHARED_KEYS = ("SECRET_KEY", "PSEUDONYM_KEY")


def _refuse_keys_per_host(config) -> None:
    missing = [name for name in SHARED_KEYS if not config.get(name)]
    if missing:
        names = " and no ".join(missing)
        variables = " and ".join(ENV_PREFIX + name for name in missing)
        values = "a long random value" if len(missing) == 1 else "long random values, one for each,"
        raise ConfigError(f"PRODUCTION is on but no {names} is set: set {variables} (or "
                          f"{' and '.join(missing)} in instance/config.py) to {values} shared by every host")


def _instance_secret(instance: Path) -> tuple[str, str]:
    try:
        key = (instance / SECRET_FILE).read_text().strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key, f"instance/{SECRET_FILE}"
    # Before `init` writes one, a key for this process only: nothing is written by merely starting.
    return secrets.token_hex(32), "this process only (run init)"


def keys_per_instance(app) -> list[tuple[str, str]]:
    """The shared keys whose value is this instance's own (a file in its folder, or this process's), with where
    it came from: fine on one machine, but each further host would sign cookies and pseudonymise differently."""
    sources = app.extensions.get("pathway_review.config_sources", {})
    found = []
    for name in SHARED_KEYS:
        source = sources.get(name, "default")
        origin = sources.get("SECRET_KEY", "default") if source.startswith("SECRET_KEY") else source
        if origin not in ("environment", "instance/config.py", "test"):
            found.append((name, source))
    return found


def create_instance_secret(instance: Path) -> bool:
    """Write the instance's secret key if there is none (``init``); True if written now.

    A key kept in the instance folder keeps sessions valid across restarts and workers without
    anyone having to invent one for a local run.
    """
    instance.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(instance / SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    return True


# ---- showing it ----------------------------------------------------------------------------------------

def effective(app) -> list[dict]:
    """Every declared setting with its value (secrets masked), its type and where the value came from."""
    sources = app.extensions.get("pathway_review.config_sources", {})
    owners = app.extensions.get("pathway_review.setting_owners", {})
    rows = []
    for setting in app.extensions.get("pathway_review.settings", CORE_SETTINGS):
        value = app.config.get(setting.name)
        if setting.secret and value:
            value = MASK
        elif isinstance(value, str):
            value = _hide_password(value)
        rows.append({"name": setting.name, "value": value, "type": setting.type,
                     "source": sources.get(setting.name, "default"), "owner": owners.get(setting.name, "core"),
                     "secret": setting.secret, "help": setting.help})
    return rows


def _hide_password(value: str) -> str:
    # Any URL setting (database, queue, mail) may carry a password.
    return re.sub(r"^([a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", rf"\1{MASK}@", value, flags=re.I)


def markdown_table(app) -> str:
    """The settings reference in README.md: every declared setting with its type and default."""
    owners = app.extensions.get("pathway_review.setting_owners", {})
    lines = ["| setting | type | default | meaning |", "| --- | --- | --- | --- |"]
    settings = app.extensions.get("pathway_review.settings", CORE_SETTINGS)
    # The core's first, then each plugin's in the order it declares them, whatever order plugins load in.
    for setting in sorted(settings, key=lambda s: owners.get(s.name) or ""):
        owner = owners.get(setting.name)
        default = "" if setting.default is None else f"`{show(setting.default)}`"
        meaning = setting.help + (f" ({owner} plugin)" if owner else "")
        lines.append(f"| `{ENV_PREFIX}{setting.name}` | {setting.type} | {default} | {meaning} |")
    return "\n".join(lines) + "\n"


def show(value: Any) -> str:
    return "(not set)" if value is None else json.dumps(value) if not isinstance(value, str) else value


def public_url() -> str:
    """The site's address as people reach it, for links made outside a request (mail, the command line)."""
    from flask import current_app

    return (current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/")
