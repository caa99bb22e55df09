"""Alembic environment: migrations run online through the engine that app.migrate hands over."""

from alembic import context

from app.models import Base

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration rebuilds a SQLite table: copy, drop the old one, rename. With foreign
        # keys on, the drop cascades and deletes every row that refers to the table (rebuilding
        # exercises emptied assignments, attempts and articles). SQLite ignores this pragma inside
        # a transaction, so it is set, and committed, before the migrations' transaction begins.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        with connection.begin():
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=True,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
