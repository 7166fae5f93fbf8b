"""The outbox table created by the migration chain matches the ORM and works on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from gwanje.alerts import Outbox, WebhookChannel
from gwanje.config.alerts import AlertsConfig
from gwanje.config.store import StoreConfig
from gwanje.store.base import Base
from gwanje.store.db import create_db_engine, upgrade_to_head
from gwanje.store.outbox import OutboxRow
from tests.alerts.support import make_event


def _check(engine: Engine) -> None:
    assert upgrade_to_head(engine) is not None
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    outbox_diff = [d for d in diff if OutboxRow.__tablename__ in repr(d)]
    assert outbox_diff == [], f"migration and ORM disagree on the outbox table: {outbox_diff}"
    config = AlertsConfig.model_validate({"webhooks": [{"name": "ops", "url": "http://127.0.0.1:9/"}]})
    outbox = Outbox(engine, [WebhookChannel(config.webhooks[0])], config)
    outbox.enqueue(make_event())
    (row,) = outbox.delivery_status("evt-1")
    assert (row["status"], row["attempts"], row["type"]) == ("pending", 0, "new")
    outbox.close()


def test_migrations_create_the_outbox_table_on_sqlite(tmp_path: Path) -> None:
    engine = create_db_engine(StoreConfig(data_dir=tmp_path))
    try:
        _check(engine)
    finally:
        engine.dispose()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    name = f"gwanje_outbox_{uuid.uuid4().hex[:8]}"
    admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except (OperationalError, ImportError) as exc:
        admin.dispose()
        pytest.skip(f"no PostgreSQL server at 127.0.0.1:5432 ({type(exc).__name__})")
    engine = create_db_engine(StoreConfig(database_url=f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}"'))
    admin.dispose()


@pytest.mark.postgres
def test_migrations_create_the_outbox_table_on_postgres(postgres_engine: Engine) -> None:
    _check(postgres_engine)
