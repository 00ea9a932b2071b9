"""The patient-identifier guard on feedback: every text field, drafts and submissions, browser and API.

Nothing is stored, nothing typed is lost, the message points at the field and the digits, and the
digits never reach a log record.
"""
from __future__ import annotations

import logging

import pytest

from pathway_review.identifiers import find_identifiers
from tests.feedback_support import DEFAULT_Q, OPEN, api_body, chi_numbers, count_feedback, form, nhs_numbers, token

NEW = f"/pathways/{OPEN[0]}/{OPEN[1]}/feedback"
API = f"/api/v1/pathways/{OPEN[0]}/feedback"


def spaced(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def test_generated_identifiers_are_all_caught():
    numbers = chi_numbers(300) + nhs_numbers(300)
    for number in numbers:
        for written in (number, spaced(number), f"{number[:6]} {number[6:]}"):
            assert find_identifiers(f"Patient {written} was referred"), written


def test_dates_and_phone_numbers_mostly_pass():
    ordinary = ["Seen on 21/11/2026 at 10:30", "Call 0131 242 1000 or 01382 660111", "FIT of 10 µg/g",
                "Referral within 14 days", "Version 3.0 from 2026-11-02", "Extension 4471, bleep 2291"]
    assert sum(bool(find_identifiers(text)) for text in ordinary) == 0


@pytest.mark.parametrize("action", ["submit", "draft"])
def test_browser_form_stops_a_chi_number_and_keeps_everything(client, auth, app, caplog, action):
    chi = chi_numbers(1)[0]
    auth.login("gp")
    text = f"My patient ({spaced(chi)}) could not get a FIT kit."
    with caplog.at_level(logging.DEBUG):
        response = auth.post(NEW, form(text=text, action=action, **{"answers.fit-kits-per-month": "12"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#text"' in page and ("looks like a CHI" in page or "looks like an NHS" in page)
    assert spaced(chi) in page                      # the message quotes the digits...
    assert text in page and 'value="12"' in page    # ...and nothing typed is lost
    assert count_feedback(app) == 0
    assert all(chi not in r.getMessage() and spaced(chi) not in r.getMessage() for r in caplog.records)
    assert any("identifier guard: 1 match in field text" in r.getMessage() for r in caplog.records)


def test_text_answers_are_guarded_too(client, auth, app, caplog):
    nhs = nhs_numbers(1)[0]
    auth.login("gp")
    url = "/pathways/{}/{}/feedback".format(*DEFAULT_Q)
    with caplog.at_level(logging.DEBUG):
        response = auth.post(url, {"type": "investigations", "text": "Fine otherwise", "action": "submit",
                                   "answers.investigations-available": f"Bloods for {nhs} only"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'href="#answers.investigations-available"' in page
    assert f"Bloods for {nhs} only" in page
    assert count_feedback(app) == 0
    assert all(nhs not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("draft", [False, True])
def test_api_answers_422_naming_the_field(client, app, caplog, draft):
    chi = chi_numbers(2, seed=7)[1]
    headers = token(app, "gp")
    body = api_body(text=f"Ref {chi} attached", draft=draft)
    with caplog.at_level(logging.DEBUG):
        response = client.post(API, json=body, headers=headers)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [e["field"] for e in errors] == ["text"] and chi in errors[0]["message"]
    assert count_feedback(app) == 0
    assert all(chi not in r.getMessage() for r in caplog.records)


def test_api_edit_with_an_identifier_changes_nothing(client, app):
    headers = token(app, "gp")
    created = client.post(API, json=api_body(), headers=headers).get_json()
    chi = chi_numbers(1, seed=11)[0]
    response = client.patch(f"/api/v1/feedback/{created['id']}", json={"text": f"Now with {chi}"}, headers=headers)
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "text"
    assert client.get(f"/api/v1/feedback/{created['id']}", headers=headers).get_json()["text"] == created["text"]


def test_triage_response_is_guarded(client, app, caplog):
    created = client.post(API, json=api_body(), headers=token(app, "gp")).get_json()
    chi = chi_numbers(1, seed=5)[0]
    with caplog.at_level(logging.DEBUG):
        response = client.post(f"/api/v1/feedback/{created['id']}/triage",
                               json={"status": "accepted", "response": f"Spoke to {chi}"},
                               headers=token(app, "cfsd"))
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "response"
    assert client.get(f"/api/v1/feedback/{created['id']}", headers=token(app, "cfsd")).get_json()["status"] == "new"
    assert all(chi not in r.getMessage() for r in caplog.records)
