"""Sign-in limits: guessing slows down and stops, but nobody is locked out by someone else's guesses."""
from sqlalchemy import select

from pathway_review.models import AuditEvent
from tests.conftest import ACCOUNTS, PASSWORD, csrf_token, make_app

GP = ACCOUNTS["gp"][0]


def sign_in(client, email, password, address):
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_wrong_passwords_from_one_address_do_not_lock_the_real_gp_out(app):
    attacker, gp = app.test_client(), app.test_client()
    for _ in range(10):
        assert sign_in(attacker, GP, "not the password at all", "127.0.0.2").status_code == 401
    assert sign_in(attacker, GP, "one guess too many", "127.0.0.2").status_code == 429
    response = sign_in(gp, GP, PASSWORD, "127.0.0.3")
    assert response.status_code == 302
    assert "Signed in as Dr Lothian GP" in gp.get("/").get_data(as_text=True)


def test_thirty_successful_sign_ins_from_one_address_all_succeed(app):
    for _ in range(30):
        client = app.test_client()
        assert sign_in(client, GP, PASSWORD, "127.0.0.4").status_code == 302


def test_an_address_guessing_across_many_accounts_is_refused_and_told_to_wait(app):
    guesser = app.test_client()
    for n in range(10):
        assert sign_in(guesser, f"person{n}@lothian.example", "guess guess guess", "127.0.0.5").status_code == 401
    response = sign_in(guesser, GP, PASSWORD, "127.0.0.5")  # even a right password, from this address
    assert response.status_code == 429
    assert "Too many attempts from here. Wait 1 minute and try again." in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    assert sign_in(app.test_client(), GP, PASSWORD, "127.0.0.6").status_code == 302
    with app.extensions["pathway_review.db"].sessions() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "signin.throttled")).address == \
            "127.0.0.5"


def test_a_gp_who_mistyped_waits_only_briefly_after_an_attack_on_their_account(app):
    attacker, gp = app.test_client(), app.test_client()
    for _ in range(12):
        sign_in(attacker, GP, "not the password at all", "127.0.0.2")
    assert sign_in(gp, GP, "a typo in my password", "127.0.0.3").status_code == 401
    response = sign_in(gp, GP, PASSWORD, "127.0.0.3")
    # The account's failures now slow this address too, but by a minute at most, not a lockout.
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) <= 60


def test_unknown_and_real_accounts_are_refused_alike(app):
    for email in (GP, "nobody@lothian.example"):
        client = app.test_client()
        for _ in range(10):
            sign_in(client, email, "not the password at all", "127.0.0.7" if email == GP else "127.0.0.8")
        response = sign_in(client, email, "again", "127.0.0.7" if email == GP else "127.0.0.8")
        assert response.status_code == 429


def guess_through_proxy(app):
    for n in range(10):
        sign_in_forwarded(app, f"person{n}@lothian.example", "guess guess guess", f"203.0.113.{n}")
    return sign_in_forwarded(app, GP, PASSWORD, "203.0.113.99")


def sign_in_forwarded(app, email, password, forwarded_for):
    client = app.test_client()
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": "10.0.0.1"})


def test_forwarded_address_is_ignored_without_a_trusted_proxy(app):
    # A header anyone can write does not choose the address: every guess counts against 10.0.0.1.
    assert guess_through_proxy(app).status_code == 429


def test_forwarded_address_is_believed_behind_a_configured_proxy(tmp_path, database_url):
    app = make_app(tmp_path, database_url, TRUSTED_PROXIES=1)
    try:
        assert guess_through_proxy(app).status_code == 302
        with app.extensions["pathway_review.db"].sessions() as session:
            event = session.scalar(select(AuditEvent).where(AuditEvent.action == "signin"))
        assert event.address == "203.0.113.99"
    finally:
        app.extensions["pathway_review.db"].dispose()
