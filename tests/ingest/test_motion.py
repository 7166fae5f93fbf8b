"""Motion gate on frames decoded from real clips and on synthetic ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gwanje.config.camera import MotionConfig
from gwanje.core.frame import Frame, Image
from gwanje.ingest import MotionGate, iter_file_frames
from tests.support.media import static_frames, write_clip


def _frame(image: Image, pts: float) -> Frame:
    return Frame("cam", int(pts * 10), pts, 1_700_000_000.0 + pts, image)


def test_moving_box_is_found_where_it_is(tiny_clip: Path) -> None:
    gate = MotionGate(MotionConfig(keepalive_s=0))
    results = [(f, gate.check(f)) for f in iter_file_frames(tiny_clip, analysis_fps=10)]
    moving = [(f, r) for f, r in results[1:] if r.moving]
    assert len(moving) >= len(results) - 3
    frame, result = moving[len(moving) // 2]
    # The white box spans rows 100-140; the boxes reported must cover it, in full-frame pixels.
    assert any(y1 <= 105 and y2 >= 135 for _, y1, _, y2 in result.boxes)
    assert all(0 <= x1 < x2 <= frame.width and 0 <= y1 < y2 <= frame.height for x1, y1, x2, y2 in result.boxes)
    assert 0.0 < result.fraction < 0.3 and result.run_detectors


def test_static_scene_is_not_motion_and_keepalive_still_runs_detectors(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "static.mp4", static_frames(75), fps=25)
    gate = MotionGate(MotionConfig(keepalive_s=1.0))
    results = [gate.check(f) for f in iter_file_frames(clip, analysis_fps=5)]
    assert not any(r.moving for r in results)
    runs = [i for i, r in enumerate(results) if r.run_detectors]
    assert runs == [0, 5, 10]  # every keepalive_s of stream time, never in between


def test_global_brightness_jump_recalibrates_instead_of_reporting_motion() -> None:
    rng = np.random.default_rng(1)
    base = rng.integers(40, 120, size=(240, 320, 3), dtype=np.uint8)
    gate = MotionGate(MotionConfig(keepalive_s=0))
    for i in range(5):
        assert not gate.check(_frame(base, i * 0.2)).moving
    lit = np.clip(base.astype(np.int16) + 80, 0, 255).astype(np.uint8)  # lights switched on
    jump = gate.check(_frame(lit, 1.0))
    assert not jump.moving and jump.recalibrated and gate.recalibrations == 1
    assert not gate.check(_frame(lit, 1.2)).moving  # the new lighting is the background now
    moved = lit.copy()
    moved[100:160, 100:160] = 255
    after = gate.check(_frame(moved, 1.4))
    assert after.moving and len(after.boxes) == 1


def test_disabled_gate_lets_every_frame_through() -> None:
    gate = MotionGate(MotionConfig(enabled=False))
    img = np.zeros((90, 160, 3), np.uint8)
    assert all(gate.check(_frame(img, i * 0.2)).run_detectors for i in range(5))


def test_a_new_stream_segment_resets_the_background_and_runs_the_detectors() -> None:
    rng = np.random.default_rng(2)
    still = rng.integers(40, 120, size=(240, 320, 3), dtype=np.uint8)
    gate = MotionGate(MotionConfig(keepalive_s=0))
    assert [gate.check(_frame(still, i * 0.2)).run_detectors for i in range(4)] == [False] * 4
    reconnected = gate.check(Frame("cam", 4, 0.8, 0.0, still, segment=1))
    assert reconnected.run_detectors and reconnected.recalibrated and not reconnected.moving
    assert not gate.check(Frame("cam", 5, 1.0, 0.0, still, segment=1)).run_detectors


def test_frames_tell_the_detectors_where_it_moved_except_when_the_whole_picture_counts() -> None:
    """``MotionResult.motion`` (what ``Frame.motion`` carries): the moving boxes on a frame that runs for its
    motion; None on the first frame, at a keepalive, after a new background and on a new segment."""
    rng = np.random.default_rng(2)
    base = rng.integers(40, 120, size=(240, 320, 3), dtype=np.uint8)
    moved = base.copy()
    moved[100:140, 20:60] = 255
    gate = MotionGate(MotionConfig(keepalive_s=1.0))
    first = gate.check(_frame(base, 0.0))
    assert first.run_detectors and first.motion is None  # nothing seen yet: every part counts
    still = gate.check(_frame(base, 0.2))
    assert not still.run_detectors and still.motion is None
    moving = gate.check(_frame(moved, 0.4))
    assert moving.run_detectors and moving.motion is not None
    assert all(x2 <= 80 and y1 >= 80 and y2 <= 160 for _, y1, x2, y2 in moving.motion)
    due = gate.check(_frame(moved, 1.4))  # the keepalive is due: the whole picture, even while it moves
    assert due.run_detectors and due.motion is None
    lit = np.clip(base.astype(np.int16) + 90, 0, 255).astype(np.uint8)
    assert gate.check(_frame(lit, 1.6)).recalibrated
    lit_moving = lit.copy()
    lit_moving[100:140, 20:60] = 0
    after_lights = gate.check(_frame(lit_moving, 1.8))
    assert after_lights.run_detectors and after_lights.motion is None  # the first run after a new background
    assert gate.check(_frame(lit_moving, 2.0)).motion is not None  # then only where it moves again
    broke = gate.check(Frame("cam", 99, 2.2, 0.0, lit_moving, segment=1))
    assert broke.run_detectors and broke.motion is None
