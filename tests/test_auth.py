"""Signing in and out, sessions, CSRF, rate limits, security headers and the account commands."""
import gc
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from pathway_review import accounts, create_app
from pathway_review.auth import GENERIC_FAILURE
from pathway_review.models import AuditEvent, LoginSession, User, utcnow
from tests.conftest import ACCOUNTS, PASSWORD, AuthActions, csrf_token, make_app

COOKIE = "pathway_review_session"
# A window far longer than any test run, so no test straddles two windows.
LIMIT = "3/100000000"


def db(app):
    return app.extensions["pathway_review.db"]


def user_row(app, email):
    with db(app).sessions() as session:
        return session.scalar(select(User).where(User.email == email))


def failure_message(response):
    return GENERIC_FAILURE.replace("'", "&#39;") in response.get_data(as_text=True)


# ---- signing in and out ---------------------------------------------------------------------------

def test_sign_in_then_out(client, auth):
    assert client.get("/").status_code == 302
    response = auth.login("gp")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as Dr Lothian GP, NHS Lothian" in page
    response = auth.logout()
    assert response.headers["Location"] == "/login"
    assert "You have signed out." in client.get("/login").get_data(as_text=True)
    assert client.get("/").headers["Location"].startswith("/login")


def test_signed_out_visitor_is_sent_to_sign_in_and_back(client, auth):
    response = client.get("/pathways/visible-haematuria/history/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/pathways/visible-haematuria/history/"
    token = csrf_token(client)
    response = client.post("/login", data={"email": ACCOUNTS["gp"][0], "password": PASSWORD, "csrf_token": token,
                                           "next": "/pathways/visible-haematuria/history/"})
    assert response.headers["Location"] == "/pathways/visible-haematuria/history/"


@pytest.mark.parametrize("email,password", [
    ("gp@lothian.example", "wrong password entirely"),
    ("nobody@lothian.example", PASSWORD),
    ("gp@fife.example", PASSWORD),  # deactivated below
])
def test_same_message_for_wrong_password_unknown_user_and_disabled_account(app, client, auth, email, password):
    with db(app).transaction() as session:
        session.execute(update(User).where(User.email == "gp@fife.example").values(active=False))
    response = auth.login(email, password)
    assert response.status_code == 401
    assert failure_message(response)
    page = response.get_data(as_text=True)
    assert f'value="{email}"' in page  # what they typed is kept
    assert client.get("/").status_code == 302


def test_failed_and_successful_sign_ins_are_audited(app, auth):
    auth.login("gp", "not the password at all")
    auth.login("gp")
    with db(app).sessions() as session:
        events = [(e.action, e.target) for e in session.scalars(select(AuditEvent))]
    assert ("signin.failed", "gp@lothian.example") in events
    assert ("signin", "gp@lothian.example") in events


def test_passwords_are_stored_as_argon2id(app):
    stored = user_row(app, "gp@lothian.example").password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)"])
def test_next_never_leaves_the_site(client, target):
    token = csrf_token(client)
    response = client.post("/login", data={"email": ACCOUNTS["gp"][0], "password": PASSWORD, "csrf_token": token,
                                           "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/login?next=" + target).headers["Location"] == "/"


# ---- rate limits ----------------------------------------------------------------------------------

@pytest.fixture
def app_config():
    return {"LOGIN_RATE_LIMIT": LIMIT}


def test_sign_in_is_rate_limited(client, auth):
    for _ in range(3):
        assert auth.login("gp", "wrong password entirely").status_code == 401
    response = auth.login("gp")  # even the right password, once past the limit
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_rate_limit_is_shared_by_every_worker(app, tmp_path):
    # A second app on the same database stands for a second worker process.
    second = create_app({"TESTING": True, "INSTANCE_PATH": tmp_path / "second", "SECRET_KEY": "test-secret",
                         "DATABASE_URL": app.config["DATABASE_URL"], "PATHWAYS_DIR": app.config["PATHWAYS_DIR"],
                         "LOGIN_RATE_LIMIT": LIMIT})
    try:
        first_auth, second_auth = AuthActions(app.test_client()), AuthActions(second.test_client())
        assert first_auth.login("gp", "wrong password entirely").status_code == 401
        assert second_auth.login("gp", "wrong password entirely").status_code == 401
        assert first_auth.login("gp", "wrong password entirely").status_code == 401
        assert second_auth.login("gp").status_code == 429
    finally:
        db(second).engine.dispose()


# ---- sessions -------------------------------------------------------------------------------------

def test_signed_out_session_cannot_be_replayed(client, auth):
    auth.login("gp")
    stolen = client.get_cookie(COOKIE).value
    auth.logout()
    client.set_cookie(COOKIE, stolen)
    assert client.get("/").headers["Location"].startswith("/login")


def test_a_new_session_cookie_at_every_sign_in(client, auth):
    client.get("/login")
    before = client.get_cookie(COOKIE).value
    auth.login("gp")
    assert client.get_cookie(COOKIE).value != before


def test_reading_pages_writes_no_cookie(client, auth):
    # The sign-in cookie already holds everything a page needs (the CSRF secret too), so a page view
    # never sends the browser a new one: with nothing changed, there is nothing to write.
    auth.login("gp")
    for path in ("/pathways/dyspepsia/", "/pathways/dyspepsia/", "/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, path


def test_a_cookie_changed_by_one_character_is_refused_after_the_real_one_was_read(client, auth):
    auth.login("gp")
    assert client.get("/").status_code == 200
    real = client.get_cookie(COOKIE).value
    # Another signature of the same length (a changed last character alone may decode to the same bytes).
    head, _, signature = real.rpartition(".")
    forged = f"{head}.{'A' * len(signature) if set(signature) != {'A'} else 'B' * len(signature)}"
    client.set_cookie(COOKIE, forged)
    assert client.get("/").headers["Location"].startswith("/login")
    client.set_cookie(COOKIE, real)
    assert client.get("/").status_code == 200


def test_a_cookie_older_than_the_session_lifetime_is_refused_though_read_before(app, client, auth, monkeypatch):
    import time

    auth.login("gp")
    assert client.get("/").status_code == 200  # this worker has read the cookie
    later = time.time() + app.config["SESSION_ABSOLUTE_TIMEOUT"] + 60
    monkeypatch.setattr(time, "time", lambda: later)  # the cookie's signed time is now too old
    assert client.get("/").headers["Location"].startswith("/login")


def _age_session(app, **ages):
    now = utcnow()
    with db(app).transaction() as session:
        session.execute(update(LoginSession).values(**{column: now - age for column, age in ages.items()}))


def test_idle_session_expires(app, client, auth):
    auth.login("gp")
    assert client.get("/").status_code == 200
    _age_session(app, last_seen_at=timedelta(seconds=app.config["SESSION_IDLE_TIMEOUT"] + 60))
    assert client.get("/").headers["Location"].startswith("/login")
    with db(app).sessions() as session:
        assert session.scalars(select(LoginSession)).all() == []


def test_session_ends_at_the_absolute_timeout_even_when_active(app, client, auth):
    auth.login("gp")
    _age_session(app, created_at=timedelta(seconds=app.config["SESSION_ABSOLUTE_TIMEOUT"] + 60),
                 last_seen_at=timedelta(seconds=5))
    assert client.get("/").headers["Location"].startswith("/login")


def test_deactivated_account_loses_its_session(app, client, auth):
    auth.login("gp")
    with db(app).transaction() as session:
        session.execute(update(User).where(User.email == ACCOUNTS["gp"][0]).values(active=False))
    assert client.get("/").status_code == 302


# ---- CSRF -----------------------------------------------------------------------------------------

def test_sign_in_without_the_form_token_is_refused_clearly(client):
    response = client.post("/login", data={"email": ACCOUNTS["gp"][0], "password": PASSWORD})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The form could not be accepted" in page and "did not come from this site" in page
    assert client.get("/").status_code == 302


def test_forged_token_changes_nothing(app, client, auth):
    auth.login("board-admin")
    response = client.post("/admin/boards/lothian/users", data={
        "email": "new.gp@lothian.example", "name": "New GP", "role": "gp", "csrf_token": "forged-token"})
    assert response.status_code == 400
    assert "The form could not be accepted" in response.get_data(as_text=True)
    assert user_row(app, "new.gp@lothian.example") is None
    response = client.post("/logout", data={})
    assert response.status_code == 400
    assert client.get("/").status_code == 200  # still signed in: the forged sign-out did nothing


def test_token_from_another_session_is_refused(app, client, auth):
    other = app.test_client()
    foreign = csrf_token(other)
    auth.login("gp")
    assert client.post("/logout", data={"csrf_token": foreign}).status_code == 400


def test_a_form_token_is_refused_once_its_session_has_ended(client, auth):
    auth.login("gp")
    old = csrf_token(client)
    auth.logout()
    auth.login("gp")  # the same browser and person, a new session
    assert client.post("/logout", data={"csrf_token": old}).status_code == 400
    assert client.get("/").status_code == 200  # still signed in
    assert client.post("/logout", data={"csrf_token": csrf_token(client)}).status_code == 302


def test_every_page_of_a_session_carries_a_token_it_accepts(client, auth, monkeypatch):
    import time

    auth.login("gp")
    tokens = {csrf_token(client)}
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)  # a signature made now would carry another time
    page = client.get("/pathways/dyspepsia/").get_data(as_text=True)
    tokens |= {csrf_token(client), page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]}
    assert len(tokens) == 1  # signed once for the session, not again on every page
    monkeypatch.undo()
    assert client.post("/logout", data={"csrf_token": tokens.pop()}).status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")


@pytest.fixture
def echo_app(tmp_path, database_url):
    app = make_app(tmp_path, database_url, PLUGINS=["tests.fixture_plugins.bearer_echo"])
    yield app
    db(app).engine.dispose()


def test_bearer_token_calls_need_no_csrf_token_but_cookie_calls_do(echo_app):
    with db(echo_app).transaction() as session:
        token = accounts.create_token(session, session.scalar(select(User).where(User.role == "cfsd")))
    client = echo_app.test_client()
    response = client.post("/api/v1/fixture-echo", json={"hello": "world"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json() == {"user": "staff@cfsd.example", "received": {"hello": "world"}}

    browser = echo_app.test_client()
    AuthActions(browser).login("cfsd")
    response = browser.post("/api/v1/fixture-echo", json={"hello": "world"})
    assert response.status_code == 400 and "did not come from this site" in response.get_json()["message"]


# ---- security headers -----------------------------------------------------------------------------

def _assert_headers(response, url):
    csp = response.headers.get("Content-Security-Policy", "")
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"):
        assert directive in csp, (url, directive)
    assert "unsafe-inline" not in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url
    assert response.headers.get("Referrer-Policy"), url


def test_security_headers_on_every_kind_of_response(client, auth):
    urls = ["/login", "/", "/no-such-page", "/static/css/app.css", "/api/v1/pathways", "/api/v1/openapi.json"]
    for url in urls:
        _assert_headers(client.get(url), url)
    _assert_headers(client.post("/logout"), "/logout (no CSRF)")
    auth.login("gp")
    for url in urls + ["/pathways/suspected-colorectal-cancer/", "/admin/plugins"]:
        response = client.get(url)
        _assert_headers(response, url)
        assert "Strict-Transport-Security" not in response.headers  # only in production
    assert "no-store" in client.get("/").headers["Cache-Control"]


def test_production_adds_hsts_and_secure_cookies(tmp_path, database_url):
    app = make_app(tmp_path, database_url, PRODUCTION=True, PSEUDONYM_KEY="test-pseudonyms")
    try:
        client = app.test_client()
        response = client.get("/login", base_url="https://localhost")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        token = csrf_token(client)
        response = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                               data={"email": ACCOUNTS["gp"][0], "password": PASSWORD, "csrf_token": token})
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        db(app).engine.dispose()


def test_session_cookie_is_httponly_and_samesite_outside_production(client, auth):
    cookie = auth.login("gp").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# ---- the account commands -------------------------------------------------------------------------

def test_users_create_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(args=["users", "create", "New.GP@Fife.example", "--name", "Dr New", "--role", "gp",
                                 "--board", "fife", "--practice", "20123"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "Created gp account new.gp@fife.example" in result.output
    user = user_row(app, "new.gp@fife.example")
    assert user.practice_code == "20123" and user.password_hash.startswith("$argon2id$")
    client = app.test_client()
    response = client.post("/login", data={"email": "new.gp@fife.example", "password": "a long enough password",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302


@pytest.mark.parametrize("args,password,message", [
    (["--role", "gp"], "a long enough password", "needs --board"),
    (["--role", "gp", "--board", "atlantis"], "a long enough password", "no board 'atlantis'"),
    (["--role", "cfsd"], "short", "at least 12 characters"),
])
def test_users_create_explains_what_is_wrong(app, runner, args, password, message):
    result = runner.invoke(args=["users", "create", "someone@example.org", "--name", "Someone", *args],
                           input=password + "\n")
    assert result.exit_code != 0 and message in result.output
    assert user_row(app, "someone@example.org") is None


def test_users_create_refuses_a_duplicate(runner):
    result = runner.invoke(args=["users", "create", ACCOUNTS["cfsd"][0], "--name", "Again", "--role", "cfsd"],
                           input="a long enough password\n")
    assert result.exit_code != 0 and "already exists" in result.output


def test_tokens_create_prints_a_working_token_once(app, runner):
    result = runner.invoke(args=["tokens", "create", ACCOUNTS["cfsd"][0], "--name", "analysis script"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("prt_")
    with db(app).sessions() as session:
        from pathway_review.models import ApiToken

        stored = session.scalars(select(ApiToken)).one()
    assert stored.token_hash != token and token not in stored.token_hash and stored.name == "analysis script"
    response = app.test_client().get("/api/v1/pathways", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert runner.invoke(args=["tokens", "create", "nobody@example.org"]).exit_code != 0


def test_people_signing_in_one_after_another_on_threads_of_their_own_all_get_in(tmp_path, database_url):
    # A threaded server (the development server, gunicorn's gthread) answers each request on some thread that
    # may then end; whatever a finished thread's reads did to a pooled connection must not reach the next person.
    app = make_app(tmp_path, database_url)  # the usual sign-in limit, not this module's tight one
    outcomes = []

    def visit(who):
        client = app.test_client()
        try:
            signed_in = AuthActions(client).login(who)
            outcomes.append((who, signed_in.status_code, client.get("/").status_code))
        except Exception as exc:  # the failure itself is what the assertion below reports
            outcomes.append((who, repr(exc), None))

    for who in ("gp", "gp-fife", "cfsd", "board-admin", "admin", "gp"):
        thread = threading.Thread(target=visit, args=(who,))
        thread.start()
        thread.join()
        gc.collect()
    app.extensions["pathway_review.db"].dispose()
    assert outcomes == [(who, 302, 200) for who in ("gp", "gp-fife", "cfsd", "board-admin", "admin", "gp")]
