"""Snapshot and clip files under ``<data_dir>/media``: naming, atomic writes and clear storage errors.

Layout (dates in UTC, so names do not depend on the server's time zone)::

    media/snapshots/<camera>/<YYYY-MM-DD>/<event_id>.jpg
    media/clips/<camera>/<YYYY-MM-DD>/<event_id>.mp4

Files are written under a hidden temporary name in the same directory and renamed into place,
so a reader (or the retention worker) never sees half a file, and a failed write (disk full,
no permission) leaves the previous file, if any, untouched.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gwanje.config.store import StoreConfig
from gwanje.core.errors import DiskFullError, StorageError

MediaKind = Literal["snapshots", "clips"]
KINDS: tuple[MediaKind, ...] = ("snapshots", "clips")
SUFFIX: dict[MediaKind, str] = {"snapshots": ".jpg", "clips": ".mp4"}
_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def _safe(part: str, what: str) -> str:
    if not _SAFE_PART.match(part) or ".." in part:
        raise ValueError(f"{what} {part!r} cannot be used in a file name (letters, digits, '_', '-', '.' only)")
    return part


def storage_error(exc: OSError, doing: str) -> StorageError:
    """A StorageError that says what failed and what to do about it."""
    if exc.errno in {errno.ENOSPC, errno.EDQUOT}:
        return DiskFullError(
            f"cannot {doing}: the disk is full: free space, or lower store.retention.max_media_gb / media_days"
        )
    if exc.errno in {errno.EACCES, errno.EPERM}:
        hint = "permission denied: the Gwanje user must be able to write store.data_dir"
    elif exc.errno == errno.EROFS:
        hint = "the file system is read-only"
    else:
        hint = exc.strerror or str(exc)
    return StorageError(f"cannot {doing}: {hint}")


@dataclass(frozen=True)
class MediaFile:
    """One stored media file, as the retention worker sees it."""

    path: Path
    kind: MediaKind
    event_id: str
    size: int
    mtime: float


class MediaStore:
    """Names, writes and lists the media files of events."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def for_config(cls, cfg: StoreConfig) -> MediaStore:
        return cls(cfg.data_dir / "media")

    def path_for(self, kind: MediaKind, event_id: str, camera_id: str, when: float) -> Path:
        """Where the snapshot or clip of an event that started at ``when`` (UNIX seconds) belongs."""
        day = dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%d")
        name = _safe(event_id, "event id") + SUFFIX[kind]
        return self.root / kind / _safe(camera_id, "camera id") / day / name

    def snapshot_path(self, event_id: str, camera_id: str, when: float) -> Path:
        return self.path_for("snapshots", event_id, camera_id, when)

    def clip_path(self, event_id: str, camera_id: str, when: float) -> Path:
        """Where a clip writer should put the MP4 (its directory exists). Write to
        ``partial_path(result)`` first and ``os.replace`` it, so retention never sees half a clip."""
        path = self.path_for("clips", event_id, camera_id, when)
        self._mkdir(path.parent)
        return path

    @staticmethod
    def partial_path(final: Path) -> Path:
        """A hidden sibling name for a file being written; ignored by retention and by ``files()``."""
        return final.with_name(f".{final.name}.{secrets.token_hex(4)}.part")

    def write_snapshot(self, event_id: str, camera_id: str, when: float, jpeg: bytes) -> Path:
        """Write the JPEG atomically and return its path; raises StorageError (nothing half-written)."""
        path = self.snapshot_path(event_id, camera_id, when)
        self.write_atomic(path, jpeg)
        return path

    def write_atomic(self, path: Path, data: bytes) -> None:
        self._mkdir(path.parent)
        tmp = self.partial_path(path)
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise storage_error(exc, f"write {path} ({len(data)} bytes)") from exc

    def _mkdir(self, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(exc, f"create the media directory {folder}") from exc

    def resolve(self, stored: str) -> Path | None:
        """The file a stored snapshot/clip path points to, if it lies inside the media root and exists.

        Accepts absolute paths and paths relative to the root; anything outside the root is refused
        (a tampered database must not turn the API into a file server for the whole disk).
        """
        root = self.root.resolve()
        candidate = Path(stored)
        full = (candidate if candidate.is_absolute() else root / candidate).resolve()
        if not full.is_relative_to(root) or not full.is_file():
            return None
        return full

    def files(self) -> Iterator[MediaFile]:
        """Every finished media file (temporary files are skipped); files that vanish meanwhile are skipped."""
        for kind in KINDS:
            base = self.root / kind
            if not base.is_dir():
                continue
            for path in base.glob(f"*/*/*{SUFFIX[kind]}"):
                if path.name.startswith("."):
                    continue
                try:
                    st = path.stat()
                except FileNotFoundError:
                    continue
                yield MediaFile(path, kind, path.stem, st.st_size, st.st_mtime)

    def stale_partials(self, unchanged_since: float) -> Iterator[Path]:
        """Temporary files not modified after ``unchanged_since``: left by a crash, no writer will finish them."""
        for kind in KINDS:
            for path in (self.root / kind).glob("*/*/.*.part"):
                try:
                    if path.stat().st_mtime < unchanged_since:
                        yield path
                except FileNotFoundError:
                    continue

    def remove_empty_dirs(self, unchanged_since: float) -> None:
        """Delete camera/day directories that are empty and were not modified after ``unchanged_since``
        (a writer may just have created one and not yet put its file in)."""
        for kind in KINDS:
            base = self.root / kind
            if base.is_dir():
                for folder in [*base.glob("*/*"), *base.glob("*")]:  # days before their camera
                    _remove_if_empty(folder, unchanged_since)


def _remove_if_empty(folder: Path, unchanged_since: float) -> None:
    try:
        if folder.is_dir() and folder.stat().st_mtime < unchanged_since and not any(folder.iterdir()):
            folder.rmdir()
    except OSError:
        pass  # filled or removed meanwhile: leave it to the next run
