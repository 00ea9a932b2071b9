"""Case studies: resolved interface issues shared between boards, and where other boards stand on them.

Revision ID: case_studies_0001
"""
from alembic import op
import sqlalchemy as sa

revision = "case_studies_0001"
down_revision = None
branch_labels = ("case_studies",)
depends_on = "core_0001"

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "case_study",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id", ondelete="CASCADE"), nullable=False),
        sa.Column("issue_id", sa.Integer, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("category", sa.String(200), nullable=False, server_default=""),
        sa.Column("problem", sa.Text, nullable=False),
        sa.Column("change", sa.Text, nullable=False),
        sa.Column("involved", sa.Text, nullable=False),
        sa.Column("hours_saved", sa.Integer, nullable=False),
        sa.Column("estimate_method", sa.Text, nullable=False),
        sa.Column("published_by_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("board_id", "issue_id", name="uq_case_study_issue"),
    )
    op.create_index("ix_case_study_board_id", "case_study", ["board_id"])
    op.create_table(
        "case_study_adoption",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_study_id", sa.Integer, sa.ForeignKey("case_study.id", ondelete="CASCADE"), nullable=False),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id", ondelete="CASCADE"), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("marked_by_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("case_study_id", "board_id", name="uq_case_study_adoption_board"),
    )


def downgrade():
    op.drop_table("case_study_adoption")
    op.drop_index("ix_case_study_board_id", table_name="case_study")
    op.drop_table("case_study")
