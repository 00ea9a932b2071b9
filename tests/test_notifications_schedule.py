"""The daily mail tasks: review reminders, closing consultations, new ones, CfSD's digest, personal summaries.

The TODAY setting moves the clock; every item goes out once however often a task runs.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from pathway_review.plugin_api import months_before
from tests.feedback_support import OPEN, api_body, form, token
from tests.mail_support import mail_config, run_task, send, text_of

DYSPEPSIA_REVIEW = date(2027, 10, 28)  # next_review of dyspepsia 1.0, the published version


@pytest.fixture
def app_config(smtp_server):
    return mail_config(smtp_server)


def on(app, day: date) -> None:
    app.config["TODAY"] = day.isoformat()


def subjects(server, who: str, containing: str) -> list[str]:
    return [m["Subject"] for m in server.to(who) if containing in m["Subject"]]


def daily(app, task: str) -> None:
    run_task(app, f"notifications.{task}")
    send(app)


def test_months_before_keeps_to_the_end_of_short_months():
    assert months_before(date(2027, 10, 28), 9) == date(2027, 1, 28)
    assert months_before(date(2027, 8, 31), 6) == date(2027, 2, 28)


def test_review_reminders_go_9_and_6_months_before_each_once(app, smtp_server):
    assert app.extensions["pathway_review.library"].get_version("dyspepsia", "1.0").next_review == DYSPEPSIA_REVIEW
    on(app, months_before(DYSPEPSIA_REVIEW, 9) - timedelta(days=1))
    daily(app, "review_reminders")
    assert subjects(smtp_server, "cfsd", "Dyspepsia") == []

    on(app, months_before(DYSPEPSIA_REVIEW, 9))
    daily(app, "review_reminders")
    daily(app, "review_reminders")
    on(app, months_before(DYSPEPSIA_REVIEW, 9) + timedelta(days=40))
    daily(app, "review_reminders")
    assert subjects(smtp_server, "cfsd", "Dyspepsia") == ["Review due in 9 months: Dyspepsia in adults 1.0"]
    [mail] = [m for m in smtp_server.to("cfsd") if "Dyspepsia" in m["Subject"]]
    assert "28 October 2027" in text_of(mail)

    on(app, months_before(DYSPEPSIA_REVIEW, 6))
    daily(app, "review_reminders")
    daily(app, "review_reminders")
    assert subjects(smtp_server, "cfsd", "Dyspepsia") == ["Review due in 9 months: Dyspepsia in adults 1.0",
                                                          "Review due in 6 months: Dyspepsia in adults 1.0"]
    assert smtp_server.to("gp") == []  # owners are CfSD


def test_a_gp_holding_a_draft_hears_once_that_the_consultation_closes_in_7_days(app, client, auth, smtp_server):
    closes = app.extensions["pathway_review.library"].get_version(*OPEN).consultation_closes
    auth.login("gp")
    assert auth.post(f"/pathways/{OPEN[0]}/{OPEN[1]}/feedback", form(action="draft")).status_code == 302
    client.post(f"/api/v1/pathways/{OPEN[0]}/feedback", json=api_body(), headers=token(app, "gp-fife"))

    on(app, closes - timedelta(days=8))
    daily(app, "closing_soon")
    assert subjects(smtp_server, "gp", "closes on") == []

    on(app, closes - timedelta(days=7))
    daily(app, "closing_soon")
    on(app, closes - timedelta(days=6))
    daily(app, "closing_soon")
    assert subjects(smtp_server, "gp", "closes on") == ["Suspected colorectal cancer 3.0 closes on 26 February 2027"]
    assert subjects(smtp_server, "gp-fife", "closes on") == []  # submitted, no draft


def test_followers_of_a_specialty_hear_once_that_a_consultation_opened(app, client, auth, smtp_server):
    opens = app.extensions["pathway_review.library"].get_version(*OPEN).consultation_opens
    auth.login("gp")
    assert auth.post("/notifications/preferences", {"specialty": ["Colorectal"]}).status_code == 303
    on(app, opens)
    daily(app, "new_consultations")
    on(app, opens + timedelta(days=1))
    daily(app, "new_consultations")
    assert subjects(smtp_server, "gp", "New consultation") == ["New consultation: Suspected colorectal cancer 3.0"]
    assert smtp_server.to("gp-fife") == []  # follows nothing


def test_cfsd_gets_one_digest_a_day_per_consultation(app, client, smtp_server):
    client.post(f"/api/v1/pathways/{OPEN[0]}/feedback", json=api_body(), headers=token(app, "gp"))
    client.post(f"/api/v1/pathways/{OPEN[0]}/feedback", json=api_body(safety_concern=True, anonymous=True),
                headers=token(app, "gp-fife"))
    send(app)
    smtp_server.clear()
    on(app, date.today())  # the records were submitted today
    daily(app, "consultation_digests")
    daily(app, "consultation_digests")
    [digest] = smtp_server.to("cfsd")
    assert digest["Subject"] == "Daily digest: Suspected colorectal cancer 3.0"
    body = text_of(digest)
    assert "New responses since yesterday: 2" in body
    assert "New patient-safety concerns: 1" in body and "Awaiting triage: 2" in body
    assert "Dr Fife GP" not in body


def test_a_daily_summary_collects_what_a_person_asked_for_once_a_day(app, client, auth, smtp_server):
    auth.login("gp")
    assert auth.post("/notifications/preferences", {"delivery-feedback_receipt": "digest"}).status_code == 303
    first = client.post(f"/api/v1/pathways/{OPEN[0]}/feedback", json=api_body(), headers=token(app, "gp"))
    second = client.post(f"/api/v1/pathways/{OPEN[0]}/feedback", json=api_body(text="And another."),
                         headers=token(app, "gp"))
    send(app)
    assert smtp_server.to("gp") == []
    daily(app, "personal_summaries")
    daily(app, "personal_summaries")
    [summary] = smtp_server.to("gp")
    assert summary["Subject"] == "Your daily summary from Pathway Review: 2 items"
    body = text_of(summary)
    assert f"FB-{first.get_json()['id']}" in body and f"FB-{second.get_json()['id']}" in body
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Sent in your daily summary" in page
