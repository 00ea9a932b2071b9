"""Running background work inside a test, where no worker process runs."""
from __future__ import annotations

from sqlalchemy import update

from pathway_review import outbox
from pathway_review.jobs import job_queue
from pathway_review.models import OutboxEvent, utcnow


def run_queued_jobs(app) -> int:
    """Run every job waiting on the app's (non-immediate) queue, here and now; returns how many ran."""
    huey = job_queue(app).huey
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def deliver_outbox(app) -> int:
    """Deliver every pending outbox event now, as if the retry delay of any that failed had passed."""
    with app.extensions["pathway_review.db"].transaction() as session:
        session.execute(update(OutboxEvent).where(OutboxEvent.delivered_at.is_(None))
                        .values(available_at=utcnow(), claimed_until=None))
    return outbox.deliver_pending(app)


def pending_events(app) -> list[OutboxEvent]:
    from sqlalchemy import select

    with app.extensions["pathway_review.db"].sessions() as session:
        return list(session.scalars(select(OutboxEvent).where(OutboxEvent.delivered_at.is_(None))
                                    .order_by(OutboxEvent.id)))
