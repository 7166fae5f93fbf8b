"""Database, media directory and retention."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from gwanje.config.base import GwanjeModel


class RetentionConfig(GwanjeModel):
    """Media (snapshots, clips) are deleted by age and, when over budget, oldest first. Events rows stay."""

    media_days: float = Field(default=30.0, gt=0.0, description="Delete snapshots and clips older than this.")
    max_media_gb: float = Field(default=20.0, gt=0.0, description="Disk budget of the media directory.")
    min_free_gb: float = Field(default=1.0, ge=0.0, description="Delete oldest media when the disk has less free.")
    check_interval_s: float = Field(default=300.0, gt=0.0)


class StoreConfig(GwanjeModel):
    """Where events and media are kept."""

    data_dir: Path = Field(default=Path("data"), description="Holds the SQLite database and the media files.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (use ${ENV} for the password); "
        "default: SQLite (WAL) at <data_dir>/gwanje.db.",
    )
    busy_timeout_s: float = Field(
        default=5.0, gt=0.0, le=600.0, description="SQLite: how long a writer waits for a lock before failing."
    )
    pool_size: int = Field(default=5, ge=1, le=100, description="PostgreSQL: connections kept open.")
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
