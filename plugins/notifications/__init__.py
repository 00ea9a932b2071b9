"""Notifications: e-mail about what matters to each person, sent by the job-queue worker.

Always on. Listeners turn events (feedback submitted or answered, interface issues triaged) into rows
of a mail outbox and send nothing themselves; periodic tasks write the daily reminders and digests and
deliver the outbox over SMTP. Each person sees the same items on their Notifications page and chooses,
per kind, at once, a daily summary or never.
"""
from __future__ import annotations

from pathlib import Path

from flask import url_for

from pathway_review.plugin_api import NavLink, PeriodicTask, hookimpl

title = "Notifications"
description = ("E-mail to GPs, CfSD and Health Boards about answers, safety concerns, consultations, interface "
               "issues and review dates, with each person's preferences and one-click unsubscribe.")
optional = False

SEND_EVERY = 5  # seconds


@hookimpl
def register_blueprints(app):
    from .views import bp

    return [bp]


@hookimpl
def migrations():
    return str(Path(__file__).parent / "migrations")


@hookimpl
def register_commands(cli):
    from .commands import register

    register(cli)


@hookimpl
def nav_links(user):
    return [NavLink(url_for("notifications.index"), "Notifications", order=90)]


@hookimpl
def periodic_tasks():
    from . import schedule, sending

    return [
        PeriodicTask("notifications.send", sending.send_due, every=SEND_EVERY),
        PeriodicTask("notifications.review_reminders", schedule.review_reminders, at="07:00"),
        PeriodicTask("notifications.closing_soon", schedule.closing_soon, at="07:05"),
        PeriodicTask("notifications.new_consultations", schedule.new_consultations, at="07:10"),
        PeriodicTask("notifications.consultation_digests", schedule.consultation_digests, at="07:15"),
        # After the others, so a summary holds what they wrote for people who chose one.
        PeriodicTask("notifications.personal_summaries", schedule.personal_summaries, at="07:30"),
    ]


@hookimpl
def send_account_link(user, kind, url):
    from . import account_mail

    return account_mail.send_account_link(user, kind, url)


# Events arrive in the worker, after the commit, at least once: the event id makes each mail's key, so a
# repeated delivery writes no second mail.

@hookimpl
def feedback_submitted(app, feedback, event_id):
    from . import listeners

    listeners.feedback_submitted(app, feedback, event_id)


@hookimpl
def feedback_answered(app, feedback, event_id):
    from . import listeners

    listeners.feedback_answered(app, feedback, event_id)


@hookimpl
def events_delivered(app):
    from . import listeners

    # The mails the batch's events asked for, in one transaction; if this raises, the batch is delivered
    # again and the mails' keys keep what was written from being written twice.
    listeners.write_batch()


@hookimpl(optionalhook=True)  # the interface log's own event: there only while the log is installed
def interface_issue_changed(app, issue, old_status, new_status, fields, event_id):
    from . import listeners

    changes = {"status": [old_status, new_status]} if old_status != new_status else {}
    if "owner_id" in fields:
        changes["owner_id"] = [None, issue.get("owner_id")]
    listeners.interface_issue_changed(app, issue, changes, event_id)
