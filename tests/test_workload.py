"""The workload questions are asked on every consultation, after the pathway's own questions, and every
consultation dashboard shows the extra GP hours a year they add up to, worked out in the database."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from pathway_review.testing import csrf_token

from tests.feedback_support import DEFAULT_Q, OPEN, add_gp, fetch, insert

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)
MINUTES = "Estimated extra GP time per patient, in minutes"
PATIENTS = "Roughly how many patients a year would this apply to in your practice?"


def test_workload_questions_follow_a_pathways_own_questions(client, auth, app):
    auth.login("gp")
    page = client.get("/pathways/{}/{}/feedback".format(*OPEN)).get_data(as_text=True)
    own = page.index("Can your practice act on the proposed FIT threshold as written?")
    last_own = page.index("What would help your practice follow up patients who do not return a FIT?")
    assert own < last_own < page.index(MINUTES) < page.index(PATIENTS)
    assert page.count(MINUTES) == 1


def test_a_gp_answers_them_on_a_pathway_with_its_own_questions(client, auth, app):
    auth.login("gp")
    url = "/pathways/{}/{}/feedback".format(*OPEN)
    response = client.post(url, data={
        "csrf_token": csrf_token(client), "section": "key-messages", "type": "workload", "text": "More FIT work.",
        "answers.fit-threshold-deliverable": "No", "answers.extra-gp-minutes": "12",
        "answers.patients-a-year": "50", "attribution": "named", "action": "submit"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    feedback_id = int(re.search(r"/feedback/(\d+)/", response.headers["Location"]).group(1))
    assert fetch(app, feedback_id).answer_values == {"fit-threshold-deliverable": "No", "extra-gp-minutes": 12,
                                                     "patients-a-year": 50}
    auth.logout()
    auth.login("cfsd")
    page = client.get("/consultations/{}/{}/".format(*OPEN)).get_data(as_text=True)
    assert "10</strong> extra GP hours a year in all" in page and "from 1 respondent " in page


def test_hours_count_each_gp_once_with_their_latest_estimate(app):
    from plugins.feedback.workload import workload

    lothian = add_gp(app, "second@lothian.example", "lothian")
    fife = add_gp(app, "third@fife.example", "fife")
    insert(app, "gp", *DEFAULT_Q, submitted_at=T0, answers={"extra-gp-minutes": 600, "patients-a-year": 600})
    insert(app, "gp", *DEFAULT_Q, submitted_at=T0 + timedelta(days=1),
           answers={"extra-gp-minutes": 10, "patients-a-year": 60})          # replaces the 6,000 hours: 10 h
    insert(app, "gp", *DEFAULT_Q, submitted_at=T0 + timedelta(days=2), answers={"extra-gp-minutes": 5})
    insert(app, lothian, *DEFAULT_Q, submitted_at=T0, answers={"extra-gp-minutes": 7.5, "patients-a-year": 40})
    insert(app, fife, *DEFAULT_Q, submitted_at=T0, answers={"extra-gp-minutes": 30, "patients-a-year": 100})
    insert(app, fife, *DEFAULT_Q, status="withdrawn", answers={"extra-gp-minutes": 1, "patients-a-year": 1})
    insert(app, "gp-fife", *DEFAULT_Q, status="draft", answers={"extra-gp-minutes": 600, "patients-a-year": 1000})
    with app.extensions["pathway_review.db"].sessions() as session:
        result = workload(session, *DEFAULT_Q)
    assert (result.respondents, result.total_hours, result.median_hours) == (3, 65.0, 10.0)  # 10, 5 and 50 hours
    assert "minutes × patients ÷ 60" in result.method


def test_every_open_consultations_dashboard_shows_the_figure_and_the_method(client, auth, app):
    auth.login("cfsd")
    for slug_version in (OPEN, DEFAULT_Q):
        page = client.get("/consultations/{}/{}/".format(*slug_version)).get_data(as_text=True)
        assert "do not ask for time estimates" not in page
        assert "No respondent has estimated the extra time yet." in page
        assert "How it is worked out: Each GP who estimated both" in page
