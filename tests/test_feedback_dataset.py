"""What feedback contributes to the rest: the export dataset, search documents, and the demo command."""
from __future__ import annotations

import inspect
import itertools
import tracemalloc
from collections import deque
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pathway_review.plugins import host
from tests.feedback_support import DEFAULT_Q, OPEN, insert


def dataset(app):
    with app.app_context():
        found = [d for group in host().hook.datasets() for d in group or () if d.name == "feedback"]
    assert len(found) == 1
    return found[0]


def test_dataset_declares_filters_and_personal_columns(app):
    feedback = dataset(app)
    assert [f.name for f in feedback.filter_specs] == [
        "pathway", "version", "round", "board", "section", "type", "status", "safety", "submitted_from",
        "submitted_to"]
    kinds = {f.name: f.kind for f in feedback.filter_specs}
    assert kinds["safety"] == "bool" and kinds["submitted_from"] == "date"
    assert "suspected-colorectal-cancer/3.0" in next(f for f in feedback.filter_specs if f.name == "round").choices
    assert feedback.personal_columns == ("author_name", "author_email")
    assert feedback.roles == frozenset({"cfsd", "admin"})


def test_columns_follow_the_filtered_versions_questions(app):
    feedback = dataset(app)
    with app.app_context():
        colorectal = feedback.columns({"round": "/".join(OPEN)})
        headache = feedback.columns({"pathway": DEFAULT_Q[0], "version": DEFAULT_Q[1]})
    assert colorectal[:3] == ["id", "pathway", "version"] and "author_email" in colorectal
    assert [c for c in colorectal if c.startswith("answer:")] == [
        "answer:fit-threshold-deliverable", "answer:fit-kits-per-month", "answer:fit-non-return-support",
        "answer:extra-gp-minutes", "answer:patients-a-year"]  # the workload questions every consultation asks
    assert "answer:extra-gp-minutes" in headache and "answer:fit-kits-per-month" not in headache


def test_rows_carry_every_field_and_honour_filters(app):
    first = insert(app, "gp", *OPEN, section_id="key-messages", safety_concern=True, anonymous=True,
                   themes=["rural access", "wording"], response="Thanks",
                   answers={"fit-threshold-deliverable": "No", "fit-kits-per-month": 12})
    second = insert(app, "gp-fife", *OPEN, type="other")
    insert(app, "gp", *OPEN, status="draft")
    withdrawn = insert(app, "gp", *OPEN, status="withdrawn")
    insert(app, "gp", *DEFAULT_Q)
    feedback = dataset(app)
    with app.app_context():
        rows = feedback.rows({"round": "/".join(OPEN)})
        assert inspect.isgenerator(rows)
        rows = list(rows)
        assert [r["id"] for r in rows] == [first, second]
        row = rows[0]
        # Anonymous: the board and nothing else about who wrote it.
        assert (row["board"], row["author_name"], row["author_email"], row["practice_code"]) == (
            "lothian", None, None, None)
        assert (rows[1]["board"], rows[1]["author_name"]) == ("fife", "Dr Fife GP")
        assert (row["safety_concern"], row["anonymous"], row["themes"]) == (True, True, "rural access; wording")
        assert (row["answer:fit-threshold-deliverable"], row["answer:fit-kits-per-month"]) == ("No", "12")
        assert row["answer:fit-non-return-support"] is None and row["submitted_at"].utcoffset() == timedelta(0)
        assert set(row) == set(feedback.columns({"round": "/".join(OPEN)}))

        def ids(**filters):
            return [r["id"] for r in feedback.rows({"round": "/".join(OPEN), **filters})]

        assert ids(board="fife") == [second]
        assert ids(safety=True) == [first] and ids(safety="false") == [second]
        assert ids(type="other") == [second] and ids(section="key-messages") == [first]
        assert ids(status="withdrawn") == [withdrawn]
        assert ids(submitted_from="2099-01-01") == [] and len(ids(submitted_to="2099-01-01")) == 2
        summary = feedback.summary({"round": "/".join(OPEN)})
    assert dict(summary["By board"]) == {"NHS Lothian": 1, "NHS Fife": 1}
    assert dict(summary["By type"]) == {"Workload": 1, "Other": 1}
    assert dict(summary["By section"]) == {"Key messages": 1, "The whole pathway": 1}
    assert dict(summary["By status"]) == {"New": 2}


def peak_memory(consume) -> int:
    tracemalloc.start()
    try:
        consume()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_rows_stream_in_constant_memory(app, runner):
    assert runner.invoke(args=["feedback", "demo", "6000", "--seed", "1"]).exit_code == 0
    feedback = dataset(app)
    with app.app_context():
        few = peak_memory(lambda: deque(itertools.islice(feedback.rows({}), 1500), maxlen=0))
        every = peak_memory(lambda: deque(feedback.rows({}), maxlen=0))
        held = peak_memory(lambda: list(feedback.rows({})))
    assert every < few * 1.5   # four times the rows, about the same memory: one batch at a time
    assert held > every * 2    # what holding them all would cost, so the measure means something


def test_search_documents_are_for_cfsd_only(app):
    submitted = insert(app, "gp", *OPEN, text="Kits run out", section_id="key-messages")
    insert(app, "gp", *OPEN, status="draft")
    insert(app, "gp", *OPEN, status="withdrawn")
    with app.app_context():
        documents = [d for group in host().hook.search_documents() for d in group or () if d.plugin == "feedback"]
    assert [d.id for d in documents] == [f"feedback:{submitted}"]
    document = documents[0]
    assert document.roles == frozenset({"cfsd", "admin"}) and document.kind == "feedback"
    assert document.url == f"/consultations/responses/{submitted}/" and "Kits run out" in document.text
    assert document.heading == "Key messages" and document.version == "3.0"


def test_demo_command_spreads_feedback_over_open_consultations(app, runner, client, auth):
    from plugins.feedback.models import Feedback

    result = runner.invoke(args=["feedback", "demo", "600", "--seed", "4"])
    assert result.exit_code == 0 and "Inserted 600 feedback records" in result.output
    with app.extensions["pathway_review.db"].sessions() as session:
        rounds = set(session.execute(select(Feedback.pathway_slug, Feedback.version).distinct()).all())
        statuses = set(session.scalars(select(Feedback.status).distinct()))
        boards = session.scalar(select(func.count(func.distinct(Feedback.board_id))))
        answered = session.scalar(select(func.count()).where(Feedback.answers != "{}"))
    assert rounds == {OPEN, DEFAULT_Q, ("visible-haematuria", "1.1")}
    assert {"new", "acknowledged", "accepted"} <= statuses and boards == 14 and answered > 500
    auth.login("cfsd")
    page = client.get("/consultations/{}/{}/".format(*DEFAULT_Q)).get_data(as_text=True)
    assert "extra GP hours a year" in page


@pytest.mark.parametrize("app_config", [{"TODAY": "2030-01-01"}])
def test_demo_command_needs_an_open_consultation(runner):
    result = runner.invoke(args=["feedback", "demo", "10"])
    assert result.exit_code != 0 and "No consultation is open on 2030-01-01" in result.output
