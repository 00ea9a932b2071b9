"""Mail in a real browser journey: the worker sends over SMTP and the links in the mail work.

A GP flags a patient-safety concern; CfSD's alert arrives within 10 seconds and its link opens the
triage page; CfSD answers there; the GP's "CfSD answered your feedback" mail leads to the answer.
"""
from __future__ import annotations

import re
import time

from tests.e2e.accessibility import check_accessibility
from tests.e2e.conftest import USERS, screenshot, sign_in
from tests.mail_support import text_of

PATHWAY = "/pathways/headache-in-adults/"


def wait_for_mail(catcher, to: str, subject: str, reference: str, within: float):
    """The first mail to ``to`` whose subject holds ``subject`` and whose text names ``reference``."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for message in list(catcher.messages):
            if to in message["To"] and subject in message["Subject"] and reference in text_of(message):
                return message
        time.sleep(0.1)
    raise AssertionError(f"no mail '{subject}' about {reference} reached {to} within {within:.0f} s; "
                         f"mail received: {[(m['To'], m['Subject']) for m in catcher.messages]}")


def link_after(label: str, message) -> str:
    # Mail travels with CRLF line ends; the link is the line after its label.
    found = re.search(rf"^{re.escape(label)}:\r?\n(https?://\S+)\r?$", text_of(message), flags=re.M)
    assert found, f"the mail has no '{label}' link:\n{text_of(message)}"
    return found.group(1)


def test_safety_alert_and_answer_arrive_by_mail_and_their_links_work(new_page, server):
    catcher = server["mail"]
    gp = new_page()
    sign_in(gp, "gp")
    gp.goto(PATHWAY)
    gp.get_by_role("link", name="Give feedback on this section").first.click()
    gp.get_by_label("Workload").check()
    gp.get_by_label("Your feedback").fill("The red flags leave out sudden severe headache in pregnancy.")
    gp.get_by_label("This raises a patient-safety concern").check()
    submitted = time.monotonic()
    gp.get_by_role("button", name="Submit feedback").click()
    assert gp.get_by_role("heading", name="Feedback sent").is_visible()
    reference = re.search(r"FB-\d+", gp.content()).group(0)

    alert = wait_for_mail(catcher, USERS["cfsd"], "Patient-safety concern", reference, within=30)
    took = time.monotonic() - submitted
    assert took <= 10, f"the safety alert took {took:.1f} s to reach CfSD"
    print(f"safety alert reached CfSD {took:.1f} s after the GP pressed submit")

    cfsd = new_page()
    sign_in(cfsd, "cfsd")
    cfsd.goto(link_after("Triage this response", alert))
    assert reference in cfsd.content()
    cfsd.get_by_label("Status").select_option("accepted")
    answer = "Thank you: the next draft adds headache in pregnancy to the red flags."
    cfsd.get_by_label("CfSD's response").fill(answer)
    cfsd.get_by_role("button", name="Save", exact=True).click()
    assert "Accepted" in cfsd.content()

    answered = wait_for_mail(catcher, USERS["gp"], "CfSD answered your feedback", reference, within=30)
    assert answer in text_of(answered)
    gp.goto(link_after("Read the answer", answered))
    assert gp.get_by_role("heading", level=1).is_visible()
    assert answer in gp.content() and reference in gp.content()
    check_accessibility(gp, "feedback record opened from the answer mail")
    screenshot(gp, "answer-from-mail")
