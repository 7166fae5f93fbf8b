"""Retention deletes media by age and by disk budget, oldest first, and clears the rows' paths."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from gwanje.config.store import RetentionConfig
from gwanje.core.clock import FakeClock
from gwanje.core.events import Event
from gwanje.store.media import MediaStore
from gwanje.store.repo import Store
from gwanje.store.retention import DAY_S, EMPTY_DIR_GRACE_S, GB, RetentionWorker, apply_retention
from tests.store.factories import make_event

NOW = time.time() + 2 * EMPTY_DIR_GRACE_S
"""Later than the test's directories were created, so retention may remove empty ones."""


def _stored_event(store: Store, media: MediaStore, age_days: float, size: int = 1000, clip: bool = False) -> Event:
    """An event whose snapshot (and clip) file was last modified ``age_days`` before NOW."""
    start = NOW - age_days * DAY_S
    event = make_event("gate", start_time=start)
    snap = media.write_snapshot(event.id, "gate", start, b"s" * size)
    os.utime(snap, (start, start))
    event.snapshot_path = str(snap)
    if clip:
        clip_file = media.clip_path(event.id, "gate", start)
        clip_file.write_bytes(b"c" * size)
        os.utime(clip_file, (start, start))
        event.clip_path = str(clip_file)
    store.save_event(event)
    return event


def _paths(store: Store, event: Event) -> tuple[str | None, str | None]:
    record = store.get_event(event.id)
    assert record is not None, "event rows are never deleted"
    return record.event.snapshot_path, record.event.clip_path


def test_media_older_than_media_days_is_deleted(store: Store, tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    old = _stored_event(store, media, age_days=40, clip=True)
    recent = _stored_event(store, media, age_days=5, clip=True)
    report = apply_retention(media, store, RetentionConfig(media_days=30), NOW)

    assert (report.deleted_by_age, report.deleted_by_budget) == (2, 0)
    assert report.rows_cleared == 2
    assert report.bytes_freed == 2000
    assert _paths(store, old) == (None, None)
    assert _paths(store, recent) == (recent.snapshot_path, recent.clip_path)
    assert {f.event_id for f in media.files()} == {recent.id}
    # the old day's directories are gone, the recent ones stay
    assert not Path(old.snapshot_path or "").parent.exists()
    assert Path(recent.snapshot_path or "").parent.is_dir()


def test_over_budget_deletes_oldest_first(store: Store, tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    events = [_stored_event(store, media, age_days=age, size=1000) for age in (9, 7, 5, 3, 1)]
    cfg = RetentionConfig(media_days=30, max_media_gb=2500 / GB, min_free_gb=0)
    report = apply_retention(media, store, cfg, NOW)

    assert (report.deleted_by_age, report.deleted_by_budget) == (0, 3)
    assert report.bytes_kept == 2000
    assert [_paths(store, e)[0] is None for e in events] == [True, True, True, False, False]
    assert report.errors == []


def test_low_free_space_deletes_oldest_until_enough_is_free(store: Store, tiny_fs: Callable[[int], Path]) -> None:
    """A real 1 MiB file system with 600 KiB of media; asking for 500 KiB free removes the oldest file only."""
    media = MediaStore(tiny_fs(1024))
    events = [_stored_event(store, media, age_days=age, size=200 * 1024) for age in (3, 2, 1)]
    cfg = RetentionConfig(media_days=30, max_media_gb=1.0, min_free_gb=500 * 1024 / GB)
    report = apply_retention(media, store, cfg, NOW)

    assert report.deleted_by_budget == 1
    assert [_paths(store, e)[0] is None for e in events] == [True, False, False]


def test_files_being_written_are_left_alone_and_abandoned_ones_removed(store: Store, tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    final = media.clip_path("ev-1", "gate", NOW - 90 * DAY_S)
    writing, abandoned = media.partial_path(final), media.partial_path(final)
    writing.write_bytes(b"half a clip")
    abandoned.write_bytes(b"left by a crash")
    os.utime(writing, (NOW - 60, NOW - 60))
    os.utime(abandoned, (NOW - 2 * DAY_S, NOW - 2 * DAY_S))
    report = apply_retention(media, store, RetentionConfig(media_days=1, max_media_gb=1e-9), NOW)
    assert report.deleted == 0
    assert writing.read_bytes() == b"half a clip"
    assert not abandoned.exists()


def test_impossible_budget_is_reported(store: Store, tiny_fs: Callable[[int], Path]) -> None:
    media = MediaStore(tiny_fs(256))
    _stored_event(store, media, age_days=1)
    cfg = RetentionConfig(media_days=30, max_media_gb=1.0, min_free_gb=1.0)  # 1 GB free on a 256 KiB disk
    report = apply_retention(media, store, cfg, NOW)
    assert report.deleted_by_budget == 1
    assert any("still" in e and "over the media budget" in e for e in report.errors)


def test_worker_runs_a_pass_at_start_and_stops(store: Store, tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    old = _stored_event(store, media, age_days=40)
    worker = RetentionWorker(media, store, RetentionConfig(media_days=30, check_interval_s=3600), FakeClock(NOW))
    worker.start()
    worker.stop()
    assert worker.runs == 1
    assert worker.last_report is not None
    assert worker.last_report.deleted_by_age == 1
    assert _paths(store, old)[0] is None


def test_worker_applies_retention_at_a_given_time(store: Store, tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    event = _stored_event(store, media, age_days=10)
    worker = RetentionWorker(media, store, RetentionConfig(media_days=30), FakeClock(NOW))
    assert worker.apply_retention().deleted == 0
    assert worker.apply_retention(NOW + 25 * DAY_S).deleted_by_age == 1
    assert _paths(store, event)[0] is None


def test_real_clock_default_keeps_fresh_media(store: Store, tmp_path: Path) -> None:
    media = MediaStore(tmp_path / "media")
    path = media.write_snapshot("ev-1", "gate", time.time(), b"x")
    report = RetentionWorker(media, store, RetentionConfig()).run_once()
    assert report is not None
    assert report.deleted == 0
    assert path.exists()
