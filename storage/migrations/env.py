"""Alembic environment: the engine comes from the caller (storage.db.Database.migrate)."""

from alembic import context
from sqlalchemy import Engine

from storage.schema import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("Run migrations through `python -m bot migrate`, which supplies the engine.")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
        transaction_per_migration=True,
        transactional_ddl=True,  # storage.db makes SQLite's DDL transactional too
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
