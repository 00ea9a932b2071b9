"""``pathway-review search``: rebuild the index, or see its state."""
from __future__ import annotations

import time

import click

from flask import current_app
from flask.cli import with_appcontext

from pathway_review.plugin_api import database, outbox, with_database

from .backend import BackendRefused, backend_name
from .service import ContributorFailed, Unavailable, service
from .store import IndexBusy, IndexMissing


NOT_STARTED = "the search plugin did not start; see pathway-review plugins list"


def register(cli) -> None:
    group = click.Group("search", help="The search index.")
    cli.add_command(group)

    @click.command("rebuild")
    @click.option("--wait", default=600.0, show_default=True,
                  help="Seconds to wait for another process that is writing to the index.")
    @with_database
    def rebuild(wait):
        """Rebuild the index from every plugin's records; searches use the old one until it is done."""
        started = time.monotonic()
        try:
            count = service(current_app).rebuild(timeout=wait, strict=True)
        except BackendRefused as exc:
            raise click.ClickException(str(exc)) from None
        except IndexBusy as exc:
            raise click.ClickException(f"{exc}; try again, or pass a longer --wait") from None
        except ContributorFailed as exc:
            raise click.ClickException(f"{exc}. The index in use was kept.") from None
        except Unavailable:
            raise click.ClickException(NOT_STARTED) from None
        click.echo(f"Search index rebuilt ({backend_name(current_app)}): {count:,} records in "
                   f"{time.monotonic() - started:.1f}s.")

    group.add_command(rebuild, "rebuild")
    group.add_command(rebuild, "reindex")  # the command's earlier name

    @group.command("status")
    @with_appcontext
    def status():
        """The index in use, how many records it holds and how many changes wait to be applied."""
        try:
            searcher = service(current_app)
        except BackendRefused as exc:
            raise click.ClickException(str(exc)) from None
        except Unavailable:
            raise click.ClickException(NOT_STARTED) from None
        with database().session() as session:
            pending = outbox.counts(session)["pending"]
        if backend_name(current_app) == "postgres":
            click.echo(f"PostgreSQL full-text search: {searcher.doc_count():,} records, kept current as each "
                       "change commits.")
            return
        store = searcher.store
        try:
            click.echo(f"Index {store.current()} in {store.root}: {store.doc_count():,} records, "
                       f"{pending} event(s) waiting for the worker.")
        except IndexMissing:
            click.echo(f"No index yet in {store.root} ({pending} event(s) waiting for the worker); the worker "
                       "builds it, or run: pathway-review search rebuild")
