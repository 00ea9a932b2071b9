"""``pathway-review case-studies demo``: publish a sample case study from NHS Lothian's interface issue log."""
from __future__ import annotations

import click
from sqlalchemy import select

from pathway_review.plugin_api import User, database as app_database, get_board, outbox, with_database

from .models import CaseStudy
from .service import board_issues, check, document, publishable

BOARD = "lothian"
LIAISON = "admin.lothian@example.nhs.scot"
# Illustrative sample content, shaped like a real Interface Group's write-up; the figures are invented.
SAMPLE = {
    "title": "Hospital clinicians issue the first 28 days' supply instead of asking the GP to prescribe "
             "(sample)",
    "involved": "The Lothian Interface Group, the gastroenterology clinical lead, the outpatient pharmacy team "
                "and two practice pharmacists.",
    "hours_saved": "2000",
    "estimate_method": "Illustrative sample estimate: about 160 clinic letters a month asked a GP to start a "
                       "medicine; each took a GP about an hour to read, check, prescribe and reply to the "
                       "patient, so roughly 160 × 12 ≈ 1,900 hours, rounded to 2,000. Counted from one month's "
                       "letters before and after the change.",
    "confirm": True,
}


def register(cli) -> None:
    group = click.Group("case-studies", help="Case studies shared between Interface Groups.")
    cli.add_command(group)

    @group.command("demo")
    @with_database
    def demo():
        """Publish a sample case study from NHS Lothian (run `interface-log demo` first)."""
        issues = [i for i in board_issues(BOARD) if publishable(i)]
        issue = next((i for i in issues if "28 days" in i.get("change", "")), issues[0] if issues else None)
        if issue is None:
            raise click.ClickException("NHS Lothian has no resolved interface issue with a lasting change: run "
                                       "`pathway-review interface-log demo` first.")
        with app_database().transaction() as session:
            board = get_board(session, BOARD)
            existing = session.scalar(select(CaseStudy).where(CaseStudy.board_id == board.id,
                                                              CaseStudy.issue_id == issue["id"]))
            if existing is not None:
                click.echo(f"The sample case study is already published: /case-studies/{existing.id}")
                return
            values = SAMPLE | {"problem": issue["problem"], "change": issue["change"]}
            errors, clean = check(values)
            if errors:
                raise click.ClickException("; ".join(e["message"] for e in errors))
            author = session.scalar(select(User).where(User.email == LIAISON))
            case = CaseStudy(board_id=board.id, issue_id=issue["id"], category=issue.get("category", ""),
                             published_by_id=author.id if author else None, **clean)
            session.add(case)
            session.flush()
            session.refresh(case)
            outbox.record(session, "search_documents_changed", about=f"case_studies:{case.id}",
                          documents=[document(case)], removed=[])
            case_id = case.id
        click.echo(f"Published a sample case study from NHS Lothian: /case-studies/{case_id}")
