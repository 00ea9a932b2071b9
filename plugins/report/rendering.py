"""A gathered report laid out as PDF (HTML through WeasyPrint) or Word (python-docx).

Both carry the same sections in the same order; the sample notice sits in the PDF's page margin and the
Word document's header, so it is on every page however long the report runs.
"""
from __future__ import annotations

import io
import logging

from flask import render_template

from pathway_review.plugin_api import bar_chart

from .content import SAMPLE_NOTICE, Report


def _charts(report: Report) -> dict:
    f = report.findings
    return {"by_board": bar_chart("Responses by Health Board", f.by_board, header=("Health Board", "Responses"),
                                  chart_id="report-by-board"),
            "by_section": bar_chart("Responses by section", f.by_section, header=("Section", "Responses"),
                                    chart_id="report-by-section")}


def html(report: Report) -> str:
    return render_template("report/document.html", report=report, charts=_charts(report),
                           sample_notice=SAMPLE_NOTICE)


def pdf(report: Report) -> bytes:
    from weasyprint import HTML  # imported when a PDF is made: it loads Pango, which pages never need

    return HTML(string=html(report)).write_pdf()


def _table(document, rows, header=None):
    table = document.add_table(rows=0, cols=len(rows[0]) if rows else len(header or ()) or 2)
    table.style = "Table Grid"
    for row in ([header] if header else []) + list(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = "" if value is None else str(value)
    return table


def _bars(document, rows):
    """A chart in Word's own terms: each row's bar drawn in block characters, with its number."""
    most = max((n for _, n in rows), default=0)
    _table(document, [(label, ("█" * max(1, round(20 * n / most)) if n else ""), n) for label, n in rows],
           header=("", "Chart", "Number"))


def docx(report: Report) -> bytes:
    from docx import Document

    f = report.findings
    document = Document()
    if report.sample:
        for section in document.sections:
            section.header.paragraphs[0].text = SAMPLE_NOTICE
    document.add_heading(report.title, level=0)
    document.add_paragraph(f"{report.dates} Report made on {report.made_on.strftime('%-d %B %Y')}.")
    if report.sample:
        document.add_paragraph(f"{SAMPLE_NOTICE}. This pathway is sample content written to show the platform.")

    document.add_heading("Reach", level=1)
    if not f.responses:
        document.add_paragraph("This consultation received no responses.")
    _table(document, report.reach)
    document.add_heading("Responses by Health Board", level=1)
    _bars(document, f.by_board)
    document.add_heading("Responses by section", level=1)
    _bars(document, f.by_section)

    document.add_heading("Patient-safety concerns", level=1)
    for item in f.safety:
        document.add_paragraph(f"{item['reference']} · {item['section']} · {item['attribution']}")
        document.add_paragraph(item["text"])
        document.add_paragraph(f"Resolution: {item['status']}" + (f". {item['answer']}" if item["answer"] else ""))
    if not f.safety:
        document.add_paragraph("No response raised a patient-safety concern.")

    document.add_heading("Answers to the structured questions", level=1)
    for label, tally, answered in f.questions:
        document.add_paragraph(f"{label} ({answered} answered)")
        _table(document, tally)
    if not f.questions:
        document.add_paragraph("No structured questions with choices were asked.")

    document.add_heading("Estimated extra GP time", level=1)
    document.add_paragraph(report.hours_sentence)
    document.add_paragraph(f"Method: {(f.workload or {}).get('method', '')}")

    document.add_heading("Themes", level=1)
    if f.themes:
        _table(document, f.themes)
    else:
        document.add_paragraph("No themes were recorded.")

    document.add_heading("Governance", level=1)
    _table(document, [(s.label, *((s.latest.decision_label, s.latest.decided_on.strftime("%-d %B %Y"),
                                   s.latest.recorded_by, s.latest.note) if s.latest
                                  else ("Not yet recorded", "", "", ""))) for s in report.governance.steps],
           header=("Step", "Decision", "Date", "Recorded by", "Note"))
    document.add_paragraph("Signed off: every step approved." if report.governance.signed_off else "Not signed off.")

    if report.next_version:
        document.add_heading(f"What changed in version {report.next_version.version}", level=1)
        _table(document, report.changes)

    document.add_heading("Every response and CfSD's answer", level=1)
    for item in f.items:
        document.add_paragraph(" · ".join(filter(None, [item["reference"], item["submitted"], item["section"],
                                                        item["type"], item["attribution"],
                                                        "Patient-safety concern" if item["safety"] else ""])))
        document.add_paragraph(item["text"])
        document.add_paragraph(f"CfSD: {item['status']}" + (f". {item['answer']}" if item["answer"] else ""))
    if not f.items:
        document.add_paragraph("There are no responses to list.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# WeasyPrint logs every page it lays out at INFO; a 60-page report would bury the worker's own log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

MAKERS = {"pdf": pdf, "docx": docx}
