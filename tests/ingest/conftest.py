"""Fixtures for the ingest tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gwanje.ingest import CameraReader
from tests.support.media import moving_box_frames, write_clip


@pytest.fixture
def readers() -> Iterator[list[CameraReader]]:
    """Readers appended here are stopped after the test, whatever happened."""
    started: list[CameraReader] = []
    yield started
    for reader in started:
        reader.request_stop()
    for reader in started:
        reader.stop(timeout=5.0)


@pytest.fixture
def gop_clip(tmp_path: Path) -> Path:
    """4 s of 320x240 H.264 at 25 fps with a keyframe every 10 frames (streams restart quickly)."""
    return write_clip(tmp_path / "gop.mp4", moving_box_frames(100), fps=25, gop=10)
