"""Alembic environment: the URL comes from the caller (``records.migrate``), never a file."""

from __future__ import annotations

from alembic import context

from records.sql import make_engine, metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "records.migrate sets sqlalchemy.url"

if context.is_offline_mode():
    context.configure(url=url, target_metadata=metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
