"""Identity: failed sign-ins counted per address and account.

Revision ID: core_identity_0001
"""
from alembic import op
import sqlalchemy as sa

revision = "core_identity_0001"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signin_failure",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failed_at", sa.Float, nullable=False, index=True),
    )


def downgrade():
    op.drop_table("signin_failure")
