"""The ``pathway-review`` command line (a Flask CLI group; ``flask --app pathway_review`` works too)."""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, routes_command, run_command, shell_command, with_appcontext

from . import accounts, boards

INIT_FIRST = 'run "pathway-review init" first'


def main() -> None:
    from . import create_app
    from .config import ConfigError

    # Built before the command line is parsed, so a bad setting is one line and exit status 1 for every
    # command, --help included, instead of a traceback from inside click.
    try:
        app = create_app()
    except ConfigError as exc:
        click.secho(f"Error: {exc}", err=True, fg="red")
        sys.exit(1)
    cli = FlaskGroup(create_app=lambda: app, add_default_commands=False,
                     help="Pathway Review: national pathway review and feedback.")
    cli.add_command(_serving_run_command())
    cli.add_command(shell_command)
    cli.add_command(routes_command)
    cli.main(prog_name="pathway-review")


def database():
    return current_app.extensions["pathway_review.db"]


def with_database(command):
    """For a command that reads or writes the database: refuse, in one line, one that is not initialised.

    Use it instead of ``flask.cli.with_appcontext`` (it gives an app context too), in plugins' commands as
    well as the core's.
    """
    @functools.wraps(command)
    @with_appcontext
    def checked(*args, **kwargs):
        from .db import schema_problem

        problem = schema_problem(current_app)
        if problem:
            raise click.ClickException(f"{problem}: {INIT_FIRST}")
        return command(*args, **kwargs)
    return checked


def _serving_run_command() -> click.Command:
    """Flask's development server, with the start-up work a server does (``app_started``)."""
    @click.pass_context
    def run(ctx, **options):
        from flask.cli import ScriptInfo
        from werkzeug.serving import is_running_from_reloader

        from . import serving
        from .db import schema_problem

        app = ctx.ensure_object(ScriptInfo).load_app()
        problem = schema_problem(app)
        if problem:
            raise click.ClickException(f"{problem}: {INIT_FIRST}")
        # With the reloader, the parent process only watches files; the child it starts serves.
        if not options.get("reload") or is_running_from_reloader():
            serving.start(app)
        return ctx.invoke(run_command.callback, **options)

    return click.Command("run", callback=run, params=run_command.params,
                         help="Run the development server (for anything real: gunicorn, see README).")


def register(app) -> None:
    cli = app.cli

    @cli.command("init")
    @with_appcontext
    def init_command():
        """Create or migrate the database, then add the Health Boards and the instance's secret key."""
        from . import failures
        from .config import create_instance_secret
        from .db import optimize, upgrade
        from .retirement import kept_message

        # Tables first: everything derived (boards, later the search index) needs them.
        host = current_app.extensions["pathway_review.plugins"]
        for revision in upgrade(current_app):
            click.echo(kept_message(host, revision))
        failures.write_kept(host, database())  # failures from before the table existed
        with database().transaction() as session:
            added = boards.seed_boards(session)
        optimize(database(), full=True)  # a migration may have built indexes or loaded rows
        create_instance_secret(Path(current_app.instance_path))
        click.echo(f"Database ready ({database().engine.url.render_as_string(hide_password=True)}); "
                   f"{added} boards added.")

    @cli.command("config")
    @click.option("--json", "as_json", is_flag=True, help="As JSON: name, value, type, source, owner, help.")
    @click.option("--markdown", is_flag=True, help="The settings reference (types and defaults) for README.md.")
    def config_command(as_json, markdown):
        """Show the effective configuration, secrets masked, and where each value came from."""
        from .config import effective, markdown_table, show

        if markdown:
            click.echo(markdown_table(current_app), nl=False)
            return
        rows = effective(current_app)
        if as_json:
            click.echo(json.dumps(rows, indent=2, default=str))
            return
        width = max(len(row["name"]) for row in rows)
        for row in rows:
            owner = "" if row["owner"] == "core" else f" [{row['owner']}]"
            click.echo(f"{row['name']:<{width}}  {show(row['value'])}  ({row['source']}){owner}")

    @cli.command("check")
    @click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
    def check_command(directory):
        """Lint a pathway library: every problem with its file and line; exit 1 if any. Also names the keys
        that are this instance's own, which a second host would not share."""
        from .config import ENV_PREFIX, keys_per_instance
        from .library import check_library

        for name, source in keys_per_instance(current_app):
            click.echo(f"{name} is this instance's own ({source}): fine for one host; for several, set "
                       f"{ENV_PREFIX}{name} to one value on every host")
        root = directory or Path(current_app.config["PATHWAYS_DIR"])
        problems = check_library(root)
        for problem in problems:
            click.echo(str(problem))
        if problems:
            click.echo(f"{len(problems)} problem(s) in {root}", err=True)
            sys.exit(1)
        click.echo(f"{root}: no problems found")

    @cli.command("worker")
    @click.option("--threads", default=4, show_default=True, help="Jobs run at once.")
    @with_appcontext
    def worker_command(threads):
        """Run background work: deliver events, keep search up to date, run periodic tasks."""
        from .jobs import run_worker

        try:
            run_worker(current_app._get_current_object(), workers=threads)
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None

    users = click.Group("users", help="Manage accounts.")
    cli.add_command(users)

    @users.command("create")
    @click.argument("email")
    @click.option("--name", required=True)
    @click.option("--role", required=True, type=click.Choice(["gp", "cfsd", "board-admin", "admin"]))
    @click.option("--board", "board_slug", default=None, help="Board slug, e.g. lothian")
    @click.option("--practice", default=None, help="Practice code (GPs)")
    @with_database
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
            raise click.ClickException(str(exc)) from None
        click.echo(f"Created {role} account {user.email}")

    tokens = click.Group("tokens", help="Personal API tokens.")
    cli.add_command(tokens)

    @tokens.command("create")
    @click.argument("email")
    @click.option("--name", default="", help="What the token is for")
    @with_database
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

    plugins = click.Group("plugins", help="List plugins, switch optional ones on or off per board, retire one.")
    cli.add_command(plugins)

    @plugins.command("list")
    @click.option("--json", "as_json", is_flag=True)
    @with_database
    def list_plugins(as_json):
        """Every plugin with its version, hooks, state and the boards that enabled it."""
        host = current_app.extensions["pathway_review.plugins"]
        from sqlalchemy import select

        from . import failures
        from .models import Board, PluginEnablement

        with database().sessions() as session:
            pairs = session.execute(select(PluginEnablement.plugin, Board.slug).join(Board)
                                    .where(PluginEnablement.enabled.is_(True))).all()
            recorded = failures.recorded(host, database(), session)
        rows = []
        # A plugin that failed only in another worker or on another host is listed too.
        for name in sorted(set(host.info) | set(recorded)):
            info = host.info.get(name)
            module = host.pm.get_plugin(name)
            rows.append({
                "name": name, "title": info.title if info else name, "version": info.version if info else "",
                "optional": info.optional if info else None, "source": info.source if info else "not loaded here",
                "failure": info.failure if info else None,
                "failures": [{"hook": f.hook, "message": f.message, "count": f.count,
                              "first_seen": f.first_seen.isoformat(), "last_seen": f.last_seen.isoformat()}
                             for f in recorded.get(name, [])],
                "hooks": sorted(c.name for c in host.pm.get_hookcallers(module)) if module is not None else [],
                "boards": sorted(slug for plugin, slug in pairs if plugin == name),
            })
        if as_json:
            click.echo(json.dumps(rows, indent=2))
            return
        for row in rows:
            if row["failure"]:
                state = "FAILED: " + row["failure"]
            elif row["optional"] is None:
                state = "not loaded in this process"
            elif row["optional"]:
                state = "optional, on for: " + (", ".join(row["boards"]) or "no board")
            else:
                state = "always on"
            click.echo(f"{row['name']:<16} {row['version']:<8} {state}")
            for failure in row["failures"]:
                if failure["hook"] != "loading" or not row["failure"]:
                    click.echo(f"{'':<16} failed in {failure['hook']}: {failure['message']} "
                               f"({failure['count']}x, last {failure['last_seen'][:19]})")

    @plugins.command("retire")
    @click.argument("name")
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    @with_appcontext
    def retire_plugin(name, yes):
        """Drop an uninstalled plugin's tables (or, if its migrations are gone too, forget them)."""
        from . import retirement

        try:
            plan = retirement.plan(current_app, name)
        except retirement.RetirementError as exc:
            raise click.ClickException(str(exc)) from None
        if not yes:
            click.confirm(plan.question(), abort=True)
        for line in retirement.retire(current_app, plan):
            click.echo(line)

    for action in ("enable", "disable"):
        plugins.add_command(_enablement_command(action))

    demo = click.Group("demo", help="Demonstration data.")
    cli.add_command(demo)

    @demo.command("accounts")
    @with_database
    def demo_accounts():
        """Create one demo account per role (GPs in two boards) and print them."""
        from .demo import create_demo_accounts

        for line in create_demo_accounts(database()):
            click.echo(line)


def _enablement_command(action: str):
    @click.command(action, help=f"{action.capitalize()} an optional plugin for a board.")
    @click.argument("name")
    @click.option("--board", "board_slug", required=True)
    @with_database
    def command(name, board_slug):
        with database().transaction() as session:
            board = boards.get_board(session, board_slug)
            if board is None:
                raise click.ClickException(f"no board {board_slug!r}")
            try:
                changed = boards.set_plugin_enabled(session, name, board, action == "enable")
            except boards.EnablementError as exc:
                raise click.ClickException(str(exc)) from None
        click.echo(f"{name} {'enabled' if action == 'enable' else 'disabled'} for {board_slug}"
                   + ("" if changed else " (already)"))
    return command
