"""A feedback POST is one short write: who is asking in one query, then one transaction of a few statements.

Counted, not timed: each statement is a round trip to the database, and on SQLite the write lock is held
for the whole transaction, so every other writer waits for all of them.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests.feedback_support import OPEN, api_body, count_feedback, db, insert, token

API = f"/api/v1/pathways/{OPEN[0]}/feedback"
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def counting(database):
    """What reaches the database through any of the app's engines (SQLite reads have one of their own)."""
    seen = {"statements": [], "control": [], "commits": 0}

    def statement(conn, cursor, sql, parameters, context, executemany):
        seen["control" if sql.lstrip().upper().startswith(CONTROL) else "statements"].append(sql)

    def commit(conn):
        seen["commits"] += 1

    for engine in database.engines:
        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine, "commit", commit)
    try:
        yield seen
    finally:
        for engine in database.engines:
            event.remove(engine, "before_cursor_execute", statement)
            event.remove(engine, "commit", commit)


def test_a_feedback_post_is_one_write_of_at_most_six_statements(client, app):
    headers = token(app, "gp")
    assert client.post(API, json=api_body(), headers=headers).status_code == 201  # the token's first use is noted
    handed_over, database = [], db(app)
    deliver, database.events_committed = database.events_committed, handed_over.extend
    try:  # the job queue's delivery runs in the worker, not in this request
        with counting(database) as seen:
            response = client.post(API, json=api_body(text="A second comment."), headers=headers)
    finally:
        database.events_committed = deliver
    assert response.status_code == 201
    assert handed_over  # the feedback's events were written and handed to the queue
    assert count_feedback(app) == 2
    assert seen["commits"] == 1
    identity, *write = seen["statements"]
    assert "user_account" in identity and "api_token" in identity
    # With PostgreSQL's search the record's search row is written in the same transaction, so every host finds
    # it the moment it commits: that one statement is search's, on top of the request's own six.
    searched = [statement for statement in write if "INSERT INTO search_document" in statement]
    assert len(searched) == (0 if app.config["DATABASE_URL"].startswith("sqlite") else 1)
    assert len(write) - len(searched) <= 6, "\n".join(write)


def test_a_cached_page_view_is_one_query(client, app, auth):
    auth.login("gp")
    client.get("/pathways/dyspepsia/")
    with counting(db(app)) as seen:
        page = client.get("/pathways/dyspepsia/")
    assert page.status_code == 200 and "Signed in as Dr Lothian GP" in page.get_data(as_text=True)
    assert seen["commits"] == 0
    # Who is asking, with their board's plugins and the cache marks of the site, their board and the page.
    (identity,) = seen["statements"]
    assert "login_session" in identity and "cache_mark" in identity
    if app.config["DATABASE_URL"].startswith("sqlite"):
        # One SELECT is atomic on its own: no BEGIN and ROLLBACK round it.
        assert seen["control"] == [], seen["control"]


def test_init_and_the_hourly_upkeep_give_the_planner_statistics_and_forget_old_limits(app, runner):
    from sqlalchemy import select

    from pathway_review import ratelimit
    from pathway_review.db import upkeep
    from pathway_review.jobs import periodic_tasks
    from pathway_review.models import RateLimitWindow

    database = db(app)
    insert(app, "gp", *OPEN)
    assert runner.invoke(args=["init"]).exit_code == 0
    with database.engine.connect() as conn:
        if database.is_sqlite:
            analysed = conn.exec_driver_sql("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'feedback'").scalar()
        else:
            analysed = conn.exec_driver_sql("SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'feedback' "
                                            "AND last_analyze IS NOT NULL").scalar()
    assert analysed

    with database.transaction() as session:
        ratelimit.count_in(session, "feedback:create:1", "5/60", now=1_000)  # long ago
        assert ratelimit.count_in(session, "feedback:create:1", "5/60")
    assert periodic_tasks(app)["core.database_upkeep"].run is upkeep
    upkeep(app)
    with database.sessions() as session:
        kept = session.scalars(select(RateLimitWindow.window_start)).all()
    assert len(kept) == 1 and kept[0] > 1_000
