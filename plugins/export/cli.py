"""``pathway-review export``: the same exports from the command line, for scheduled jobs."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import click

from pathway_review.plugin_api import with_database

from .exporting import ExportProblem, all_formats, prepare, stream

# Audit events name the command line as the actor: no account signs in to run it.
CLI_ACTOR = SimpleNamespace(id=None, email="cli", board_id=None, role="cli")


@click.command("export")
@click.argument("dataset")
@click.option("--format", "format_name", default=None,
              help="csv, xlsx, json or ndjson (default: from the output file's extension, else csv).")
@click.option("--filter", "filters", multiple=True, metavar="NAME=VALUE",
              help="A filter, as on the export page; repeat for more (e.g. --filter board=fife).")
@click.option("--columns", default=None, help="Comma-separated columns to include, in order.")
@click.option("--pseudonymise", "--pseudonymize", is_flag=True,
              help="Replace names and email addresses with a stable pseudonym per person (the default).")
@click.option("--identified", is_flag=True,
              help="Keep the names and email addresses of people who chose to be named.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write, or - for standard output.")
@with_database
def export_command(dataset, format_name, filters, columns, pseudonymise, identified, output):
    """Export DATASET to a file; every export is recorded in the audit log."""
    args: dict[str, list[str]] = {}
    for item in filters:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--filter")
        args.setdefault(name.strip(), []).append(value)
    if columns:
        args["columns"] = [columns]
    if pseudonymise and identified:
        raise click.UsageError("Choose --pseudonymise or --identified, not both.")
    args["pseudonymise"] = ["0" if identified else "1"]
    format_name = format_name or _format_from(output)
    try:
        export = prepare(dataset, format_name, args, None)
    except ExportProblem as problem:
        raise click.UsageError(problem.message) from None

    if output == "-":
        for chunk in stream(export, CLI_ACTOR, "cli"):
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
    else:
        # Written beside the target and renamed at the end, so a scheduled job's reader never sees
        # half a file.
        target = Path(output)
        partial = target.with_name(target.name + ".part")
        try:
            with open(partial, "wb") as handle:
                for chunk in stream(export, CLI_ACTOR, "cli"):
                    handle.write(chunk)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    click.echo(f"Exported {export.rows} row{'' if export.rows == 1 else 's'} of {export.dataset.name} "
               f"as {export.format.name}" + ("" if output == "-" else f" to {output}"), err=True)


def _format_from(output: str) -> str:
    suffix = Path(output).suffix.lstrip(".").lower()
    for fmt in all_formats().values():
        if suffix and suffix in (fmt.name, fmt.extension.lstrip(".")):
            return fmt.name
    return "csv"
