"""Fixtures shared by every test package."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
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


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Callable[[int], Path]]:
    """Mount a tmpfs of a given size in KiB (a real file system that fills up); skips when not permitted."""
    mounted: list[Path] = []

    def mount(size_kib: int) -> Path:
        target = tmp_path / f"tmpfs{len(mounted)}"
        target.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(target)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs to make a real full disk (needs root): {done.stderr.strip()}")
        mounted.append(target)
        return target

    yield mount
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], check=False)
