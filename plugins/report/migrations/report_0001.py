"""Consultation reports prepared in the job queue, and the governance record of each pathway version.

Revision ID: report_0001
"""
from alembic import op
import sqlalchemy as sa

revision = "report_0001"
down_revision = None
branch_labels = ("report",)
depends_on = "core_0001"

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "governance_entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pathway_slug", sa.String(128), nullable=False),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_by_id", sa.Integer, nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_index("ix_governance_version", "governance_entry", ["pathway_slug", "version"])
    op.create_table(
        "prepared_report",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pathway_slug", sa.String(128), nullable=False),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="queued"),
        sa.Column("content", sa.LargeBinary, nullable=True),
        sa.Column("problem", sa.Text, nullable=False, server_default=""),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("ready_at", TS, nullable=True),
    )
    op.create_index("ix_prepared_report_version", "prepared_report", ["pathway_slug", "version", "format"])


def downgrade():
    op.drop_table("prepared_report")
    op.drop_table("governance_entry")
