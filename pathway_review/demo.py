"""Demo accounts for a local run: one per role, GPs in two boards, printed so a newcomer can sign in."""
from __future__ import annotations

from sqlalchemy import select

from . import accounts
from .models import User

DEMO_PASSWORD = "pathway-demo-2026"
DEMO_ACCOUNTS = [
    ("gp.lothian@example.nhs.scot", "Dr Morag Lothian (demo GP)", "gp", "lothian", "70001"),
    ("gp.fife@example.nhs.scot", "Dr Ewan Fife (demo GP)", "gp", "fife", "20002"),
    ("cfsd@example.nhs.scot", "Aileen CfSD (demo CfSD staff)", "cfsd", None, None),
    ("admin.lothian@example.nhs.scot", "Lothian board admin (demo)", "board-admin", "lothian", None),
    ("admin@example.nhs.scot", "Site admin (demo)", "admin", None, None),
]


def create_demo_accounts(database) -> list[str]:
    lines = ["Demo accounts (password for all: %s):" % DEMO_PASSWORD]
    with database.transaction() as session:
        for email, name, role, board, practice in DEMO_ACCOUNTS:
            if session.scalar(select(User.id).where(User.email == email)) is None:
                accounts.create_user(session, email, name, role, DEMO_PASSWORD, board, practice)
            lines.append(f"  {role:<12} {email:<34} {board or 'national'}")
    return lines
