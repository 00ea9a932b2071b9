"""The dashboard's counts are kept as feedback is written: whatever happens to the feedback (submitted,
edited, triaged, withdrawn, a draft discarded), they equal a count of the stored rows done by hand."""
from __future__ import annotations

import json
import statistics
from collections import Counter
from datetime import datetime, timedelta, timezone

from alembic import command
from sqlalchemy import select

from pathway_review.db import alembic_config, upgrade
from pathway_review.models import as_utc

from tests.feedback_support import DEFAULT_Q, add_gp, api_body, db, insert, token

API = f"/api/v1/pathways/{DEFAULT_Q[0]}/feedback"
COUNTED = ("new", "acknowledged", "accepted", "partly-accepted", "not-accepted", "changed-in-next-version")
ANSWERED = ("accepted", "partly-accepted", "not-accepted", "changed-in-next-version")


def by_hand(app) -> dict:
    """Every figure, counted over the stored rows the slow way."""
    from plugins.feedback.models import Feedback

    with db(app).sessions() as session:
        rows = session.scalars(select(Feedback).where(
            Feedback.pathway_slug == DEFAULT_Q[0], Feedback.version == DEFAULT_Q[1],
            Feedback.status.in_(COUNTED)).order_by(Feedback.submitted_at, Feedback.id)).all()
        boards = {b.id: b.name for b in {r.board for r in rows if r.board}}
    answers, latest = Counter(), {}
    for row in rows:
        values = json.loads(row.answers)
        if values.get("deliverable"):
            answers[values["deliverable"]] += 1
        minutes, patients = values.get("extra-gp-minutes"), values.get("patients-a-year")
        if minutes is not None and patients is not None:
            latest[row.user_id] = minutes * patients / 60
    return {
        "total": len(rows), "respondents": len({r.user_id for r in rows}),
        "safety": sum(r.safety_concern for r in rows),
        "sections": Counter(r.section_id for r in rows), "types": Counter(r.type for r in rows),
        "boards": Counter(boards.get(r.board_id) or "Other or national" for r in rows),
        "statuses": Counter(r.status for r in rows),
        "deliverable": answers, "hours": (len(latest), sum(latest.values()),
                                          statistics.median(latest.values()) if latest else None),
        # The chart of responses per day, and the answers "You said, we did" pages through by section.
        "days": Counter(as_utc(r.submitted_at).date().isoformat() for r in rows if r.submitted_at),
        "replied": Counter(r.section_id for r in rows if r.status in ANSWERED and r.response),
    }


def on_dashboard(app) -> dict:
    from plugins.feedback.findings import per_day
    from plugins.feedback.models import STATUSES, TYPES
    from plugins.feedback.stats import figures
    from plugins.feedback.you_said import sections

    pv = app.extensions["pathway_review.library"].get_version(*DEFAULT_Q)
    with db(app).sessions() as session:
        found = figures(session, pv)
        days = Counter({day: n for day, n in per_day(session, pv) if n})
        replied = Counter({section.id: section.count for section in sections(session, pv)})
    type_keys, status_keys = {v: k for k, v in TYPES.items()}, {v: k for k, v in STATUSES.items()}
    deliverable = next(dict(t) for q, t, _ in found.answers if q.id == "deliverable")
    return {
        "total": found.total, "respondents": found.respondents, "safety": found.safety,
        "sections": Counter({sid: n for sid, _, n, _ in found.by_section if n}),
        "types": Counter({type_keys[label]: n for label, n in found.by_type if n}),
        "boards": Counter({name: n for name, n, _ in found.by_board if n}),
        "statuses": Counter({status_keys[label]: n for label, n in found.by_status if n}),
        "deliverable": Counter({k: n for k, n in deliverable.items() if n}),
        "hours": (found.estimate.respondents, found.estimate.total_hours, found.estimate.median_hours),
        "days": days, "replied": replied,
    }


def test_counts_follow_every_change_to_feedback(client, app):
    gp, fife = token(app, "gp"), token(app, "gp-fife")
    section = app.extensions["pathway_review.library"].get_version(*DEFAULT_Q).sections[1].id
    body = api_body(version=DEFAULT_Q[1], section=None,
                    answers={"deliverable": "No", "extra-gp-minutes": 10, "patients-a-year": 60})
    first = client.post(API, json=body, headers=gp).get_json()["id"]
    client.post(API, json=body | {"safety_concern": True, "section": section}, headers=fife)
    draft = client.post(API, json=body | {"draft": True}, headers=fife).get_json()["id"]
    assert on_dashboard(app) == by_hand(app)

    # The GP's later estimate replaces the earlier one; a submitted draft starts to count.
    client.patch(f"/api/v1/feedback/{first}", json={"answers": {"deliverable": "Yes", "extra-gp-minutes": 30,
                                                                "patients-a-year": 20}}, headers=gp)
    client.patch(f"/api/v1/feedback/{draft}", json={"draft": False, "type": "other"}, headers=fife)
    cfsd = token(app, "cfsd")
    client.post(f"/api/v1/feedback/{first}/triage", json={"status": "accepted", "response": "We will."},
                headers=cfsd)
    client.post(f"/api/v1/feedback/{draft}/triage", json={"status": "not-accepted"}, headers=cfsd)
    assert on_dashboard(app) == by_hand(app)
    assert sum(by_hand(app)["replied"].values()) == 1

    # Withdrawing the latest estimate brings back the one before it.
    latest = client.post(API, json=body | {"answers": {"extra-gp-minutes": 600, "patients-a-year": 100}},
                         headers=fife).get_json()["id"]
    assert on_dashboard(app)["hours"] == by_hand(app)["hours"]
    client.delete(f"/api/v1/feedback/{latest}", headers=fife)
    client.delete(f"/api/v1/feedback/{first}", headers=gp)
    assert on_dashboard(app) == by_hand(app)
    assert on_dashboard(app)["total"] == 2


def test_rows_written_out_of_order_keep_the_latest_estimate(app):
    carol = add_gp(app, "carol@lothian.example", "lothian")
    t0 = datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)
    insert(app, carol, *DEFAULT_Q, submitted_at=t0 + timedelta(days=2),
           answers={"extra-gp-minutes": 6, "patients-a-year": 50})
    insert(app, carol, *DEFAULT_Q, submitted_at=t0, answers={"extra-gp-minutes": 60, "patients-a-year": 50})
    assert on_dashboard(app)["hours"] == by_hand(app)["hours"] == (1, 5, 5)


def test_the_migration_counts_feedback_stored_before_it(app):
    from plugins.feedback.models import Feedback

    config = alembic_config(app)
    with db(app).engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "feedback_0001")
    carol = add_gp(app, "carol@lothian.example", "lothian")
    table = Feedback.__table__
    with db(app).engine.begin() as connection:  # written as an older release would, with no counts kept
        for n, (who, answers, status) in enumerate([
                (carol, {"deliverable": "No", "extra-gp-minutes": 10, "patients-a-year": 60}, "new"),
                (carol, {"deliverable": "Yes"}, "accepted"),
                (carol, {"deliverable": "Yes"}, "not-accepted"),
                (carol, {"deliverable": "Yes", "extra-gp-minutes": 1, "patients-a-year": 1}, "withdrawn"),
                (carol, {"deliverable": "With changes"}, "draft")]):
            connection.execute(table.insert().values(
                user_id=who, board_id=None, pathway_slug=DEFAULT_Q[0], version=DEFAULT_Q[1], type="workload",
                text="A comment", text_html="<p>A comment</p>", answers=json.dumps(answers), status=status,
                themes="[]", safety_concern=n == 0, anonymous=False, hide_board=False, section_id=None,
                submitted_at=datetime(2026, 11, 10 + n, 9, 0, tzinfo=timezone.utc),
                response="We changed it." if status == "accepted" else None))
    upgrade(app)
    expected = by_hand(app)
    assert expected["total"] == 3 and expected["hours"] == (1, 10, 10)
    assert expected["replied"] == {None: 1} and len(expected["days"]) == 3
    assert on_dashboard(app) == expected


def test_demo_feedback_written_in_bulk_is_counted_on_the_dashboard(app):
    result = app.test_cli_runner().invoke(args=["feedback", "demo", "120", "--seed", "3"])
    assert result.exit_code == 0, result.output
    expected = by_hand(app)
    assert expected["total"] > 0, "the demo wrote responses to this consultation"
    assert on_dashboard(app) == expected
