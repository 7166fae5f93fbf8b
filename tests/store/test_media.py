"""Media files: layout, atomic writes, and clear errors on a full or read-only disk."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from gwanje.config.store import StoreConfig
from gwanje.core.errors import StorageError
from gwanje.store.media import MediaStore
from gwanje.store.repo import Store
from tests.store.factories import make_event

WHEN = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(".")]


def test_snapshot_is_written_where_the_layout_says(tmp_path: Path) -> None:
    media = MediaStore.for_config(StoreConfig(data_dir=tmp_path))
    path = media.write_snapshot("ev-1", "gate", WHEN, b"\xff\xd8jpeg")
    assert path == tmp_path / "media" / "snapshots" / "gate" / "2023-11-14" / "ev-1.jpg"
    assert path.read_bytes() == b"\xff\xd8jpeg"
    assert _leftovers(tmp_path) == []
    clip = media.clip_path("ev-1", "gate", WHEN)
    assert clip == tmp_path / "media" / "clips" / "gate" / "2023-11-14" / "ev-1.mp4"
    assert clip.parent.is_dir()
    assert [(f.kind, f.event_id) for f in media.files()] == [("snapshots", "ev-1")]


@pytest.mark.parametrize(("event_id", "camera_id"), [("../../etc/passwd", "gate"), ("ev", "a/b"), ("ev", "..")])
def test_ids_that_would_escape_the_media_dir_are_refused(tmp_path: Path, event_id: str, camera_id: str) -> None:
    with pytest.raises(ValueError, match="cannot be used in a file name"):
        MediaStore(tmp_path).write_snapshot(event_id, camera_id, WHEN, b"x")


def test_resolve_only_serves_files_inside_the_media_root(tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    path = media.write_snapshot("ev-1", "gate", WHEN, b"x")
    (tmp_path / "secret.txt").write_text("no")
    assert media.resolve(str(path)) == path.resolve()
    assert media.resolve("snapshots/gate/2023-11-14/ev-1.jpg") == path.resolve()
    assert media.resolve("../secret.txt") is None
    assert media.resolve(str(tmp_path / "secret.txt")) is None
    assert media.resolve("snapshots/gate/2023-11-14/missing.jpg") is None


def test_full_disk_raises_storage_error_and_keeps_everything_intact(
    tiny_fs: Callable[[int], Path], tmp_path: Path
) -> None:
    """A real ENOSPC from a 256 KiB tmpfs: the earlier snapshot and the event row survive untouched."""
    media = MediaStore(tiny_fs(256))
    store = Store.open(StoreConfig(data_dir=tmp_path / "db"))
    try:
        first = media.write_snapshot("ev-1", "gate", WHEN, b"A" * 8192)
        event = make_event("gate", snapshot_path=str(first))
        store.save_event(event)

        with pytest.raises(StorageError, match="disk is full") as info:
            media.write_snapshot("ev-1", "gate", WHEN, b"B" * (1024 * 1024))
        assert "ev-1.jpg" in str(info.value)

        assert first.read_bytes() == b"A" * 8192
        assert _leftovers(media.root) == []
        stored = store.get_event(event.id)
        assert stored is not None
        assert stored.event.snapshot_path == str(first)
        # the disk works again once there is room
        assert media.write_snapshot("ev-2", "gate", WHEN, b"C" * 1024).read_bytes() == b"C" * 1024
    finally:
        store.close()


def test_unwritable_media_dir_raises_storage_error(tiny_fs: Callable[[int], Path], tmp_path: Path) -> None:
    if os.geteuid() == 0:
        root = tiny_fs(64)  # root ignores file modes; a read-only mount is what stops it
        subprocess.run(["mount", "-o", "remount,ro", str(root)], check=True)
        expected = "read-only"
    else:
        root = tmp_path / "ro"
        root.mkdir()
        root.chmod(0o500)
        expected = "permission denied"
    with pytest.raises(StorageError, match=expected):
        MediaStore(root).write_snapshot("ev-1", "gate", WHEN, b"x")
