"""What the commands that read a site's store share: its options, opening it, and reading times."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
from pathlib import Path
from typing import Any

from gwanje.config import AppConfig, load_config
from gwanje.config.store import StoreConfig
from gwanje.core.errors import ConfigError
from gwanje.store import MediaStore, Store
from gwanje.store.db import database_url


def add_store_arguments(p: Any) -> None:
    p.add_argument("--config", help="YAML config whose store (database, data_dir) is read (default: ./data, as serve)")
    p.add_argument("--since", type=parse_time, help="start of the period: ISO 8601 (UTC when no zone) or UNIX seconds")
    p.add_argument("--until", type=parse_time, help="end of the period (default: now)")


def parse_time(text: str) -> float:
    """UNIX seconds from ``1700000000`` or ``2026-03-01T08:00`` (UTC unless a zone is given, as the API)."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time: {text!r} (ISO 8601 or UNIX seconds)") from None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()


def cli_actor() -> str:
    """What the audit log records for a command run at the server: ``cli:<login>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


def load_store_config(path: str | None) -> AppConfig:
    """The config file's, or the built-in demo's (what ``gwanje serve`` without --config uses)."""
    if path:
        return load_config(path)
    from gwanje.runtime.defaults import demo_config

    return demo_config()


def store_config(args: argparse.Namespace) -> StoreConfig:
    """The store settings of ``--config`` (default: ./data, as serve)."""
    return (load_config(args.config) if args.config else AppConfig()).store


def open_store(args: argparse.Namespace) -> tuple[Store, MediaStore]:
    """The configured store (migrated to the current schema, as the service would) and its media files."""
    config = store_config(args)
    url = database_url(config)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).is_file():
        # opening would create an empty database: almost always the wrong folder or a missing --config
        raise ConfigError(f"no database at {url.database}: give --config with the site's store settings")
    return Store.open(config), MediaStore.for_config(config)
