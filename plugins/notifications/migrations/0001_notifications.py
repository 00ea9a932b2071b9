"""Notifications: the mail outbox, preferences, followed specialties and bouncing addresses.

Revision ID: notifications_0001
"""
from alembic import op
import sqlalchemy as sa

revision = "notifications_0001"
down_revision = None
branch_labels = ("notifications",)
depends_on = "core_0001"

TS = sa.DateTime(timezone=True)


def _user():
    return sa.ForeignKey("user_account.id", ondelete="CASCADE")


def upgrade():
    op.create_table(
        "notification_mail",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, _user(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("text_body", sa.Text, nullable=False),
        sa.Column("html_body", sa.Text, nullable=False),
        sa.Column("link", sa.String(500), nullable=False),
        sa.Column("unsubscribe_url", sa.String(500), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("read_at", TS, nullable=True),
    )
    op.create_index("ix_notification_mail_due", "notification_mail", ["state", "next_attempt_at"])
    op.create_index("ix_notification_mail_user", "notification_mail", ["user_id", "created_at"])
    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, _user(), nullable=False, index=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("delivery", sa.String(16), nullable=False),
        sa.UniqueConstraint("user_id", "kind"),
    )
    op.create_table(
        "notification_specialty",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, _user(), nullable=False, index=True),
        sa.Column("specialty", sa.String(128), nullable=False),
        sa.UniqueConstraint("user_id", "specialty"),
    )
    op.create_table(
        "notification_bounce",
        sa.Column("user_id", sa.Integer, _user(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("since", TS, nullable=False),
    )


def downgrade():
    for table in ("notification_bounce", "notification_specialty", "notification_preference", "notification_mail"):
        op.drop_table(table)
