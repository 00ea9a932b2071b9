"""Helpers shared by the feedback plugin's tests: valid patient identifiers, tokens, records."""
from __future__ import annotations

import json
from html import escape
import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from pathway_review import accounts
from pathway_review.models import User
from tests.conftest import ACCOUNTS

OPEN = ("suspected-colorectal-cancer", "3.0")      # own questions
DEFAULT_Q = ("headache-in-adults", "1.0")         # open, default questions
UPCOMING = ("heavy-menstrual-bleeding", "1.0")
CLOSED = ("recurrent-uti-in-women", "1.0")


def _mod11(nine: str) -> int | None:
    check = 11 - sum(int(d) * w for d, w in zip(nine, range(10, 1, -1))) % 11
    return None if check == 10 else check % 11


def chi_numbers(count: int, seed: int = 1) -> list[str]:
    """Valid CHI numbers (date of birth, modulus-11 check digit)."""
    rng, found = random.Random(seed), []
    while len(found) < count:
        day = datetime(1930, 1, 1) + timedelta(days=rng.randrange(30000))
        nine = day.strftime("%d%m%y") + f"{rng.randrange(1000):03d}"
        check = _mod11(nine)
        if check is not None:
            found.append(nine + str(check))
    return found


def nhs_numbers(count: int, seed: int = 2) -> list[str]:
    rng, found = random.Random(seed), []
    while len(found) < count:
        nine = f"{rng.randrange(400_000_000, 999_999_999):09d}"
        check = _mod11(nine)
        if check is not None and len(set(nine + str(check))) > 1:
            found.append(nine + str(check))
    return found


def db(app):
    return app.extensions["pathway_review.db"]


def user(app, who: str) -> User:
    with db(app).sessions() as session:
        found = session.scalar(select(User).where(User.email == ACCOUNTS.get(who, (who,))[0]))
        _ = found.board  # loaded before the session closes
        session.expunge(found)
        return found


def token(app, who: str) -> dict:
    with db(app).transaction() as session:
        found = session.scalar(select(User).where(User.email == ACCOUNTS[who][0]))
        return {"Authorization": "Bearer " + accounts.create_token(session, found)}


def add_gp(app, email: str, board: str, name: str = "Extra GP") -> int:
    with db(app).transaction() as session:
        return accounts.create_user(session, email, name, "gp", None, board).id


def insert(app, who, slug, version, **fields) -> int:
    """A feedback row written straight through the model, as if submitted (whatever the window says)."""
    from plugins.feedback.models import Feedback

    library = app.extensions["pathway_review.library"]
    pv = library.get_version(slug, version)
    section = pv.section(fields.get("section_id")) if fields.get("section_id") else None
    answers = fields.pop("answers", {})
    themes = fields.pop("themes", [])
    if "text" in fields and "text_html" not in fields:  # pages show the rendered text
        fields["text_html"] = f"<p>{escape(fields['text'])}</p>"
    with db(app).transaction() as session:
        author = session.scalar(select(User).where(User.email == ACCOUNTS.get(who, (who,))[0])) \
            if not isinstance(who, int) else session.get(User, who)
        now = fields.pop("submitted_at", datetime.now(timezone.utc))
        row = Feedback(user_id=author.id, board_id=author.board_id, pathway_slug=slug, version=version,
                       section_title=section.title if section else None,
                       section_fingerprint=section.fingerprint if section else None,
                       type="workload", text="A comment", text_html="<p>A comment</p>", status="new",
                       answers=json.dumps(answers, sort_keys=True), themes=json.dumps(themes),
                       created_at=now, updated_at=now, submitted_at=now)
        for key, value in fields.items():
            setattr(row, key, value)
        session.add(row)
        session.flush()
        return row.id


def count_feedback(app) -> int:
    with db(app).engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM feedback").scalar()


def fetch(app, feedback_id: int):
    from plugins.feedback.models import Feedback

    with db(app).sessions() as session:
        found = session.get(Feedback, feedback_id)
        if found is not None:
            session.expunge(found)
        return found


def history(app, feedback_id: int) -> list:
    from plugins.feedback.models import FeedbackHistory

    with db(app).sessions() as session:
        return session.scalars(select(FeedbackHistory).where(FeedbackHistory.feedback_id == feedback_id)
                               .order_by(FeedbackHistory.id)).all()


def api_body(**overrides) -> dict:
    body = {"version": OPEN[1], "section": "key-messages", "type": "workload",
            "text": "The FIT threshold moves work onto practices.",
            "answers": {"fit-threshold-deliverable": "With changes", "fit-kits-per-month": 40},
            "safety_concern": False, "anonymous": False}
    body.update(overrides)
    return body


def form(**overrides) -> dict:
    data = {"section": "key-messages", "type": "workload", "text": "We cannot get this test in time.",
            "answers.fit-threshold-deliverable": "No", "answers.fit-kits-per-month": "25",
            "attribution": "named", "action": "submit"}
    data.update(overrides)
    return data
