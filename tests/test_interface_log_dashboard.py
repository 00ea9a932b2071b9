"""The board dashboard's figures on known data, and what the log contributes to export and search."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from pathway_review import hookimpl

DASHBOARD = "/interface-log/boards/lothian/"


class SearchListener:
    """Stands in for a search index: remembers what it was told."""
    name = "search_listener"

    def __init__(self):
        self.documents, self.removed = [], []

    @hookimpl
    def search_documents_changed(self, documents, removed):
        self.documents.extend(documents)
        self.removed.extend(removed)


@pytest.fixture
def listener():
    return SearchListener()


@pytest.fixture
def app_config(listener):
    return {"PLUGINS": [listener]}


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=timezone.utc)


# (logged, finished, status, category, safety). Today is 2026-11-21 in the tests.
KNOWN = [
    ("2026-09-01", "2026-09-05", "resolved", "discharge-letters", False),  # 4 days
    ("2026-09-10", "2026-10-20", "resolved", "prescribing", True),         # 40 days
    ("2026-10-01", "2026-10-08", "resolved", "discharge-letters", False),  # 7 days
    ("2026-11-01", "2026-11-11", "resolved", "test-results", False),       # 10 days
    ("2025-10-01", "2025-11-30", "resolved", "prescribing", False),        # 60 days, before the 12 months shown
    ("2026-10-02", "2026-10-03", "closed", "fit-notes", False),
    ("2026-11-20", None, "new", "discharge-letters", True),
    ("2026-08-01", None, "in-progress", "referrals", False),
    ("2026-10-15", None, "new", "test-results", True),
]


def seed(app, board_slug, rows):
    from pathway_review.boards import get_board
    from plugins.interface_log.models import InterfaceIssue

    with app.extensions["pathway_review.db"].transaction() as session:
        board = get_board(session, board_slug)
        for n, (logged, finished, status, category, safety) in enumerate(rows, start=1):
            session.add(InterfaceIssue(
                board_id=board.id, category=category, description=f"Known issue {n}.",
                service=f"{board.name} service {n}", patient_safety=safety, status=status,
                resolution="Sorted." if finished else None,
                lasting_change=(n % 2 == 1) if status == "resolved" else None,
                lasting_change_detail="Template rewritten." if status == "resolved" and n % 2 == 1 else None,
                created_at=at(logged), updated_at=at(finished or logged),
                finished_at=at(finished) if finished else None))


@pytest.fixture
def known(app, runner):
    for board in ("lothian", "fife"):
        assert runner.invoke(args=["plugins", "enable", "interface_log", "--board", board]).exit_code == 0
    seed(app, "lothian", KNOWN)
    seed(app, "fife", KNOWN[:2])


def test_dashboard_figures(client, auth, known):
    auth.login("gp")
    page = client.get(DASHBOARD).get_data(as_text=True)
    assert re.search(r'id="figure-open">3 \(2 flagged for patient safety\)', page)
    assert re.search(r'id="figure-resolved">5 \(3 with a lasting change\)', page)
    assert re.search(r'id="figure-median">10 days', page)  # 4, 7, 10, 40, 60
    assert re.search(r'id="figure-closed">1<', page)

    # The chart's table of numbers, under the chart drawn on the server.
    chart = page[page.index('<figure class="pr-chart" id="resolved-per-month">'):]
    chart = chart[:chart.index("</figure>")]
    assert 'role="img"' in chart and "12 points, 4 in all." in chart
    months = dict(re.findall(r'<th class="nhsuk-table__header" scope="row">(\w+ \d{4})</th>'
                             r'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">(\d+)</td>', chart))
    assert list(months)[0] == "December 2025" and list(months)[-1] == "November 2026" and len(months) == 12
    assert (months["September 2026"], months["October 2026"], months["November 2026"]) == ("1", "2", "1")
    assert sum(int(n) for n in months.values()) == 4

    by_category = re.search(r'<table class="nhsuk-table" id="by-category">(.*?)</table>', page, re.S).group(1)
    rows = [(re.sub(r"<[^>]+>", "", label), cells) for label, cells in re.findall(
        r'scope="row">(.*?)</th>((?:\s*<td class="nhsuk-table__cell">\d+</td>)+)', by_category, re.S)]
    table = [(label, re.findall(r">(\d+)<", cells)) for label, cells in rows]
    assert table == [
        ("Discharge and clinic letters", ["1", "2", "1", "3"]),
        ("Test results (who acts on a result, who tells the patient)", ["1", "1", "1", "2"]),
        ("Referrals (rejected, redirected, advice-only)", ["1", "0", "0", "1"]),
        ("Hospital requests for GP prescribing and shared-care medicines", ["0", "2", "1", "2"]),
        ("Fit notes", ["0", "0", "0", "1"]),
    ]


def test_open_issues_put_patient_safety_first(client, auth, known):
    auth.login("board-admin")
    page = client.get(DASHBOARD).get_data(as_text=True)
    open_table = re.search(r"<h2>Open issues</h2>(.*?)</table>", page, re.S).group(1)
    services = re.findall(r"NHS Lothian service (\d+)", open_table)
    assert services == ["9", "7", "8"]  # safety-flagged oldest first, then the rest


def test_each_board_sees_its_own_figures(client, auth, known):
    auth.login("gp-fife")
    page = client.get("/interface-log/boards/fife/").get_data(as_text=True)
    assert re.search(r'id="figure-open">0<', page)
    assert re.search(r'id="figure-median">22 days', page)  # 4 and 40
    assert "NHS Lothian" not in page


def rows_for(app, email, filters=None):
    from flask import g

    from pathway_review.auth import enabled_for_board
    from pathway_review.models import User
    from pathway_review.plugins import hooks, host

    with app.extensions["pathway_review.db"].sessions() as session:
        user = session.scalar(select(User).where(User.email == email))
    with app.test_request_context("/"):
        g.user = user
        g.hooks = host().view(enabled_for_board(user.board_id) if user.board_id else None)
        found = {d.name: d for result in hooks().datasets() for d in result or []}
        if "interface_issues" not in found:
            return None
        dataset = found["interface_issues"]
        assert {"board-admin", "cfsd"} <= dataset.roles and "gp" not in dataset.roles
        return list(dataset.rows(filters or {}))


def test_the_dataset_is_scoped_to_the_requesting_board(app, known):
    lothian = rows_for(app, "admin@lothian.example")
    assert len(lothian) == 9 and {row["board"] for row in lothian} == {"NHS Lothian"}
    assert len(rows_for(app, "admin@fife.example")) == 2
    assert {row["board"] for row in rows_for(app, "staff@cfsd.example")} == {"NHS Lothian", "NHS Fife"}


@pytest.mark.parametrize("filters, expected", [
    ({"status": "resolved"}, 5),
    ({"category": "discharge-letters"}, 3),
    ({"safety": True}, 3),
    ({"logged_from": "2026-10-01", "logged_to": "2026-10-31"}, 3),
    ({"status": "new", "safety": True}, 2),
])
def test_dataset_filters(app, known, filters, expected):
    assert len(rows_for(app, "admin@lothian.example", filters)) == expected


def test_dataset_rows_say_how_long_each_issue_took(app, known):
    first = rows_for(app, "admin@lothian.example", {"status": "resolved"})[0]
    assert (first["logged"], first["finished"], first["days_to_resolve"]) == ("2026-09-01", "2026-09-05", 4)
    assert first["lasting_change"] == "yes" and first["lasting_change_detail"] == "Template rewritten."


def test_the_dataset_leaves_with_the_plugin(app, runner, known):
    runner.invoke(args=["plugins", "disable", "interface_log", "--board", "fife"])
    assert rows_for(app, "admin@fife.example") is None
    assert {row["board"] for row in rows_for(app, "staff@cfsd.example")} == {"NHS Lothian"}


def test_search_is_told_about_issues_for_their_board_only(app, client, auth, runner, listener):
    from pathway_review.plugins import host

    assert runner.invoke(args=["plugins", "enable", "interface_log", "--board", "lothian"]).exit_code == 0
    auth.login("gp")
    response = auth.post("/interface-log/boards/lothian/issues/new", {
        "category": "fit-notes", "service": "Orthopaedics", "description": "Fit notes after day surgery."})
    assert response.status_code == 303
    [document] = [d for d in listener.documents if d.plugin == "interface_log"]
    assert (document.board, document.kind, document.url) == ("lothian", "interface-issue", response.headers["Location"])
    assert "Fit notes after day surgery." in document.text

    runner.invoke(args=["plugins", "disable", "interface_log", "--board", "lothian"])
    assert listener.removed == [document.id]
    with app.app_context():
        rebuilt = [d for found in host().hook.search_documents() for d in (found or [])
                   if d.plugin == "interface_log"]
    assert rebuilt == []  # a rebuild leaves out a board that switched the log off
    runner.invoke(args=["plugins", "enable", "interface_log", "--board", "lothian"])
    with app.app_context():
        rebuilt = [d for found in host().hook.search_documents() for d in (found or [])
                   if d.plugin == "interface_log"]
    assert [d.id for d in rebuilt] == [document.id]


def test_cfsd_exports_the_issue_log_through_the_export_plugin(app, client, auth, known):
    import csv
    import io

    # Only an absent export package skips this; one that is present and failed fails the test.
    pytest.importorskip("plugins.export", reason="the export plugin is not installed")
    export = app.extensions["pathway_review.plugins"].info.get("export")
    assert export is not None and export.failure is None, export
    auth.login("cfsd")
    response = client.get("/api/v1/export/interface_issues.csv?status=resolved&safety=yes")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted((row["board"], row["days_to_resolve"]) for row in rows) == [("NHS Fife", "40"), ("NHS Lothian", "40")]
    refused = client.get("/api/v1/export/interface_issues.csv?status=lost")
    assert refused.status_code == 400 and "status" in str(refused.get_json())
    auth.logout()
    auth.login("gp")
    assert client.get("/api/v1/export/interface_issues.csv").status_code == 403
