"""The consultation report: PDF and Word files that open, with the counts CfSD's dashboard shows, anonymous
responses kept anonymous, identifiers removed, the sample notice on every page, and large rounds built in the
job queue behind a page that refreshes itself."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import docx
import pytest
from pypdf import PdfReader

from tests.feedback_support import DEFAULT_Q, OPEN, add_gp, chi_numbers, insert

T0 = datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)
EMPTY = ("suspected-colorectal-cancer", "2.0")


def known_round(app):
    """Five responses from four GPs in two boards; one anonymous, one with a CHI number in its text."""
    sections = app.extensions["pathway_review.library"].get_version(*DEFAULT_Q).sections
    secret = add_gp(app, "secret@fife.example", "fife", name="Dr Hidden Author")
    carol = add_gp(app, "carol@lothian.example", "lothian", name="Dr Carol Named")
    insert(app, "gp", *DEFAULT_Q, section_id=sections[0].id, safety_concern=True, submitted_at=T0,
           text="Thunderclap headache waits too long.", status="accepted", response="We moved it to red flags.",
           answers={"deliverable": "No", "extra-gp-minutes": 10, "patients-a-year": 60}, themes=["red flags"])
    insert(app, "gp-fife", *DEFAULT_Q, submitted_at=T0, type="other", practice_code="F1",
           answers={"deliverable": "Yes", "extra-gp-minutes": 30, "patients-a-year": 20}, themes=["red flags"])
    insert(app, secret, *DEFAULT_Q, submitted_at=T0 + timedelta(days=2), anonymous=True, practice_code="F2",
           text="Our practice cannot do this.", answers={"deliverable": "With changes"})
    insert(app, carol, *DEFAULT_Q, submitted_at=T0 + timedelta(days=2),
           text=f"Patient {chi_numbers(1)[0]} waited weeks.", answers={"extra-gp-minutes": 6, "patients-a-year": 50})
    insert(app, "gp", *DEFAULT_Q, submitted_at=T0 + timedelta(days=3), section_id=sections[1].id)
    insert(app, "gp", *DEFAULT_Q, status="draft", text="Unsent draft words")


def dashboard_figures(client):
    page = client.get("/consultations/{}/{}/".format(*DEFAULT_Q)).get_data(as_text=True)
    total, gps = (int(n) for n in re.findall(r'pr-feedback-figure">(\d+)</strong> (?:responses|GPs)', page))
    desc = page[page.index('id="responses-by-board-desc">'):]
    boards = dict(re.findall(r"(NHS [A-Za-z ]+): (\d+)", desc[:desc.index("</desc>")]))
    return total, gps, {name: int(n) for name, n in boards.items() if n != "0"}, page


def pdf_text(data: bytes) -> tuple[list[str], str]:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return pages, "\n".join(pages)


def docx_text(data: bytes) -> tuple[docx.document.Document, str]:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return document, "\n".join(parts)


def test_dashboard_offers_both_reports(client, auth, app):
    auth.login("cfsd")
    _, _, _, page = dashboard_figures(client)
    base = "/reports/{}/{}/".format(*DEFAULT_Q)
    assert f'href="{base}report.pdf">Download the consultation report (PDF)' in page
    assert f'href="{base}report.docx">Download the consultation report (Word)' in page


def test_pdf_report_has_the_dashboards_counts(client, auth, app):
    known_round(app)
    auth.login("cfsd")
    total, gps, boards, _ = dashboard_figures(client)
    response = client.get("/reports/{}/{}/report.pdf".format(*DEFAULT_Q))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "consultation-report-headache-in-adults-1.0.pdf" in response.headers["Content-Disposition"]
    pages, text = pdf_text(response.data)
    assert (total, gps, boards) == (5, 4, {"NHS Fife": 2, "NHS Lothian": 3})
    flat = " ".join(text.split())
    assert f"Responses {total}" in flat and f"GPs responding {gps}" in flat
    assert "Health Boards 2" in flat and "Practices 2" in flat
    for name, count in boards.items():
        assert f"{name} {count}" in flat
    assert "Thunderclap headache waits too long." in flat and "We moved it to red flags." in flat
    assert "Resolution: Accepted" in flat
    assert "Dr Hidden Author" not in flat and "A GP in NHS Fife" in flat and "Dr Carol Named" in flat
    assert chi_numbers(1)[0] not in text and "[number removed]" in flat
    assert "Unsent draft words" not in flat
    assert "25 extra GP hours a year in all, median 10.0 hours a year per practice, from 3 respondents" in flat
    assert "red flags 2" in flat
    assert all("Illustrative sample content" in page for page in pages)


def test_word_report_has_the_dashboards_counts(client, auth, app):
    known_round(app)
    auth.login("cfsd")
    total, gps, boards, _ = dashboard_figures(client)
    response = client.get("/reports/{}/{}/report.docx".format(*DEFAULT_Q))
    assert response.status_code == 200
    document, text = docx_text(response.data)
    reach = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert reach == {"Responses": str(total), "GPs responding": str(gps), "Health Boards": "2", "Practices": "2"}
    by_board = {row.cells[0].text: row.cells[2].text for row in document.tables[1].rows[1:]}
    assert {name: int(n) for name, n in by_board.items() if n != "0"} == boards
    assert "Dr Hidden Author" not in text and chi_numbers(1)[0] not in text
    assert all(s.header.paragraphs[0].text.startswith("Illustrative sample content") for s in document.sections)


def test_a_version_without_responses_still_gives_valid_reports(client, auth, app):
    auth.login("cfsd")
    pdf = client.get("/reports/{}/{}/report.pdf".format(*EMPTY))
    _, text = pdf_text(pdf.data)
    assert "This consultation received no responses." in " ".join(text.split())
    assert "What changed in version 3.0" in text
    word = client.get("/reports/{}/{}/report.docx".format(*EMPTY))
    _, words = docx_text(word.data)
    assert "This consultation received no responses." in words and "There are no responses to list." in words


def test_only_cfsd_gets_reports_and_bad_requests_are_refused(client, auth, app):
    auth.login("gp")
    assert client.get("/reports/{}/{}/report.pdf".format(*OPEN)).status_code == 403
    auth.logout()
    auth.login("cfsd")
    assert client.get("/reports/{}/{}/report.xlsx".format(*OPEN)).status_code == 404
    assert client.get("/reports/no-such-pathway/1.0/report.pdf").status_code == 404


def test_a_report_that_cannot_be_made_says_so_without_a_trace(client, auth, app, monkeypatch):
    import plugins.report.building as building

    def broken(report):
        raise ValueError("layout engine failed")

    monkeypatch.setitem(building.MAKERS, "pdf", broken)
    auth.login("cfsd")
    response = client.get("/reports/{}/{}/report.pdf".format(*EMPTY))
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "The report could not be made just now" in page
    assert "layout engine failed" not in page and "Traceback" not in page


@pytest.fixture
def app_config():
    return {"REPORT_BUILD_ON_REQUEST_UP_TO": 2}


def test_a_large_round_is_built_in_the_worker_behind_a_refreshing_page(client, auth, app, monkeypatch):
    import plugins.report.building as building

    known_round(app)
    woken = []
    monkeypatch.setattr(building, "jobs", SimpleNamespace(run_soon=lambda app, name: woken.append(name)))
    auth.login("cfsd")
    url = "/reports/{}/{}/report.docx".format(*DEFAULT_Q)
    waiting = client.get(url)
    assert waiting.status_code == 202 and woken == ["report.build"]
    page = waiting.get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="5">' in page and "being prepared" in page
    assert client.get(url).status_code == 202 and woken == ["report.build"]  # one build, not two
    building.build_queued(app)
    ready = client.get(url)
    assert ready.status_code == 200
    _, text = docx_text(ready.data)
    assert "Responses | 5" in text


def test_command_line_writes_the_report(app, runner, tmp_path):
    known_round(app)
    target = tmp_path / "report.docx"
    result = runner.invoke(args=["report", "headache-in-adults/1.0", "--format", "docx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    _, text = docx_text(target.read_bytes())
    assert "Responses | 5" in text
    wrong = runner.invoke(args=["report", "headache-in-adults/9.9", "--format", "pdf"])
    assert wrong.exit_code != 0 and "there is no pathway version" in wrong.output
