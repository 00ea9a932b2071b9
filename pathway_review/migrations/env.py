"""Alembic environment: the app hands over a live connection (see pathway_review.db.upgrade)."""
from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through `pathway-review init`, which supplies the connection.")

context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
