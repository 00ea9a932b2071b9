"""The outbox of events written with the changes they tell of, and the periodic tasks' runs.

Revision ID: core_0004
"""
from alembic import op
import sqlalchemy as sa

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("available_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", TS, nullable=True),
        sa.Column("delivered_at", TS, nullable=True),
        sa.Column("failed_at", TS, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
    )
    op.create_index("ix_outbox_event_key", "outbox_event", ["key"])
    op.create_index("ix_outbox_event_delivered_at", "outbox_event", ["delivered_at"])
    op.create_table(
        "periodic_run",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("next_due", TS, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    )


def downgrade():
    op.drop_table("periodic_run")
    op.drop_table("outbox_event")
