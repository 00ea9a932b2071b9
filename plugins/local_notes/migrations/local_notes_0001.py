"""Local notes: a board's notes on sections of national pathways.

Revision ID: local_notes_0001
"""
from alembic import op
import sqlalchemy as sa

revision = "local_notes_0001"
down_revision = None
branch_labels = ("local_notes",)
depends_on = "core_0001"

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "local_note",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id", ondelete="CASCADE"), nullable=False),
        sa.Column("pathway", sa.String(128), nullable=False),
        sa.Column("section_id", sa.String(200), nullable=False),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("reviewed_at", TS, nullable=True),
    )
    op.create_index("ix_local_note_board_pathway", "local_note", ["board_id", "pathway"])


def downgrade():
    op.drop_index("ix_local_note_board_pathway", table_name="local_note")
    op.drop_table("local_note")
