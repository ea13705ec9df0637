"""Alembic's entry point: migrates the connection that `store.migrate` hands over, inside its transaction."""

from alembic import context

context.configure(connection=context.config.attributes["connection"], render_as_batch=False)
with context.begin_transaction():
    context.run_migrations()
