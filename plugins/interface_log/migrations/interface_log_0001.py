"""Interface issue log: issues between primary and secondary care, triaged per board.

Revision ID: interface_log_0001
"""
from alembic import op
import sqlalchemy as sa

revision = "interface_log_0001"
down_revision = None
branch_labels = ("interface_log",)
depends_on = "core_0001"

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "interface_issue",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id", ondelete="CASCADE"), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("service", sa.String(200), nullable=False),
        sa.Column("pathway", sa.String(128), nullable=True),
        sa.Column("section_id", sa.String(200), nullable=True),
        sa.Column("patient_safety", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(16), nullable=False, server_default="new"),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True),
        sa.Column("resolution", sa.Text, nullable=True),
        sa.Column("lasting_change", sa.Boolean, nullable=True),
        sa.Column("lasting_change_detail", sa.Text, nullable=True),
        sa.Column("reported_by_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
    )
    op.create_index("ix_interface_issue_board_status", "interface_issue", ["board_id", "status"])


def downgrade():
    op.drop_index("ix_interface_issue_board_status", table_name="interface_issue")
    op.drop_table("interface_issue")
