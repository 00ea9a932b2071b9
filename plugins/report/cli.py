"""``pathway-review report SLUG/VERSION --format pdf|docx``: a consultation report from the command line."""
from __future__ import annotations

from pathlib import Path

import click

from pathway_review.plugin_api import library, with_database

from .building import make
from .models import FORMATS


def parse_version(value: str):
    """``slug/version``, ``slug@version`` or ``slug-version`` (the version is the last part)."""
    for separator in ("/", "@"):
        if separator in value:
            slug, _, version = value.rpartition(separator)
            break
    else:
        slug, _, version = value.rpartition("-")
    found = library().get_version(slug, version) if slug and version else None
    if found is None:
        raise click.BadParameter(f"there is no pathway version {value!r}; give it as SLUG/VERSION, like "
                                 "headache-in-adults/1.0", param_hint="VERSION_SLUG")
    return found


@click.command("report")
@click.argument("version_slug")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="pdf", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="File to write (default: consultation-report-SLUG-VERSION.FORMAT here).")
@with_database
def report_command(version_slug, fmt, output):
    """Write the consultation report of VERSION_SLUG (SLUG/VERSION) as PDF or Word."""
    version = parse_version(version_slug)
    target = Path(output or f"consultation-report-{version.slug}-{version.version}.{fmt}")
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(make(version, fmt))
    partial.replace(target)  # a reader never sees half a report
    click.echo(f"Wrote {target}")
