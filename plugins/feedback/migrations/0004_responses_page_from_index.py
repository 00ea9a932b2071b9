"""CfSD's responses list finds a page's responses from its index alone: the status, which every list
filters on, joins the index's columns, so skipping to page 200 reads no response it does not show.

Revision ID: feedback_0004
"""
from alembic import op
import sqlalchemy as sa

revision = "feedback_0004"
down_revision = "feedback_0003"
branch_labels = None
depends_on = None

ORDER = ["pathway_slug", "version", sa.text("safety_concern DESC"), sa.text("submitted_at DESC"), "id"]


def upgrade():
    op.drop_index("ix_feedback_responses", table_name="feedback")
    op.create_index("ix_feedback_responses", "feedback", [*ORDER, "status"])


def downgrade():
    op.drop_index("ix_feedback_responses", table_name="feedback")
    op.create_index("ix_feedback_responses", "feedback", ORDER)
