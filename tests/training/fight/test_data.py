"""Fight training sees the frames the service analyses: ingest's decoder and decimator, not a sampler of its own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gwanje.detect.fight_features import prepare
from gwanje.ingest.source import iter_file_frames
from gwanje.training.fight.data import Clip, build_windows, clip_steps, decode_clip
from tests.support.media import moving_box_frames, write_clip


@pytest.fixture
def clip_12fps(tmp_path: Path) -> Path:
    """3 s at 12 fps: 5 fps does not divide it, so the decimator's choice of frames shows."""
    return write_clip(tmp_path / "c.mp4", moving_box_frames(36), fps=12)


def test_phase_zero_frames_are_the_frames_gwanje_analyze_sees(clip_12fps: Path) -> None:
    clip = Clip(clip_12fps, 1, "v", decode_clip(clip_12fps))
    served = list(iter_file_frames(clip_12fps, 5.0))
    steps = clip_steps(clip, 5.0, 0.0)
    assert len(steps) == len(served) - 1
    np.testing.assert_allclose([s.dt for s in steps], np.diff([f.pts_s for f in served]))
    # first at or after each 0.2 s mark: frames 0, 3, 5, 8, 10, ... -> steps of 3/12 and 2/12 s
    assert [round(s.dt * 12) for s in steps[:4]] == [3, 2, 3, 2]
    kept = {round(f.pts_s * 12) for f in served}
    for frame in clip.frames:
        if round(frame.pts_s * 12) in kept:
            served_frame = next(f for f in served if abs(f.pts_s - frame.pts_s) < 1e-6)
            assert np.array_equal(frame.grey, prepare(served_frame.image))


def test_later_phases_join_the_clip_later(clip_12fps: Path) -> None:
    clip = Clip(clip_12fps, 0, "v", decode_clip(clip_12fps))
    windows = build_windows([clip], fps=5.0, window_s=1.6, phases=2)
    assert set(windows.phase.tolist()) == {0, 1}
    # the second phase joins 0.1 s in, at frame 2 (2/12 s): frames 2, 5, 7, 10, ...
    assert [round(s.dt * 12) for s in clip_steps(clip, 5.0, 0.1)[:3]] == [3, 2, 3]
