"""Opening the database: engine options per dialect and programmatic Alembic migrations to head."""

from __future__ import annotations

import logging
import pkgutil
from importlib import import_module
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from gwanje.config.store import StoreConfig
from gwanje.core.errors import ConfigError, StorageError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SUPPORTED_DIALECTS = ("sqlite", "postgresql")
PG_CONNECT_TIMEOUT_S = 10


def database_url(cfg: StoreConfig) -> URL:
    """The configured URL, or SQLite at ``<data_dir>/gwanje.db``. Plain ``postgresql://`` means psycopg 3."""
    if cfg.database_url is None:
        return URL.create("sqlite", database=str(cfg.data_dir / "gwanje.db"))
    try:
        url = make_url(cfg.database_url)
    except ArgumentError:
        raise ConfigError(
            "store.database_url is not a valid SQLAlchemy URL; expected e.g. "
            "postgresql+psycopg://user:${DB_PASSWORD}@host/db or sqlite:///path/gwanje.db"
        ) from None
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in SUPPORTED_DIALECTS:
        raise ConfigError(
            f"store.database_url uses {url.get_backend_name()!r}; supported: {', '.join(SUPPORTED_DIALECTS)}"
        )
    return url


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # WAL lets the API read while the pipeline writes; NORMAL sync is safe with WAL.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    return on_connect


def create_db_engine(cfg: StoreConfig) -> Engine:
    """An engine for the configured database; creates the data directory for SQLite."""
    url = database_url(cfg)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            folder = Path(url.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create the database directory {folder}: {exc.strerror}") from None
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": cfg.busy_timeout_s}, pool_pre_ping=True
        )
        event.listen(engine, "connect", _sqlite_pragmas(int(cfg.busy_timeout_s * 1000)))
        return engine
    # a bounded connect timeout, so a health check or a request fails instead of hanging on a dead server
    return create_engine(
        url, pool_pre_ping=True, pool_size=cfg.pool_size, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S}
    )


def load_table_modules() -> None:
    """Import every module of ``gwanje.store`` so all tables (ours, the outbox's, ...) are on ``Base.metadata``.

    Alembic's autogenerate and the schema test compare against that metadata; a table module that
    was never imported would look like a table to drop.
    """
    package = __name__.rpartition(".")[0]
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name != "migrations":
            import_module(f"{package}.{info.name}")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of Gwanje."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:
        raise StorageError(f"no migrations found in {MIGRATIONS_DIR}; the installation is incomplete")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> str:
    """Apply every pending migration in one transaction; returns the revision reached."""
    target = head_revision()
    masked = engine.url.render_as_string(hide_password=True)
    try:
        before = current_revision(engine)
        if before != target:
            config = _alembic_config()
            with engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
            log.info("database %s migrated from %s to %s", masked, before or "empty", target)
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise StorageError(f"cannot open or migrate the database {masked}: {detail}") from None
    return target
