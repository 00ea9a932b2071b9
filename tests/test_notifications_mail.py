"""E-mail from events: what GPs and CfSD are sent, over a real SMTP server, once, and never what must not leave."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from pathway_review.models import utcnow
from tests.feedback_support import OPEN, api_body, chi_numbers, form, insert, token
from tests.mail_support import BASE_URL, html_of, mail_config, send, text_of

NEW = f"/pathways/{OPEN[0]}/{OPEN[1]}/feedback"
API = f"/api/v1/pathways/{OPEN[0]}/feedback"


@pytest.fixture
def app_config(smtp_server):
    return mail_config(smtp_server)


def mails(app):
    from plugins.notifications.models import Mail

    with app.extensions["pathway_review.db"].sessions() as session:
        return session.scalars(select(Mail).order_by(Mail.id)).all()


def submitted_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/feedback/(\d+)/receipt", response.headers["Location"]).group(1))


def test_a_safety_concern_reaches_cfsd_at_once_and_never_names_an_anonymous_gp(app, client, auth, smtp_server):
    auth.login("gp")
    feedback_id = submitted_id(auth.post(NEW, form(safety_concern="yes", attribution="board",
                                                   text="Two-week waits are missed for FIT-positive patients.")))
    assert smtp_server.messages == []  # the request only wrote to the outbox
    send(app)

    [alert] = smtp_server.to("cfsd")
    assert alert["Subject"].startswith("Patient-safety concern: Suspected colorectal cancer")
    body, html = text_of(alert), html_of(alert)
    assert f"{BASE_URL}/consultations/responses/{feedback_id}/" in body
    assert f'href="{BASE_URL}/consultations/responses/{feedback_id}/"' in html
    assert "Two-week waits are missed" in body and "A GP in NHS Lothian" in body
    for part in (body, html, alert["Subject"]):
        assert "Dr Lothian GP" not in part and "gp@lothian.example" not in part
    assert re.fullmatch(rf"<{BASE_URL}/notifications/unsubscribe/[\w.\-]+>", alert["List-Unsubscribe"])
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{BASE_URL}/notifications/preferences" in body

    [receipt] = smtp_server.to("gp")
    assert f"(FB-{feedback_id})" in receipt["Subject"] and "Your feedback was received" in text_of(receipt)
    assert smtp_server.to("admin") == [] and smtp_server.to("gp-fife") == []

    # A second run, or the same event delivered again, sends nothing more.
    from plugins.notifications import listeners
    from tests.feedback_support import db

    with app.app_context():
        from plugins.feedback.events import serialize
        from plugins.feedback.models import Feedback
        from pathway_review.models import OutboxEvent

        with db(app).sessions() as session:
            event = session.scalar(select(OutboxEvent.id).where(OutboxEvent.name == "feedback_submitted",
                                                                 OutboxEvent.key == f"feedback:{feedback_id}"))
            assert event is not None  # the event was written with the feedback, and delivered after the commit
            listeners.feedback_submitted(app, serialize(session.get(Feedback, feedback_id)), event_id=event)
        assert listeners.write_batch() == 0
    send(app)
    assert len(smtp_server.messages) == 2


def test_a_batch_of_submissions_sends_each_receipt_once_however_often_it_is_delivered(app, client, smtp_server):
    from pathway_review import outbox
    from pathway_review.models import OutboxEvent
    from plugins.notifications.models import Mail
    from sqlalchemy import delete, update
    from tests.feedback_support import db

    ids = []
    for n in range(3):
        response = client.post(API, json=api_body(text=f"Phlebotomy capacity, point {n}."), headers=token(app, "gp"))
        assert response.status_code == 201
        ids.append(response.get_json()["id"])
    # As if the worker had never run: the three events go out together, as one batch, twice over.
    with db(app).transaction() as session:
        session.execute(delete(Mail))
    for _ in range(2):
        with db(app).transaction() as session:
            session.execute(update(OutboxEvent).values(delivered_at=None))
        assert outbox.deliver_pending(app) >= 3
    send(app)
    subjects = sorted(message["Subject"] for message in smtp_server.to("gp"))
    assert len(subjects) == 3 and all(any(f"(FB-{i})" in s for s in subjects) for i in ids)


def test_cfsd_answer_reaches_the_gp_with_a_link_that_shows_it(app, client, auth, smtp_server):
    feedback_id = client.post(API, json=api_body(), headers=token(app, "gp")).get_json()["id"]
    answer = "Thank you: the FIT threshold is now 10 and practices get kits from the laboratory."
    triaged = client.post(f"/api/v1/feedback/{feedback_id}/triage", headers=token(app, "cfsd"),
                          json={"status": "accepted", "response": answer})
    assert triaged.status_code == 200
    send(app)

    [mail] = [m for m in smtp_server.to("gp") if "answered" in m["Subject"]]
    assert mail["Subject"] == f"CfSD answered your feedback on Suspected colorectal cancer (FB-{feedback_id})"
    body = text_of(mail)
    assert answer in body and "Status: Accepted" in body
    link = re.search(rf"{BASE_URL}/feedback/{feedback_id}/", body).group(0)
    auth.login("gp")
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200 and answer in page.get_data(as_text=True)

    # Changing only the status tells the GP nothing new; a changed answer is news.
    client.post(f"/api/v1/feedback/{feedback_id}/triage", headers=token(app, "cfsd"),
                json={"status": "changed-in-next-version"})
    send(app)
    assert len([m for m in smtp_server.to("gp") if "answered" in m["Subject"]]) == 1
    client.post(f"/api/v1/feedback/{feedback_id}/triage", headers=token(app, "cfsd"),
                json={"response": answer + " The change is in version 3.1."})
    send(app)
    assert len([m for m in smtp_server.to("gp") if "answered" in m["Subject"]]) == 2


def test_no_patient_identifier_leaves_in_a_mail(app, client, smtp_server):
    chi = chi_numbers(1, seed=7)[0]
    spaced = f"{chi[:6]} {chi[6:]}"
    # Written before the guard existed: it is still on record, and must not travel by mail.
    feedback_id = insert(app, "gp", *OPEN, text=f"My patient {spaced} waited nine weeks.")
    client.post(f"/api/v1/feedback/{feedback_id}/triage", headers=token(app, "cfsd"),
                json={"status": "not-accepted", "response": "We will look at waiting times with the board."})
    send(app)
    [mail] = smtp_server.to("gp")
    for part in (text_of(mail), html_of(mail)):
        assert chi not in part and spaced not in part and chi[-4:] not in part
        assert "My patient [number removed] waited nine weeks." in part


def test_smtp_down_is_retried_with_backoff_and_nothing_is_lost(app, client, smtp_server, monkeypatch):
    from plugins.notifications import sending

    live = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{_closed_port()}"
    feedback_id = client.post(API, json=api_body(), headers=token(app, "gp")).get_json()["id"]
    send(app)
    [row] = mails(app)
    assert (row.state, row.attempts) == ("pending", 1)
    assert "could not reach the mail server" in row.last_error
    wait = (row.next_attempt_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)).total_seconds()
    assert 20 < wait <= sending.FIRST_RETRY

    send(app)  # not due yet: left alone
    assert mails(app)[0].attempts == 1

    later = utcnow() + timedelta(seconds=sending.FIRST_RETRY + 1)
    monkeypatch.setattr(sending, "utcnow", lambda: later)
    send(app)  # still down: the wait doubles
    row = mails(app)[0]
    assert (row.state, row.attempts) == ("pending", 2)
    wait = (row.next_attempt_at.replace(tzinfo=None) - later.replace(tzinfo=None)).total_seconds()
    assert sending.FIRST_RETRY < wait <= 2 * sending.FIRST_RETRY

    app.config["SMTP_URL"] = live
    monkeypatch.setattr(sending, "utcnow", lambda: later + timedelta(seconds=2 * sending.FIRST_RETRY + 1))
    send(app)
    [receipt] = smtp_server.to("gp")
    assert f"FB-{feedback_id}" in receipt["Subject"]
    assert mails(app)[0].state == "sent"


def _closed_port() -> int:
    from tests.mail_support import free_port

    return free_port()  # bound and released at once: nothing listens there


def test_a_permanent_refusal_marks_the_address_and_stops_mail_to_it(app, client, auth, smtp_server):
    smtp_server.refuse["gp@lothian.example"] = "550 5.1.1 No such mailbox"
    client.post(API, json=api_body(), headers=token(app, "gp"))
    send(app)
    assert smtp_server.to("gp") == []
    [row] = mails(app)
    assert row.state == "failed" and "550" in row.last_error

    auth.login("admin")
    page = client.get("/notifications/bounces").get_data(as_text=True)
    assert "Dr Lothian GP" in page and "gp@lothian.example" in page and "550 5.1.1 No such mailbox" in page
    auth.logout()

    # Nothing more is tried on that address, and the GP is told why on the Notifications page.
    smtp_server.refuse.clear()
    client.post(API, json=api_body(text="A second comment."), headers=token(app, "gp"))
    send(app)
    assert smtp_server.to("gp") == []
    assert [m.state for m in mails(app)] == ["failed", "failed"]
    auth.login("gp")
    assert "Mail to you is not delivered" in client.get("/notifications/").get_data(as_text=True)


def test_a_temporary_refusal_is_retried(app, client, smtp_server):
    smtp_server.refuse["gp@lothian.example"] = "451 4.3.0 Mailbox busy, try later"
    client.post(API, json=api_body(), headers=token(app, "gp"))
    send(app)
    [row] = mails(app)
    assert (row.state, row.attempts) == ("pending", 1) and "451" in row.last_error


def test_two_workers_never_claim_the_same_mail(app, client):
    from plugins.notifications import sending

    client.post(API, json=api_body(safety_concern=True), headers=token(app, "gp"))
    now = utcnow()
    with app.app_context():
        db = app.extensions["pathway_review.db"]
        first = sending.claim(db.sessions, now)
        second = sending.claim(db.sessions, now)
        assert len(first) == 2 and second == []
        # A worker killed mid-send leaves its claim; once the lease ends another worker takes the mail.
        assert sorted(sending.claim(db.sessions, now + sending.LEASE + timedelta(seconds=1))) == sorted(first)


def test_the_interface_issue_owner_and_its_reporter_are_told(app, client, auth, runner, smtp_server):
    assert runner.invoke(args=["plugins", "enable", "interface_log", "--board", "lothian"]).exit_code == 0
    auth.login("gp")
    created = auth.post("/interface-log/boards/lothian/issues/new", {
        "category": "discharge-letters", "service": "Acute medicine, Royal Infirmary",
        "description": "Discharge letters do not say which medicines were stopped.", "patient_safety": "yes"})
    url = created.headers["Location"]
    auth.logout()
    auth.login("board-admin")
    owner = re.search(r'<option value="(\d+)">Lothian Admin', client.get(url).get_data(as_text=True)).group(1)
    assert auth.post(url, {"status": "in-progress", "owner": owner}).status_code == 303
    send(app)
    [assigned] = smtp_server.to("board-admin")
    assert "assigned to you" in assigned["Subject"]
    assert "Discharge letters do not say which medicines were stopped." in text_of(assigned)
    assert f"{BASE_URL}{urlsplit(url).path}" in text_of(assigned)
    assert smtp_server.to("gp") == []

    assert auth.post(url, {"status": "resolved", "owner": owner, "resolution": "Template changed.",
                           "lasting_change": "yes", "lasting_change_detail": "Letters list stopped medicines."}
                     ).status_code == 303
    send(app)
    [resolved] = smtp_server.to("gp")
    assert "was resolved" in resolved["Subject"] and "Template changed." in text_of(resolved)
    assert len(smtp_server.to("board-admin")) == 1


def test_without_a_mail_server_mail_waits_and_the_command_sends_it_later(app, client, runner, smtp_server):
    live = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = None
    client.post(API, json=api_body(), headers=token(app, "gp"))
    send(app)
    assert [(m.state, m.attempts) for m in mails(app)] == [("pending", 0)]
    app.config["SMTP_URL"] = live
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0 and "1 mail(s) sent." in result.output
    assert len(smtp_server.to("gp")) == 1


def test_the_smtp_url_carries_credentials_and_tls_choices():
    from plugins.notifications.sending import parse_smtp_url

    server = parse_smtp_url("smtp://mailer%40nhs.scot:s%3Dcret@relay.example:587?starttls=true")
    assert (server.host, server.port, server.username, server.password) == ("relay.example", 587, "mailer@nhs.scot",
                                                                            "s=cret")
    assert server.starttls and not server.tls
    assert parse_smtp_url("smtp+starttls://relay.example").starttls
    assert parse_smtp_url("smtps://relay.example").tls and parse_smtp_url("smtps://relay.example").port == 465
    assert not parse_smtp_url("smtp://relay.example").starttls
    with pytest.raises(ValueError):
        parse_smtp_url("http://relay.example")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_mail_is_sent_with_credentials_and_waits_when_they_are_wrong(app, client):
    from tests.mail_support import MailCatcher

    guarded = MailCatcher(credentials=("pathway-review", "letmein"))
    guarded.start()
    try:
        app.config["SMTP_URL"] = f"smtp://pathway-review:wrong@127.0.0.1:{guarded.port}"
        client.post(API, json=api_body(), headers=token(app, "gp"))
        send(app)
        assert guarded.messages == [] and mails(app)[0].state == "pending" and "535" in mails(app)[0].last_error
        app.config["SMTP_URL"] = f"smtp://pathway-review:letmein@127.0.0.1:{guarded.port}"
        with app.app_context():
            from plugins.notifications.sending import send_due
            from tests.feedback_support import db

            with db(app).transaction() as session:  # as if the backoff had passed
                from plugins.notifications.models import Mail
                session.query(Mail).update({"next_attempt_at": utcnow() - timedelta(seconds=1)})
            assert send_due(app) == 1
        assert len(guarded.to("gp")) == 1
    finally:
        guarded.stop()


def test_a_mail_another_worker_wrote_first_is_skipped_and_the_rest_of_the_batch_still_written(app, client,
                                                                                              monkeypatch):
    from sqlalchemy import insert

    from plugins.notifications import compose
    from plugins.notifications.models import Mail
    from tests.feedback_support import db

    with app.app_context(), db(app).transaction() as session:
        gp = session.scalar(select(compose.User).where(compose.User.email == "gp@lothian.example"))
        wanted = [(gp, compose.Message(kind="feedback_receipt", subject=f"Receipt {n}", heading="Received"),
                   f"race-test:{n}") for n in range(3)]
        real = compose._compose

        def raced(user, message, key, *args, **kwargs):
            if key == "race-test:1":  # another worker commits this one between the check and the write
                session.execute(insert(Mail).values(
                    user_id=user.id, kind="feedback_receipt", subject="theirs", text_body="", html_body="", link="",
                    unsubscribe_url="", idempotency_key=key, state="pending", created_at=utcnow(),
                    next_attempt_at=utcnow(), attempts=0))
            return real(user, message, key, *args, **kwargs)

        monkeypatch.setattr(compose, "_compose", raced)
        assert compose.queue_many(session, wanted) == 2
    assert sorted((m.idempotency_key, m.subject) for m in mails(app)) == [
        ("race-test:0", "Receipt 0"), ("race-test:1", "theirs"), ("race-test:2", "Receipt 2")]
