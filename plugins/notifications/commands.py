"""``pathway-review notifications …``: run the mail tasks by hand (a demo without the worker, or a catch-up)."""
from __future__ import annotations

import click
from flask import current_app


def register(cli) -> None:
    @cli.group("notifications")
    def group():
        """E-mail notifications."""

    @group.command("send")
    def send():
        """Deliver every mail that is due now."""
        from .sending import send_due

        click.echo(f"{send_due(current_app._get_current_object())} mail(s) sent.")

    @group.command("daily")
    def daily():
        """Run today's reminders and digests now (each item is still sent once)."""
        from . import periodic_tasks

        app = current_app._get_current_object()
        for task in periodic_tasks():
            if task.at is not None:
                task.run(app)
                click.echo(f"{task.name}: done")
