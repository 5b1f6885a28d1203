"""Alembic environment: always run programmatically (cpt_public.feedback.store.migrate) with a connection."""

from alembic import context

from cpt_public.feedback.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
