"""Each person's Notifications page, mail preferences (a 400 naming what was wrong) and one-click unsubscribe."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.feedback_support import OPEN, api_body, token
from tests.mail_support import mail_config, send

API = f"/api/v1/pathways/{OPEN[0]}/feedback"


@pytest.fixture
def app_config(smtp_server):
    return mail_config(smtp_server)


def delivery(app, who_email: str, kind: str) -> str:
    from plugins.notifications.models import Preference
    from pathway_review.models import User

    with app.extensions["pathway_review.db"].sessions() as session:
        return session.scalar(select(Preference.delivery).join(User, User.id == Preference.user_id)
                              .where(User.email == who_email, Preference.kind == kind))


def test_the_notifications_page_lists_my_mails_newest_first_and_marks_new_ones(app, client, auth):
    first = client.post(API, json=api_body(), headers=token(app, "gp")).get_json()["id"]
    second = client.post(API, json=api_body(text="Second thoughts."), headers=token(app, "gp")).get_json()["id"]
    auth.login("gp")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/notifications/"' in home
    page = client.get("/notifications/").get_data(as_text=True)
    assert page.index(f"FB-{second}") < page.index(f"FB-{first}")
    assert page.count(">New</strong>") == 2 and "Waiting to be sent" in page
    send(app)
    page = client.get("/notifications/").get_data(as_text=True)
    assert ">New</strong>" not in page and "Sent" in page
    auth.logout()
    auth.login("gp-fife")
    assert "FB-" not in client.get("/notifications/").get_data(as_text=True)


@pytest.mark.parametrize("data, named", [
    ({"delivery-feedback_receipt": "sometimes"}, "delivery-feedback_receipt"),
    ({"delivery-safety_concern": "never"}, "delivery-safety_concern"),  # not a GP's kind
    ({"specialty": "Astrology"}, "specialty"),
    ({"frequency": "hourly"}, "frequency"),
])
def test_an_invalid_preference_gets_400_naming_it_and_changes_nothing(app, client, auth, data, named):
    auth.login("gp")
    response = auth.post("/notifications/preferences", {"delivery-feedback_answered": "never", **data})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert f'href="#{named}"' in text and f"{named}:" in text
    assert delivery(app, "gp@lothian.example", "feedback_answered") is None


def test_preferences_are_saved_and_shown_back(app, client, auth):
    auth.login("cfsd")
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "A GP raised a patient-safety concern" in page and "Specialties you follow" not in page
    assert auth.post("/notifications/preferences", {"delivery-safety_concern": "digest",
                                                    "delivery-consultation_digest": "never"}).status_code == 303
    assert delivery(app, "staff@cfsd.example", "safety_concern") == "digest"
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert re.search(r'value="digest" checked', page) and re.search(r'value="never" checked', page)


def test_one_click_unsubscribe_needs_no_sign_in_and_stops_that_kind(app, client, smtp_server):
    client.post(API, json=api_body(), headers=token(app, "gp"))
    send(app)
    [receipt] = smtp_server.to("gp")
    url = receipt["List-Unsubscribe"].strip("<>")
    path = urlsplit(url).path

    stranger = app.test_client()  # a mail client: no cookie, no CSRF token
    page = stranger.get(path)
    assert page.status_code == 200 and "Stop these mails?" in page.get_data(as_text=True)
    assert delivery(app, "gp@lothian.example", "feedback_receipt") is None

    done = stranger.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    assert delivery(app, "gp@lothian.example", "feedback_receipt") == "never"

    client.post(API, json=api_body(text="Another."), headers=token(app, "gp"))
    send(app)
    assert len(smtp_server.to("gp")) == 1

    forged = path[:-3] + ("abc" if not path.endswith("abc") else "xyz")
    assert stranger.post(forged, data={"List-Unsubscribe": "One-Click"}).status_code == 400
    assert stranger.get(forged).status_code == 404


def test_unsubscribing_from_one_kind_leaves_the_others(app, client, smtp_server):
    feedback_id = client.post(API, json=api_body(), headers=token(app, "gp")).get_json()["id"]
    send(app)
    path = urlsplit(smtp_server.to("gp")[0]["List-Unsubscribe"].strip("<>")).path
    app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    client.post(f"/api/v1/feedback/{feedback_id}/triage", headers=token(app, "cfsd"),
                json={"status": "accepted", "response": "Agreed."})
    send(app)
    assert [m["Subject"].split(" on ")[0] for m in smtp_server.to("gp")][1:] == ["CfSD answered your feedback"]
