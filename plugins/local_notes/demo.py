"""``pathway-review local-notes demo``: switch local notes on for NHS Lothian and add sample notes."""
from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import func, select

from pathway_review.plugin_api import (User, create_demo_accounts, database as app_database, get_board,
                                       library, set_plugin_enabled, with_database)

from .models import LocalNote
from .rules import PLUGIN, review_state
from .search import kit

BOARD = "lothian"
EDITOR = "admin.lothian@example.nhs.scot"

# (pathway, version written against, section, kind, text, reason). Sample content, not clinical guidance.
SAMPLE_NOTES = [
    ("suspected-colorectal-cancer", "2.0", "how-to-refer", "referral-route",
     "Refer through SCI Gateway to **Lothian Colorectal USC triage** (Western General). "
     "Mark the referral *urgent suspected cancer* and attach the FIT result.", None),
    ("suspected-colorectal-cancer", "3.0", "investigations-before-referral", "investigation",
     "FIT kits are issued by practices from the Lothian laboratory supply; results return to the "
     "requesting GP in about 5 working days.", None),
    ("suspected-colorectal-cancer", "2.0", "who-not-to-refer", "variation",
     "Patients already under surveillance with the Lothian colorectal nurse-led clinic are re-referred "
     "through the clinic, not through primary care.",
     "The surveillance clinic holds these patients' records and books them directly."),
    ("visible-haematuria", "1.1", "how-to-refer", "service-contact",
     "Urology advice line for GPs: 0131 000 0000 (sample number), weekdays 9am to 5pm.", None),
]

# A few notes from other boards, so CfSD's national picture shows boards varying. Sample content too.
OTHER_BOARDS_NOTES = {
    "fife": [
        ("dyspepsia", "1.0", "investigations-before-referral", "variation",
         "Fife practices send H. pylori stool antigen tests to the Victoria Hospital laboratory only.",
         "The breath test is not offered in Fife primary care."),
        ("suspected-colorectal-cancer", "3.0", "how-to-refer", "referral-route",
         "Refer through SCI Gateway to the Fife colorectal triage service.", None),
    ],
    "tayside": [
        ("dyspepsia", "1.0", "how-to-refer", "variation",
         "Tayside refers routine dyspepsia to a nurse-led clinic before any endoscopy request.",
         "The nurse-led clinic triages endoscopy demand in Tayside."),
        ("headache-in-adults", "1.0", "investigations-before-referral", "variation",
         "No direct-access brain imaging for GPs in Tayside: discuss with neurology.",
         "Imaging capacity is held for the neurology service."),
        ("headache-in-adults", "1.0", "how-to-refer", "service-contact",
         "Neurology advice line for GPs: 01382 000 000 (sample number).", None),
    ],
    "highland": [
        ("iron-deficiency-anaemia", "1.0", "investigations-before-referral", "investigation",
         "Coeliac serology results take up to 10 working days from remote practices.", None),
        ("suspected-colorectal-cancer", "3.0", "who-not-to-refer", "variation",
         "Island practices may arrange FIT and review by video before any referral to Raigmore.",
         "Travel to Raigmore is a day or more for island patients."),
    ],
}


def add_sample_notes(session, board, author, notes=SAMPLE_NOTES) -> int:
    added = 0
    for slug, version, section_id, kind, text, reason in notes:
        pv = library().get_version(slug, version)
        section = pv.section(section_id) if pv else None
        if section is None:
            continue  # the library in use does not have this sample pathway
        session.add(LocalNote(board_id=board.id, pathway=slug, section_id=section_id, version=version,
                              fingerprint=section.fingerprint, kind=kind, text=text, reason=reason,
                              author_id=author.id if author else None))
        added += 1
    return added


def add_other_boards_notes(session) -> list[str]:
    """Switch local notes on for a few more boards and give each its sample notes, once; their slugs."""
    switched = []
    for slug, notes in OTHER_BOARDS_NOTES.items():
        board = get_board(session, slug)
        if board is None or session.scalar(select(func.count(LocalNote.id)).where(LocalNote.board_id == board.id)):
            continue
        set_plugin_enabled(session, PLUGIN, board, True)  # announced: the board's notes go into search
        add_sample_notes(session, board, None, notes)
        switched.append(slug)
    return switched


def register(cli) -> None:
    group = click.Group("local-notes", help="Local notes on national pathways.")
    cli.add_command(group)

    @group.command("demo")
    @with_database
    def demo():
        """Switch local notes on for NHS Lothian and add sample notes (some needing review)."""
        database = app_database()
        for line in create_demo_accounts(database):
            click.echo(line)
        with database.transaction() as session:
            board = get_board(session, BOARD)
            if board is None:
                raise click.ClickException("Run `pathway-review init` first: there is no board 'lothian'.")
            changed = set_plugin_enabled(session, PLUGIN, board, True)
            existing = session.scalar(select(func.count(LocalNote.id)).where(LocalNote.board_id == board.id))
            author = session.scalar(select(User).where(User.email == EDITOR))
            added = 0 if existing else add_sample_notes(session, board, author)
            others = add_other_boards_notes(session)
            session.flush()  # seen as new data by a running server's page cache (it watches flushes)
        if added and not changed:  # switching the plugin on re-indexes the board by itself
            kit.board_switched(current_app._get_current_object(), BOARD, True)
        with database.session() as session:
            notes = list(session.scalars(select(LocalNote).where(LocalNote.board_id == board.id)))
            flagged = sum(1 for note in notes if review_state(note) != "current")
        click.echo(f"Local notes are on for NHS Lothian; {added} sample notes added"
                   + (f" ({existing} already there)" if existing else "")
                   + f"; {len(notes)} notes in the register, {flagged} needing review.")
        if others:
            click.echo("Sample notes also added for " + ", ".join(others) + ", for the national picture.")
        click.echo(f"Sign in as {EDITOR} and open /local-notes/boards/{BOARD}/ to see the register.")
