"""Search: PostgreSQL full-text documents, a word list for spelling, and the backend's state.

Created only on PostgreSQL: on SQLite search uses the whoosh index in the instance folder.

Revision ID: search_0001
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "search_0001"
down_revision = None
branch_labels = ("search",)
depends_on = "core_0001"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "search_document",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("heading", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("specialty", sa.Text, nullable=False),
        sa.Column("specialty_key", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.Column("roles", postgresql.ARRAY(sa.Text), nullable=False),  # empty: every signed-in user
        sa.Column("board", sa.Text, nullable=True),                     # null: every board
        sa.Column("plugin", sa.Text, nullable=False),
        sa.Column("grp", sa.Text, nullable=False),                      # results are grouped by this
        sa.Column("document", postgresql.TSVECTOR, nullable=False),
    )
    op.create_index("ix_search_document_document", "search_document", ["document"], postgresql_using="gin")
    op.create_table("search_word", sa.Column("word", sa.Text, primary_key=True))
    op.create_table("search_state", sa.Column("key", sa.Text, primary_key=True),
                    sa.Column("value", sa.Text, nullable=False))


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_table("search_state")
    op.drop_table("search_word")
    op.drop_index("ix_search_document_document", table_name="search_document")
    op.drop_table("search_document")
