"""Feedback tables: the feedback itself and the history of every change to it.

Revision ID: feedback_0001
"""
from alembic import op
import sqlalchemy as sa

revision = "feedback_0001"
down_revision = None
branch_labels = ("feedback",)
depends_on = "core_0001"

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id"), nullable=True),
        sa.Column("practice_code", sa.String(16), nullable=True),
        sa.Column("pathway_slug", sa.String(128), nullable=False),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("section_id", sa.String(128), nullable=True),
        sa.Column("section_title", sa.String(300), nullable=True),
        sa.Column("section_fingerprint", sa.String(64), nullable=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_html", sa.Text, nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("safety_concern", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("anonymous", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("hide_board", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("response", sa.Text, nullable=True),
        sa.Column("themes", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("submitted_at", TS, nullable=True),
    )
    op.create_index("ix_feedback_round", "feedback", ["pathway_slug", "version", "status"])
    op.create_index("ix_feedback_user", "feedback", ["user_id", "pathway_slug", "version"])
    op.create_index("ix_feedback_submitted_at", "feedback", ["submitted_at"])
    op.create_table(
        "feedback_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("feedback_id", sa.Integer, sa.ForeignKey("feedback.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor_id", sa.Integer, nullable=True),
        sa.Column("actor_name", sa.String(128), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
    )
    op.create_index("ix_feedback_history_feedback_id", "feedback_history", ["feedback_id"])


def downgrade():
    op.drop_table("feedback_history")
    op.drop_table("feedback")
