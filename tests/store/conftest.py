"""Database fixtures: SQLite in tmp_path always, and a throw-away PostgreSQL database when a server is up."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from gwanje.config.store import StoreConfig
from gwanje.core.clock import FakeClock
from gwanje.store.base import Base
from gwanje.store.db import load_table_modules
from gwanje.store.repo import Store

PG_ADMIN_URL = os.environ.get("GWANJE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def temporary_database() -> Iterator[str]:
    """Create a uniquely named PostgreSQL database, yield its URL, drop it; skip when no server."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"gwanje_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {make_url(PG_ADMIN_URL).render_as_string()}: {exc.orig}")
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty database for this test only (migration tests)."""
    with temporary_database() as url:
        yield url


@pytest.fixture(scope="session")
def shared_postgres_url() -> Iterator[str]:
    """One database for the test run; the ``store`` fixture empties its tables before each test."""
    with temporary_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_cfg(request: pytest.FixtureRequest, tmp_path: Path) -> StoreConfig:
    """A StoreConfig for each supported database, each on an empty database."""
    if request.param == "sqlite":
        return StoreConfig(data_dir=tmp_path / "data")
    url: str = request.getfixturevalue("postgres_url")
    return StoreConfig(data_dir=tmp_path / "data", database_url=url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path, fake_clock: FakeClock) -> Iterator[Store]:
    """An open, migrated, empty store on each supported database."""
    if request.param == "sqlite":
        s = Store.open(StoreConfig(data_dir=tmp_path / "data"), clock=fake_clock)
    else:
        url: str = request.getfixturevalue("shared_postgres_url")
        s = Store.open(StoreConfig(data_dir=tmp_path / "data", database_url=url), clock=fake_clock)
        load_table_modules()
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with s.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield s
    s.close()
