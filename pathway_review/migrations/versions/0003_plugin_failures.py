"""Plugin failures recorded where every worker sees them (one row per plugin and hook).

Revision ID: core_0003
"""
from alembic import op
import sqlalchemy as sa

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plugin_failure",
        sa.Column("plugin", sa.String(128), primary_key=True),
        sa.Column("hook", sa.String(64), primary_key=True),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("plugin_failure")
