"""Daily work for the job-queue worker: review reminders, consultations closing or opening, CfSD's
digest per consultation, and each person's own daily summary. Every mail is keyed, so a task run
twice in a day (or catching up after the worker was stopped) sends each item once."""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select, update

from pathway_review.plugin_api import database, flatten, host, review_status, today

from . import preferences
from .compose import Message, link, queue, users, users_with_role
from .kinds import KINDS, NEVER, SUMMARY
from .models import Mail

CLOSING_DAYS = 7
# A consultation counts as newly opened for this long, so a worker that was stopped still announces it.
OPENED_WINDOW = timedelta(days=7)


def _library():
    return current_app.extensions["pathway_review.library"]


def _versions():
    for pathway in _library().pathways.values():
        yield from pathway.versions


def _day_text(day: date) -> str:
    return day.strftime("%-d %B %Y")


def review_reminders(app) -> None:
    """Pathway owners are reminded 9 and then 6 months before a version's review date, each once."""
    now = today()
    with app.app_context(), database().transaction() as session:
        owners = users_with_role(session, "cfsd")
        for pv in _versions():
            # The same rule as the reviews page: only the nearest reminder that is due, so a worker back
            # after months sends one, not both; none once the date has passed.
            months = review_status(pv, now).months
            if months is None:
                continue
            for user in owners:
                queue(session, user, Message(
                    kind="review_reminder",
                    subject=f"Review due in {months} months: {pv.title} {pv.version}",
                    heading=f"{pv.title} is due for review in {months} months",
                    paragraphs=[f"Version {pv.version} of {pv.title} ({pv.specialty}) is due for review on "
                                f"{_day_text(pv.next_review)}. National pathways are reviewed every 3 years; "
                                "this reminder comes 9 and 6 months before the date."],
                    facts=[("Owning group", pv.owning_group or "Not given"),
                           ("Review date", _day_text(pv.next_review))],
                    action=("Open the pathway", link("pathways.version", slug=pv.slug, version=pv.version))),
                    f"review:{pv.slug}:{pv.version}:{months}:{user.id}")


def closing_soon(app) -> None:
    """GPs who hold an unsent draft hear, once, that the consultation closes within 7 days."""
    now = today()
    with app.app_context():
        plugins = host()
        # Asked before the write transaction starts, so the write lock is not held while others read.
        closing = []
        for pv in _versions():
            left = pv.days_left(now)
            if left is not None and left <= CLOSING_DAYS:
                holders = flatten(plugins.call("consultation_draft_holders", slug=pv.slug, version=pv.version))
                closing.append((pv, sorted(set(holders))))
        if not closing:
            return
        with database().transaction() as session:
            for pv, holders in closing:
                for user in users(session, holders):
                    queue(session, user, Message(
                        kind="consultation_closing",
                        subject=f"{pv.title} {pv.version} closes on {_day_text(pv.consultation_closes)}",
                        heading="A consultation you started feedback on closes soon",
                        paragraphs=[f"The consultation on {pv.title}, version {pv.version}, closes on "
                                    f"{_day_text(pv.consultation_closes)}. You have feedback saved as a draft "
                                    "that CfSD cannot see until you submit it."],
                        action=("Finish your feedback", link("feedback.mine"))),
                        f"closing:{pv.slug}:{pv.version}:{user.id}")


def new_consultations(app) -> None:
    """Followers of a specialty hear, once per consultation, that one opened in it."""
    now = today()
    with app.app_context(), database().transaction() as session:
        for pv in _versions():
            if pv.consultation_state(now) != "open" or now - pv.consultation_opens > OPENED_WINDOW:
                continue
            for user in users(session, preferences.followers(session, pv.specialty)):
                if user.role not in KINDS["consultation_opened"].roles:
                    continue
                queue(session, user, Message(
                    kind="consultation_opened", subject=f"New consultation: {pv.title} {pv.version}",
                    heading=f"A new {pv.specialty} consultation is open",
                    paragraphs=[f"CfSD is asking general practice for feedback on {pv.title}, version "
                                f"{pv.version}, until {_day_text(pv.consultation_closes)}."]
                    + ([pv.summary] if pv.summary else []),
                    facts=[("Specialty", pv.specialty), ("Closes", _day_text(pv.consultation_closes))],
                    action=("Read the draft and give feedback",
                            link("pathways.version", slug=pv.slug, version=pv.version))),
                    f"opened:{pv.slug}:{pv.version}:{user.id}")


def _feedback_dataset():
    plugins = host()
    for found in flatten(plugins.call("datasets")):
        if getattr(found, "name", None) == "feedback":
            return found
    return None


def consultation_digests(app) -> None:
    """CfSD gets one mail a day per open consultation: new responses, safety concerns, awaiting triage."""
    now = today()
    with app.app_context():
        dataset = _feedback_dataset()
        if dataset is None:
            return
        since = (now - timedelta(days=1)).isoformat()
        figures = []  # counted before the write transaction, which then only writes
        for pv in _versions():
            if pv.consultation_state(now) != "open":
                continue
            round_ = f"{pv.slug}/{pv.version}"
            fresh = list(dataset.rows({"round": round_, "submitted_from": since}))
            waiting = sum(1 for _ in dataset.rows({"round": round_, "status": "new"}))
            if fresh or waiting:
                figures.append((pv, round_, len(fresh), sum(1 for row in fresh if row.get("safety_concern")),
                                waiting))
        if not figures:
            return
        with database().transaction() as session:
            staff = users_with_role(session, "cfsd")
            for pv, round_, fresh, safety, waiting in figures:
                for user in staff:
                    queue(session, user, Message(
                        kind="consultation_digest", subject=f"Daily digest: {pv.title} {pv.version}",
                        heading=f"{pv.title} {pv.version}: the last day",
                        paragraphs=[f"The consultation closes on {_day_text(pv.consultation_closes)}."],
                        facts=[("New responses since yesterday", str(fresh)),
                               ("New patient-safety concerns", str(safety)),
                               ("Awaiting triage", str(waiting))],
                        action=("Open the responses", link("consultations.responses", slug=pv.slug,
                                                           version=pv.version))),
                        f"consultation-digest:{round_}:{now.isoformat()}:{user.id}", held_ok=False)


def personal_summaries(app) -> None:
    """Everything a person asked to get once a day, in one mail."""
    now = today()
    with app.app_context(), database().transaction() as session:
        held = session.scalars(select(Mail).where(Mail.state == "held").order_by(Mail.user_id, Mail.id)).all()
        by_user: dict[int, list[Mail]] = {}
        for mail in held:
            by_user.setdefault(mail.user_id, []).append(mail)
        for user in users(session, list(by_user)):
            items = by_user[user.id]
            if preferences.delivery(session, user.id, SUMMARY) != NEVER:
                written = queue(session, user, Message(
                    kind=SUMMARY, subject=f"Your daily summary from Pathway Review: {len(items)} "
                                          f"item{'s' if len(items) != 1 else ''}",
                    heading="Your daily summary",
                    paragraphs=["You asked to get these once a day rather than one mail each."],
                    items=[(mail.subject, mail.link) for mail in items],
                    action=("See all your notifications", link("notifications.index"))),
                    f"summary:{user.id}:{now.isoformat()}", held_ok=False)
                if written is None:
                    continue  # today's summary went out already: these wait for tomorrow's
            session.execute(update(Mail).where(Mail.id.in_([m.id for m in items])).values(state="digested"))
