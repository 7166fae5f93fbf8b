"""Deleting old media: by age, then oldest first while over the disk budget. Event rows stay.

The database rows of deleted files get their snapshot/clip path cleared, so the API answers
"media deleted by retention" (404) instead of pointing at a missing file.
"""

from __future__ import annotations

import logging
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

from gwanje.config.store import RetentionConfig
from gwanje.core.clock import Clock, RealClock
from gwanje.core.errors import StorageError
from gwanje.store.media import MediaFile, MediaStore
from gwanje.store.repo import Store

log = logging.getLogger(__name__)

GB = 1024**3
DAY_S = 86400.0
EMPTY_DIR_GRACE_S = 3600.0
STALE_PARTIAL_S = DAY_S
"""A temporary media file untouched this long was abandoned (the writer crashed)."""


@dataclass
class RetentionReport:
    """What one retention pass did."""

    deleted_by_age: int = 0
    deleted_by_budget: int = 0
    bytes_freed: int = 0
    bytes_kept: int = 0
    rows_cleared: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def deleted(self) -> int:
        return self.deleted_by_age + self.deleted_by_budget


def _over_budget(kept_bytes: int, free_bytes: int, cfg: RetentionConfig) -> int:
    """How many bytes must go to respect both max_media_gb and min_free_gb (0: none)."""
    over_size = kept_bytes - int(cfg.max_media_gb * GB)
    short_free = int(cfg.min_free_gb * GB) - free_bytes
    return max(over_size, short_free, 0)


def _existing(path: Path) -> Path:
    """The path or its nearest existing parent: the disk the media directory is (or will be) on."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def apply_retention(media: MediaStore, store: Store, cfg: RetentionConfig, now: float) -> RetentionReport:
    """One pass: delete files older than ``media_days``, then the oldest until within the budget."""
    report = RetentionReport()
    files = sorted(media.files(), key=lambda f: (f.mtime, str(f.path)))
    cutoff = now - cfg.media_days * DAY_S
    deleted: list[MediaFile] = []

    def delete(f: MediaFile) -> bool:
        try:
            f.path.unlink(missing_ok=True)
        except OSError as exc:
            report.errors.append(f"cannot delete {f.path}: {exc.strerror}")
            return False
        deleted.append(f)
        report.bytes_freed += f.size
        return True

    for partial in media.stale_partials(unchanged_since=now - STALE_PARTIAL_S):
        try:
            partial.unlink(missing_ok=True)
        except OSError as exc:
            report.errors.append(f"cannot delete the abandoned temporary file {partial}: {exc.strerror}")

    kept: list[MediaFile] = []
    for f in files:
        if f.mtime < cutoff and delete(f):
            report.deleted_by_age += 1
        else:
            kept.append(f)
    kept_bytes = sum(f.size for f in kept)
    free = shutil.disk_usage(_existing(media.root)).free
    need = _over_budget(kept_bytes, free, cfg)
    for f in kept:  # oldest first
        if need <= 0:
            break
        if delete(f):
            report.deleted_by_budget += 1
            need -= f.size
            kept_bytes -= f.size
    report.bytes_kept = kept_bytes
    if need > 0:
        report.errors.append(
            f"still {need} bytes over the media budget after deleting every media file; "
            "the disk is used by something else or the budget is too small"
        )
    if deleted:
        report.rows_cleared = store.clear_media(
            snapshot_event_ids=[f.event_id for f in deleted if f.kind == "snapshots"],
            clip_event_ids=[f.event_id for f in deleted if f.kind == "clips"],
        )
        media.remove_empty_dirs(unchanged_since=now - EMPTY_DIR_GRACE_S)
    return report


class RetentionWorker:
    """Runs ``apply_retention`` at start, then every ``check_interval_s`` and whenever ``wake`` is called."""

    def __init__(self, media: MediaStore, store: Store, cfg: RetentionConfig, clock: Clock | None = None) -> None:
        self._media, self._store, self._cfg = media, store, cfg
        self._clock = clock or RealClock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False
        self.last_report: RetentionReport | None = None
        self.runs = 0

    def apply_retention(self, now: float | None = None) -> RetentionReport:
        """One pass at ``now`` (default: the clock's time); errors are raised."""
        return apply_retention(self._media, self._store, self._cfg, self._clock.time() if now is None else now)

    def run_once(self) -> RetentionReport | None:
        """One pass; failures are logged once (and the recovery once), never raised."""
        try:
            report = self.apply_retention()
        except (StorageError, OSError) as exc:
            if not self._failing:
                log.error("media retention failed (will retry every %.0f s): %s", self._cfg.check_interval_s, exc)
            self._failing = True
            return None
        except Exception:  # a bug must not end retention for good: log it and try again next time
            if not self._failing:
                log.exception("media retention failed unexpectedly (will retry)")
            self._failing = True
            return None
        if self._failing:
            log.info("media retention works again")
        self._failing = False
        for error in report.errors:
            log.warning("media retention: %s", error)
        if report.deleted:
            log.info(
                "media retention deleted %d files (%d by age, %d over budget), %.1f MB freed",
                report.deleted,
                report.deleted_by_age,
                report.deleted_by_budget,
                report.bytes_freed / 1e6,
            )
        self.last_report = report
        return report

    def wake(self) -> None:
        """Run a pass now instead of at the next interval (a media write found the disk full)."""
        self._wake.set()

    def _loop(self) -> None:
        while True:
            self.run_once()
            self.runs += 1
            self._wake.wait(self._cfg.check_interval_s)
            self._wake.clear()
            if self._stop.is_set():
                return

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("RetentionWorker already started")
        self._thread = threading.Thread(target=self._loop, name="gwanje-retention", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
