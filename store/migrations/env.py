"""Alembic environment of the store: always run programmatically (`store.schema`), on the connection it is
given, in batch mode on SQLite (which cannot ALTER most things in place)."""

from alembic import context

from store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
