"""The governance record of a pathway version: four approval steps in order, an append-only history, "Signed
off" only when all four have approved, refusals that say why, and the record carried into the report."""
from __future__ import annotations

import io

from pypdf import PdfReader

from pathway_review.testing import csrf_token

from tests.feedback_support import DEFAULT_Q

URL = "/reports/{}/{}/governance".format(*DEFAULT_Q)
STEPS = ["development-group", "specialty-delivery-group", "interface-delivery-group", "sign-off-group"]


def record(client, step, decision="approved", day="2026-11-20", note=""):
    return client.post(URL, data={"csrf_token": csrf_token(client), "step": step, "decision": decision,
                                  "decided_on": day, "note": note})


def test_signed_off_only_after_all_four_steps_in_order(client, auth, app):
    auth.login("cfsd")
    page = client.get(URL).get_data(as_text=True)
    assert 'id="governance-status">Not signed off' in page and "0 of 4 approval steps approved" in page
    for step in STEPS[:3]:
        assert record(client, step).status_code == 302
        assert 'id="governance-status">Not signed off' in client.get(URL).get_data(as_text=True)
    assert record(client, STEPS[3], note="Signed off at the November meeting").status_code == 302
    page = client.get(URL).get_data(as_text=True)
    assert 'id="governance-status">Signed off' in page
    assert "CfSD Sign Off Group: Approved on 20 November 2026, recorded by" in page


def test_a_step_out_of_order_is_refused_with_the_reason(client, auth, app):
    auth.login("cfsd")
    refused = record(client, "interface-delivery-group")
    assert refused.status_code == 409
    assert ("Primary Care / Secondary Care Interface Delivery Group cannot be recorded before Development group "
            "has approved this version.") in refused.get_data(as_text=True)
    record(client, "development-group", decision="changes-requested")
    assert record(client, "specialty-delivery-group").status_code == 409  # changes requested is not approval
    assert record(client, "development-group", decision="rubber-stamped").status_code == 422
    assert record(client, "development-group", day="30/11/2026").status_code == 422
    assert "No decisions recorded yet" not in client.get(URL).get_data(as_text=True)


def test_a_correction_is_a_new_entry_and_the_history_keeps_both(client, auth, app):
    auth.login("cfsd")
    record(client, "development-group", note="First meeting")
    record(client, "development-group", decision="changes-requested", note="Recorded in error: changes asked")
    page = client.get(URL).get_data(as_text=True)
    history = page[page.index('id="history"'):]
    assert history.count("<li>Development group:") == 2
    assert history.index("First meeting") < history.index("Recorded in error")
    steps = page[page.index('id="steps"'):page.index('id="history"')]
    assert "Changes requested" in steps and "0 of 4 approval steps approved" in page


def test_others_read_the_record_but_cannot_write_it(client, auth, app):
    auth.login("board-admin")
    pathway = client.get("/pathways/{}/{}/".format(*DEFAULT_Q)).get_data(as_text=True)
    assert f'href="{URL}"' in pathway
    assert client.get(URL).status_code == 200 and "Record a decision" not in client.get(URL).get_data(as_text=True)
    auth.logout()
    auth.login("gp")
    assert client.get(URL).status_code == 200
    assert record(client, "development-group").status_code == 403
    auth.logout()
    auth.login("cfsd")
    assert "No decisions recorded yet" in client.get(URL).get_data(as_text=True)
    assert client.get("/reports/headache-in-adults/9.9/governance").status_code == 404


def test_the_record_is_exported_with_the_report(client, auth, app):
    auth.login("cfsd")
    for number, step in enumerate(STEPS, 1):
        record(client, step, note=f"Minute {number}")
    pdf = client.get("/reports/{}/{}/report.pdf".format(*DEFAULT_Q)).data
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Signed off: every step approved." in text and "Minute 4" in text
    assert "CfSD Sign Off Group Approved 20 November 2026" in text
