"""Core tables: boards, accounts, sessions, tokens, plugin enablement and settings, audit, rate limits.

Revision ID: core_0001
"""
from alembic import op
import sqlalchemy as sa

revision = "core_0001"
down_revision = None
branch_labels = ("core",)
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "board",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default="territorial"),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id"), nullable=True),
        sa.Column("practice_code", sa.String(16), nullable=True),
        sa.Column("password_hash", sa.String(256), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login_at", TS, nullable=True),
    )
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("name", sa.String(128), nullable=False, server_default=""),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_used_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_table(
        "plugin_enablement",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plugin", sa.String(128), nullable=False),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("plugin", "board_id"),
    )
    op.create_table(
        "plugin_setting",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plugin", sa.String(128), nullable=False),
        sa.Column("board_id", sa.Integer, sa.ForeignKey("board.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.UniqueConstraint("plugin", "board_id", "key"),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TS, nullable=False, index=True),
        sa.Column("actor_id", sa.Integer, nullable=True),
        sa.Column("actor_email", sa.String(254), nullable=True),
        sa.Column("action", sa.String(64), nullable=False, index=True),
        sa.Column("target", sa.String(256), nullable=True),
        sa.Column("board_id", sa.Integer, nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("address", sa.String(64), nullable=True),
    )
    op.create_table(
        "rate_limit_window",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("window_start", sa.Integer, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )


def downgrade():
    for table in ("rate_limit_window", "audit_event", "plugin_setting", "plugin_enablement", "api_token",
                  "login_session", "user_account", "board"):
        op.drop_table(table)
