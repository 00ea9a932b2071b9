"""Cache marks per pathway version, board and site, replacing the one data generation every write bumped.

A single counter dropped every cached page on any write and, on PostgreSQL, serialised every writer on
its row. Writers now move on only the marks of what they changed.

Revision ID: core_0006
"""
from alembic import op
import sqlalchemy as sa

revision = "core_0006"
down_revision = "core_0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cache_mark",
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("stamp", sa.BigInteger, nullable=False),
    )
    op.drop_table("data_generation")


def downgrade():
    table = op.create_table(
        "data_generation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "value": 0}])
    op.drop_table("cache_mark")
