"""The ``pathway-review`` command line (a Flask CLI group; ``flask --app pathway_review`` works too)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import accounts, boards


def main() -> None:
    from . import create_app

    cli = FlaskGroup(create_app=create_app, help="Pathway Review: national pathway review and feedback.")
    cli.main(prog_name="pathway-review")


def database():
    return current_app.extensions["pathway_review.db"]


def register(app) -> None:
    cli = app.cli

    @cli.command("init")
    @with_appcontext
    def init_command():
        """Create or migrate the database and add the Health Boards."""
        from .db import upgrade

        upgrade(current_app)
        with database().transaction() as session:
            added = boards.seed_boards(session)
        click.echo(f"Database ready ({database().engine.url.render_as_string(hide_password=True)}); "
                   f"{added} boards added.")

    @cli.command("check")
    @click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
    def check_command(directory):
        """Lint a pathway library: every problem with its file and line; exit 1 if any."""
        from .library import check_library

        root = directory or Path(current_app.config["PATHWAYS_DIR"])
        problems = check_library(root)
        for problem in problems:
            click.echo(str(problem))
        if problems:
            click.echo(f"{len(problems)} problem(s) in {root}", err=True)
            sys.exit(1)
        click.echo(f"{root}: no problems found")

    users = click.Group("users", help="Manage accounts.")
    cli.add_command(users)

    @users.command("create")
    @click.argument("email")
    @click.option("--name", required=True)
    @click.option("--role", required=True, type=click.Choice(["gp", "cfsd", "board-admin", "admin"]))
    @click.option("--board", "board_slug", default=None, help="Board slug, e.g. lothian")
    @click.option("--practice", default=None, help="Practice code (GPs)")
    @with_appcontext
    def create_user(email, name, role, board_slug, practice):
        """Create an account; the password is read from standard input."""
        password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else \
            click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            with database().transaction() as session:
                user = accounts.create_user(session, email, name, role, password, board_slug, practice)
                from . import audit

                audit.record("user.created", target=user.email, session=session, role=role, board=board_slug)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"Created {role} account {user.email}")

    tokens = click.Group("tokens", help="Personal API tokens.")
    cli.add_command(tokens)

    @tokens.command("create")
    @click.argument("email")
    @click.option("--name", default="", help="What the token is for")
    @with_appcontext
    def create_token(email, name):
        """Create a token for EMAIL and print it (it is shown only this once)."""
        from sqlalchemy import select

        from .models import User

        with database().transaction() as session:
            user = session.scalar(select(User).where(User.email == accounts.normalise_email(email)))
            if user is None:
                raise click.ClickException(f"no account for {email}")
            token = accounts.create_token(session, user, name)
        click.echo(token)

    from .account_commands import register as register_account_commands

    register_account_commands(users, tokens)

    plugins = click.Group("plugins", help="List plugins and switch optional ones on or off per board.")
    cli.add_command(plugins)

    @plugins.command("list")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    def list_plugins(as_json):
        """Every plugin with its version, hooks, state and the boards that enabled it."""
        host = current_app.extensions["pathway_review.plugins"]
        from sqlalchemy import select

        from .models import Board, PluginEnablement

        with database().sessions() as session:
            pairs = session.execute(select(PluginEnablement.plugin, Board.slug).join(Board)
                                    .where(PluginEnablement.enabled.is_(True))).all()
        rows = []
        for name, info in sorted(host.info.items()):
            module = host.pm.get_plugin(name)
            rows.append({
                "name": name, "title": info.title, "version": info.version, "optional": info.optional,
                "source": info.source, "failure": info.failure,
                "hooks": sorted(c.name for c in host.pm.get_hookcallers(module)) if module is not None else [],
                "boards": sorted(slug for plugin, slug in pairs if plugin == name),
            })
        if as_json:
            click.echo(json.dumps(rows, indent=2))
            return
        for row in rows:
            state = "FAILED: " + row["failure"] if row["failure"] else (
                "optional, on for: " + (", ".join(row["boards"]) or "no board") if row["optional"] else "always on")
            click.echo(f"{row['name']:<16} {row['version']:<8} {state}")

    for action in ("enable", "disable"):
        plugins.add_command(_enablement_command(action))

    demo = click.Group("demo", help="Demonstration data.")
    cli.add_command(demo)

    @demo.command("accounts")
    @with_appcontext
    def demo_accounts():
        """Create one demo account per role (GPs in two boards) and print them."""
        from .demo import create_demo_accounts

        for line in create_demo_accounts(database()):
            click.echo(line)


def _enablement_command(action: str):
    @click.command(action, help=f"{action.capitalize()} an optional plugin for a board.")
    @click.argument("name")
    @click.option("--board", "board_slug", required=True)
    @with_appcontext
    def command(name, board_slug):
        with database().transaction() as session:
            board = boards.get_board(session, board_slug)
            if board is None:
                raise click.ClickException(f"no board {board_slug!r}")
            try:
                changed = boards.set_plugin_enabled(session, name, board, action == "enable")
            except boards.EnablementError as exc:
                raise click.ClickException(str(exc))
        if changed:
            current_app.extensions["pathway_review.plugins"].notify(
                "plugin_enablement_changed", app=current_app._get_current_object(), plugin=name, board=board_slug,
                enabled=action == "enable")
        click.echo(f"{name} {'enabled' if action == 'enable' else 'disabled'} for {board_slug}"
                   + ("" if changed else " (already)"))
    return command
