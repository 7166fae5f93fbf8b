"""Opening a database migrates it to the newest schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from gwanje.config.store import StoreConfig
from gwanje.core.errors import ConfigError, StorageError
from gwanje.store.base import Base
from gwanje.store.db import current_revision, database_url, head_revision, load_table_modules
from gwanje.store.repo import Store
from tests.store.factories import make_event


def test_open_migrates_to_head_and_reopening_keeps_data(store_cfg: StoreConfig) -> None:
    store = Store.open(store_cfg)
    try:
        assert current_revision(store.engine) == head_revision()
        tables = set(inspect(store.engine).get_table_names())
        assert {"cameras", "events", "event_actions", "audit_log", "alembic_version"} <= tables
        event = make_event()
        store.save_event(event)
    finally:
        store.close()
    again = Store.open(store_cfg)
    try:
        assert current_revision(again.engine) == head_revision()
        assert again.get_event(event.id) is not None
    finally:
        again.close()


def test_migrations_create_exactly_the_tables_the_models_declare(store_cfg: StoreConfig) -> None:
    load_table_modules()
    store = Store.open(store_cfg)
    try:
        with store.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diffs == []
    finally:
        store.close()


def test_initial_revision_id_is_stable() -> None:
    """Other migrations (the alert outbox) name it as their down_revision."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from gwanje.store.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_revision("0001_initial") is not None


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    store = Store.open(StoreConfig(data_dir=tmp_path / "nested" / "data", busy_timeout_s=7.5))
    try:
        assert (tmp_path / "nested" / "data" / "gwanje.db").is_file()
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() == 7500
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        store.close()


def test_plain_postgresql_url_means_psycopg3(tmp_path: Path) -> None:
    url = database_url(StoreConfig(data_dir=tmp_path, database_url="postgresql://u@db.example/gwanje"))
    assert url.drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    ("url", "message"),
    [("mysql://u@h/db", "supported: sqlite, postgresql"), ("not a url", "not a valid SQLAlchemy URL")],
)
def test_unusable_database_url_is_a_config_error(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        database_url(StoreConfig(data_dir=tmp_path, database_url=url))


def test_unreachable_server_is_a_storage_error_without_the_password(tmp_path: Path) -> None:
    cfg = StoreConfig(data_dir=tmp_path, database_url="postgresql+psycopg://gw:s3cret-pw@127.0.0.1:1/gwanje")
    with pytest.raises(StorageError, match="cannot open or migrate the database") as info:
        Store.open(cfg)
    assert "s3cret-pw" not in str(info.value)
    assert "127.0.0.1:1" in str(info.value)
