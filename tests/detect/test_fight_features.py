"""Direction-disorder features: what they measure, and clear errors on bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gwanje.detect.fight_features import (
    PAIR_NAMES,
    WINDOW_DIM,
    WORK_WIDTH,
    MotionStep,
    motion_step,
    prepare,
    triggered,
    window_features,
    window_frame_count,
)
from tests.detect.fight_scenes import calm_frames, scuffle_frames


def _steps(images: list[np.ndarray], fps: float = 5.0) -> list[MotionStep]:
    grey = [prepare(img) for img in images]
    return [motion_step(a, b, 1.0 / fps) for a, b in itertools.pairwise(grey)]


def test_prepare_keeps_the_aspect_ratio_at_the_working_width() -> None:
    assert prepare(np.zeros((720, 1280, 3), np.uint8)).shape == (90, WORK_WIDTH)
    assert prepare(np.zeros((480, 640, 3), np.uint8)).shape == (120, WORK_WIDTH)
    with pytest.raises(ValueError, match="H x W x 3"):
        prepare(np.zeros((10, 10), np.uint8))


def test_still_pairs_have_no_motion_and_do_not_trigger() -> None:
    img = np.full((180, 320, 3), 70, np.uint8)
    steps = _steps([img, img, img])
    assert all(s.still and s.motion_box is None and not s.values.any() for s in steps)
    assert not triggered(steps, 0.005)


def test_scuffle_is_more_disordered_than_walking() -> None:
    scuffle = window_features(_steps(list(scuffle_frames(8, 5.0, seed=1))))
    calm = window_features(_steps(list(calm_frames(8, 5.0, seed=1))))
    local, fast = PAIR_NAMES.index("local_entropy"), PAIR_NAMES.index("fast_local_entropy")  # "mean" block first
    assert scuffle.shape == calm.shape == (WINDOW_DIM,)
    assert scuffle[local] > calm[local] + 0.05
    assert scuffle[fast] > calm[fast]


def test_scuffle_triggers_and_has_a_motion_box_around_it() -> None:
    steps = _steps(list(scuffle_frames(4, 5.0, seed=2)))
    assert triggered(steps, 0.005)
    boxes = [s.motion_box for s in steps if s.motion_box is not None]
    assert boxes
    x1, y1, x2, y2 = boxes[0]
    assert 0 <= x1 < x2 <= 1 and 0 <= y1 < y2 <= 1
    assert (x2 - x1) * (y2 - y1) < 0.5


def test_bad_sequences_are_refused_with_a_reason() -> None:
    a = prepare(np.zeros((180, 320, 3), np.uint8))
    b = prepare(np.zeros((240, 320, 3), np.uint8))
    with pytest.raises(ValueError, match="one size"):
        motion_step(a, b, 0.2)
    with pytest.raises(ValueError, match="time order"):
        motion_step(a, a, 0.0)
    with pytest.raises(ValueError, match="at least 2 frame pairs"):
        window_features([motion_step(a, a, 0.2)])


def test_window_frame_count() -> None:
    assert window_frame_count(1.6, 5.0) == 8
    assert window_frame_count(0.3, 5.0) == 3
