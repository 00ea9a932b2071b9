"""``pathway-review interface-log demo``: switch the issue log on for NHS Lothian and add a year of sample issues."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import click
from flask import current_app
from sqlalchemy import func, select

from pathway_review.plugin_api import (User, create_demo_accounts, database as app_database, get_board, library,
                                       set_plugin_enabled, today, with_database)

from .dashboard import summarise
from .data import kit
from .models import InterfaceIssue
from .rules import PLUGIN

BOARD = "lothian"
REPORTER = "gp.lothian@example.nhs.scot"
LIAISON = "admin.lothian@example.nhs.scot"

# (days ago logged, days to finish or None, status, category, safety, service, description, resolution,
#  lasting change). Illustrative sample content.
SAMPLE_ISSUES = [
    (200, 12, "resolved", "discharge-letters", True, "Acute medicine, Royal Infirmary",
     "Discharge letters do not say which regular medicines were stopped on the ward.",
     "Raised at the Interface Group with the acute medicine lead.",
     "The discharge letter template now has a required 'medicines stopped and why' section."),
    (170, 21, "resolved", "prescribing", False, "Gastroenterology outpatients",
     "Clinic letters ask GPs to start azathioprine before shared-care monitoring has been agreed.",
     "Agreed with gastroenterology that the hospital starts treatment.",
     "Hospital clinicians now issue the first 28 days' supply directly."),
    (150, 6, "resolved", "test-results", True, "Haematology laboratory",
     "Abnormal results requested in clinic are sent to the GP with no note of who will act on them.",
     "Laboratory confirmed results go to the requesting clinician; the copy to GPs is for information.", None),
    (130, 9, "resolved", "referrals", False, "Colorectal surgery",
     "Routine referrals are rejected without saying where the patient should be referred instead.",
     "Colorectal triage agreed a standard rejection reply.",
     "Rejection letters now name the right service and are copied to the patient."),
    (110, 3, "closed", "fit-notes", False, "Orthopaedic outpatients",
     "Patients are told to ask their GP for a fit note after day surgery.",
     "Closed as a duplicate of an issue already being handled by the orthopaedic team.", None),
    (95, 30, "resolved", "communication", False, "Mental health crisis team",
     "No way for a GP to speak to the crisis team about a patient without going through the main switchboard.",
     "Crisis team set up a professional line.", "A direct professional-to-professional line for GPs."),
    (80, 4, "resolved", "digital", True, "Laboratory system roll-out",
     "After the new laboratory system went live, some urine culture results did not reach practice inboxes.",
     "Supplier fixed the message routing; missed results were re-sent.", None),
    (60, 15, "resolved", "roles", False, "Cardiology",
     "Unclear who arranges the follow-up echocardiogram after a heart failure admission.",
     "Cardiology confirmed the ward books it before discharge.", None),
    (40, 7, "resolved", "other", False, "Patient transport",
     "Patients are told to ask their GP to book hospital transport.",
     "Transport bookings line added to outpatient letters.", None),
    (45, None, "in-progress", "discharge-letters", True, "Surgical receiving unit",
     "Discharge letters for weekend discharges arrive up to a week late.", None, None),
    (30, None, "in-progress", "prescribing", False, "Rheumatology",
     "Requests to prescribe methotrexate arrive without the monitoring schedule.", None, None),
    (20, None, "new", "test-results", True, "Emergency department",
     "Results of tests sent from the emergency department are copied to the GP with no plan.", None, None),
    (10, None, "new", "referrals", False, "Dermatology",
     "Advice-only requests have waited more than three weeks for a reply.", None, None),
    (5, None, "new", "communication", False, "Renal unit",
     "The renal unit's phone number on clinic letters is no longer answered.", None, None),
]
# Issues about a national pathway, by service, so they appear in CfSD's national picture.
SAMPLE_PATHWAYS = {"Colorectal surgery": "suspected-colorectal-cancer",
                   "Haematology laboratory": "iron-deficiency-anaemia",
                   "Laboratory system roll-out": "recurrent-uti-in-women"}


def add_sample_issues(session, board, reporter, liaison) -> int:
    start = datetime.combine(today(), time(10, 0), tzinfo=timezone.utc)
    for ago, took, status, category, safety, service, description, resolution, change in SAMPLE_ISSUES:
        logged = start - timedelta(days=ago)
        finished = logged + timedelta(days=took) if took is not None else None
        session.add(InterfaceIssue(
            board_id=board.id, category=category, description=description, service=service,
            pathway=SAMPLE_PATHWAYS.get(service) if library().get(SAMPLE_PATHWAYS.get(service, "")) else None,
            patient_safety=safety, status=status, resolution=resolution,
            lasting_change=(change is not None) if status == "resolved" else None, lasting_change_detail=change,
            owner_id=liaison.id if status != "new" else None, reported_by_id=reporter.id,
            created_at=logged, updated_at=finished or logged, finished_at=finished))
    return len(SAMPLE_ISSUES)


def register(cli) -> None:
    group = click.Group("interface-log", help="The interface issue log.")
    cli.add_command(group)

    @group.command("demo")
    @with_database
    def demo():
        """Switch the issue log on for NHS Lothian and add sample issues spread over the last months."""
        database = app_database()
        for line in create_demo_accounts(database):
            click.echo(line)
        with database.transaction() as session:
            board = get_board(session, BOARD)
            if board is None:
                raise click.ClickException("Run `pathway-review init` first: there is no board 'lothian'.")
            changed = set_plugin_enabled(session, PLUGIN, board, True)
            existing = session.scalar(select(func.count(InterfaceIssue.id)).where(InterfaceIssue.board_id == board.id))
            added = 0
            if not existing:
                reporter = session.scalar(select(User).where(User.email == REPORTER))
                liaison = session.scalar(select(User).where(User.email == LIAISON))
                added = add_sample_issues(session, board, reporter, liaison)
            session.flush()  # seen as new data by a running server's page cache (it watches flushes)
        app = current_app._get_current_object()
        if added and not changed:  # switching the plugin on re-indexes the board by itself
            kit.board_switched(app, BOARD, True)
        with database.session() as session:
            issues = list(session.scalars(select(InterfaceIssue).where(InterfaceIssue.board_id == board.id)))
            figures = summarise(issues, today())
        click.echo(f"The interface issue log is on for NHS Lothian; {added} sample issues added"
                   + (f" ({existing} already there)." if existing else "."))
        median = "none resolved" if figures.median_days is None else f"{figures.median_days:g} days"
        click.echo(f"Dashboard: {figures.open_count} open ({figures.open_safety} safety-flagged), "
                   f"{figures.resolved_count} resolved ({figures.lasting_changes} with a lasting change), "
                   f"{figures.closed_count} closed; median days to resolve: {median}.")
        click.echo("Resolved per month: " + ", ".join(f"{m} {n}" for m, n in figures.resolved_per_month if n))
        click.echo("By category: " + "; ".join(f"{r['label']}: {r['total']} ({r['open']} open)"
                                               for r in figures.by_category))
        click.echo(f"Sign in as {LIAISON} and open /interface-log/boards/{BOARD}/ to see the dashboard.")
