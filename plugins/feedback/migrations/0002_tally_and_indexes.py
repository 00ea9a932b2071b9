"""Per-consultation counts kept as feedback is written, backfilled from the stored responses; indexes that
match each list's filter and sort.

Revision ID: feedback_0002
"""
from alembic import op
import sqlalchemy as sa

revision = "feedback_0002"
down_revision = "feedback_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "feedback_tally",
        sa.Column("pathway_slug", sa.String(128), primary_key=True),
        sa.Column("version", sa.String(16), primary_key=True),
        sa.Column("dimension", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(200), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("amount", sa.Float, nullable=True),
        sa.Column("latest_at", sa.DateTime(timezone=True), nullable=True),
    )
    # CfSD's responses list: one consultation, safety concerns first, newest first.
    op.create_index("ix_feedback_responses", "feedback",
                    ["pathway_slug", "version", sa.text("safety_concern DESC"), sa.text("submitted_at DESC"), "id"])
    # My feedback: one person's, most recently changed first.
    op.create_index("ix_feedback_mine", "feedback", ["user_id", sa.text("updated_at DESC"), sa.text("id DESC")])
    # "You said, we did": the answered responses of one consultation, without reading every response.
    answered = sa.text("response IS NOT NULL AND response != ''")
    op.create_index("ix_feedback_answered", "feedback", ["pathway_slug", "version", "status"],
                    sqlite_where=answered, postgresql_where=answered)
    # The themes offered for triage: only the few rows that have any, not a scan of every response.
    themed = sa.text("themes != '[]'")
    op.create_index("ix_feedback_themes", "feedback", ["themes"], sqlite_where=themed, postgresql_where=themed)
    # A GP's own count on a pathway page, by status, read from the index alone.
    op.drop_index("ix_feedback_user", table_name="feedback")
    op.create_index("ix_feedback_user", "feedback", ["user_id", "pathway_slug", "version", "status"])

    from plugins.feedback.tally import backfill

    backfill(op.get_bind())


def downgrade():
    op.drop_index("ix_feedback_user", table_name="feedback")
    op.create_index("ix_feedback_user", "feedback", ["user_id", "pathway_slug", "version"])
    op.drop_index("ix_feedback_themes", table_name="feedback")
    op.drop_index("ix_feedback_answered", table_name="feedback")
    op.drop_index("ix_feedback_mine", table_name="feedback")
    op.drop_index("ix_feedback_responses", table_name="feedback")
    op.drop_table("feedback_tally")
