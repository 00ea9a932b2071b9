"""'You said, we did' paged section by section: the answered responses indexed in that order, and counted
per section and per day of submission in the tally (the dashboard's chart of responses per day).

Revision ID: feedback_0003
"""
from alembic import op
import sqlalchemy as sa

revision = "feedback_0003"
down_revision = "feedback_0002"
branch_labels = None
depends_on = None

# As models.REPLIED, written out here so this migration stays as it was run.
REPLIED = ("status IN ('accepted', 'partly-accepted', 'not-accepted', 'changed-in-next-version') "
           "AND response IS NOT NULL AND response != ''")
NEW_DIMENSIONS = ("day", "replied")


def upgrade():
    op.drop_index("ix_feedback_answered", table_name="feedback")
    # One consultation's answered responses, a section at a time, oldest first: a page reads only its rows.
    op.create_index("ix_feedback_answered", "feedback", ["pathway_slug", "version", "section_id", "submitted_at", "id"],
                    sqlite_where=sa.text(REPLIED), postgresql_where=sa.text(REPLIED))

    # An upgrade from before feedback_0002 has just counted these with every other dimension: count once.
    tally = sa.table("feedback_tally", sa.column("dimension", sa.String))
    op.execute(tally.delete().where(tally.c.dimension.in_(NEW_DIMENSIONS)))
    from plugins.feedback.tally import backfill

    backfill(op.get_bind(), dimensions=NEW_DIMENSIONS)


def downgrade():
    tally = sa.table("feedback_tally", sa.column("dimension", sa.String))
    op.execute(tally.delete().where(tally.c.dimension.in_(NEW_DIMENSIONS)))
    op.drop_index("ix_feedback_answered", table_name="feedback")
    answered = sa.text("response IS NOT NULL AND response != ''")
    op.create_index("ix_feedback_answered", "feedback", ["pathway_slug", "version", "status"],
                    sqlite_where=answered, postgresql_where=answered)
