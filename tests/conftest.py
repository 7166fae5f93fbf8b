"""Fixtures shared by every test package."""

from __future__ import annotations

from pathlib import Path

import pytest

from gwanje.config.datasets import DATASETS_ENV, datasets_root
from gwanje.core.clock import FakeClock
from tests.support.media import moving_box_frames, write_clip


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def tiny_clip(tmp_path: Path) -> Path:
    """2 s of 320x240 H.264 at 25 fps with a moving box."""
    return write_clip(tmp_path / "tiny.mp4", moving_box_frames(50), fps=25)


@pytest.fixture
def datasets_dir() -> Path:
    """``$GWANJE_DATASETS`` (default ../shared/datasets); tests that need it skip with the reason when it is absent."""
    root = datasets_root()
    if not root.is_dir():
        pytest.skip(
            f"public datasets not found at {root} (they live beside the project, never in it; set {DATASETS_ENV})"
        )
    return root
