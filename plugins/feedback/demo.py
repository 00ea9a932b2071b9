"""``pathway-review feedback demo N``: realistic synthetic feedback for demonstrations and benchmarks.

Rows go in with bulk inserts in batches, so a hundred thousand take seconds. The texts contain no
digits that could pass for a patient identifier.
"""
from __future__ import annotations

import json
import random
from datetime import datetime, time, timedelta, timezone

import click
from sqlalchemy import insert, select

from pathway_review.plugin_api import (Board, User, consultation_status, database, library as pathway_library,
                                       render_markdown, today, with_database)

from .models import ANSWERED, TYPES, Feedback
from .questions import MINUTES_ID, PATIENTS_ID, questions_for
from .tally import count_inserted

BATCH = 5000
GPS_PER_BOARD = 5
TEXTS = [
    "Our practice cannot get a **FIT** result back within the time this section expects.",
    "The red flags are clear, but the wording on *persistent* symptoms needs a duration.",
    "This moves work onto general practice: the repeat bloods should be requested by the clinic.",
    "Please say who tells the patient the result, and who acts on it.",
    "We have no direct access to ultrasound, so this step would add weeks for our patients.",
    "Good change. The referral form now matches what the hospital asks for.",
    "The patient leaflet should be available in other languages and easy read.",
    "Safety netting advice is sensible; could the pathway give a standard text for the record?",
    "Rural practices cannot meet the same-day route described here without transport support.",
    "- Thresholds are clear\n- The table of priorities helps\n- The advice-only route needs a contact",
]
RESPONSES = [
    "Thank you. We have clarified the wording in the next draft.",
    "Agreed: the hospital team will request these tests from now on.",
    "We discussed this with the Specialty Delivery Group and kept the threshold, with reasons added.",
    "Partly accepted: the leaflet will be translated; easy read is planned for the next review.",
]
THEMES = ["workload shift", "test access", "rural access", "wording", "patient information", "results"]
STATUS_WEIGHTS = {"new": 40, "acknowledged": 20, "accepted": 15, "partly-accepted": 10, "not-accepted": 10,
                  "changed-in-next-version": 5}
TEXT_ANSWERS = ["Blood tests and urine dipstick in the practice.", "A practice nurse call after two weeks.",
                "Phlebotomy only on two days a week."]


def register(cli) -> None:
    group = click.Group("feedback", help="Feedback on pathways.")
    cli.add_command(group)

    @group.command("demo")
    @click.argument("count", type=click.IntRange(1, 5_000_000))
    @click.option("--seed", type=int, default=None, help="Same seed, same feedback.")
    @with_database
    def demo(count, seed):
        """Insert COUNT synthetic submitted feedback records on the open consultations."""
        try:
            inserted, rounds = insert_demo(count, seed)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Inserted {inserted} feedback records on {', '.join(rounds)}.")


def demo_gps(session) -> list[tuple[int, int, str]]:
    """(user id, board id, practice code) of the synthetic GPs, created on first use without passwords."""
    boards = session.execute(select(Board.id, Board.slug, Board.name).where(Board.kind == "territorial")
                             .order_by(Board.slug)).all()
    if not boards:
        raise ValueError("There are no Health Boards yet: run `pathway-review init` first.")
    wanted = {f"demo.gp{k}.{slug}@example.nhs.scot": (board_id, f"D{i:02d}{k:02d}",
                                                       f"Demo GP {k} {name.removeprefix('NHS ')}")
              for i, (board_id, slug, name) in enumerate(boards) for k in range(1, GPS_PER_BOARD + 1)}
    existing = set(session.scalars(select(User.email).where(User.email.in_(list(wanted)))))
    missing = [{"email": email, "name": name, "role": "gp", "board_id": board_id, "practice_code": code,
                "active": True, "created_at": datetime.now(timezone.utc)}
               for email, (board_id, code, name) in wanted.items() if email not in existing]
    if missing:
        session.execute(insert(User.__table__), missing)
    return [tuple(row) for row in session.execute(
        select(User.id, User.board_id, User.practice_code).where(User.email.in_(list(wanted))).order_by(User.id))]


def _answers(rng, questions) -> dict:
    answers = {}
    for q in questions:
        if rng.random() < 0.15:
            continue  # some leave a question blank
        if q.kind == "choice":
            answers[q.id] = rng.choice(q.choices)
        elif q.kind == "multiple":
            answers[q.id] = [c for c in q.choices if rng.random() < 0.5]
        elif q.kind == "number":
            answers[q.id] = rng.randint(0, 30) if q.id == MINUTES_ID else rng.randint(0, 400) \
                if q.id == PATIENTS_ID else rng.randint(0, 100)
        else:
            answers[q.id] = rng.choice(TEXT_ANSWERS)
    return answers


def insert_demo(count: int, seed: int | None = None) -> tuple[int, list[str]]:
    rng = random.Random(seed)
    day = today()
    library = pathway_library()
    rounds = [pv for pathway in library.pathways.values() for pv in pathway.versions
              if consultation_status(pv, day).is_open]
    if not rounds:
        raise ValueError(f"No consultation is open on {day.isoformat()}: there is nothing to give feedback on.")
    html = {text: render_markdown(text) for text in TEXTS}  # rendered once, not per row
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    with database().transaction() as session:
        gps = demo_gps(session)
    inserted = 0
    while inserted < count:
        batch = []
        for _ in range(min(BATCH, count - inserted)):
            pv = rng.choice(rounds)
            user_id, board_id, practice = rng.choice(gps)
            section = rng.choice(pv.sections) if pv.sections and rng.random() < 0.8 else None
            status = rng.choices(statuses, weights)[0]
            start = datetime.combine(pv.consultation_opens, time.min, timezone.utc)
            span = max((min(day, pv.consultation_closes) - pv.consultation_opens).days, 0) + 1
            submitted = start + timedelta(seconds=rng.randrange(span * 86400))
            text = rng.choice(TEXTS)
            anonymous = rng.random() < 0.25
            batch.append({
                "user_id": user_id, "board_id": board_id, "practice_code": practice, "pathway_slug": pv.slug,
                "version": pv.version, "section_id": section.id if section else None,
                "section_title": section.title if section else None,
                "section_fingerprint": section.fingerprint if section else None,
                "type": rng.choice(list(TYPES)), "text": text, "text_html": html[text],
                "answers": json.dumps(_answers(rng, questions_for(pv)), sort_keys=True),
                "safety_concern": rng.random() < 0.05, "anonymous": anonymous,
                "hide_board": anonymous and rng.random() < 0.3, "status": status,
                "response": rng.choice(RESPONSES) if status in ANSWERED else None,
                "themes": json.dumps(sorted(set(rng.sample(THEMES, rng.randint(0, 2)))) if status != "new" else []),
                "created_at": submitted, "updated_at": submitted, "submitted_at": submitted,
            })
        with database().transaction() as session:
            session.execute(insert(Feedback.__table__), batch)
            count_inserted(session, batch)  # a bulk insert passes by the counting at flush
        inserted += len(batch)
    return inserted, [f"{pv.slug} {pv.version}" for pv in rounds]
