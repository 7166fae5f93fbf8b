"""Alembic environment: runs on the connection ``gwanje.store.migrate`` hands over (SQLite or PostgreSQL).

Used from the command line too (``alembic -x url=sqlite:///data/gwanje.db ...`` with
``script_location`` pointing here), in which case it opens its own engine from that URL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from gwanje.store.base import Base
from gwanje.store.db import load_table_modules


def _run(connection: Connection) -> None:
    load_table_modules()  # every table on Base.metadata, for autogenerate
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: pass -x url=<sqlalchemy url> or set sqlalchemy.url")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


run()
