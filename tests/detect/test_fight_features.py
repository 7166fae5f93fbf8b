"""Direction-disorder features: what they measure, and clear errors on bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gwanje.detect.fight_features import (
    EXCLUSION_MARGIN,
    EXPOSURE_STEP,
    PAIR_NAMES,
    WINDOW_DIM,
    WORK_WIDTH,
    MotionStep,
    exclusion_mask,
    exposure_corrected,
    motion_step,
    prepare,
    triggered,
    window_features,
    window_frame_count,
)
from tests.detect.fight_scenes import HEIGHT, WIDTH, calm_frames, flame_frames, scuffle_frames


def _steps(
    images: list[np.ndarray], fps: float = 5.0, boxes: list[tuple[float, ...]] | None = None
) -> list[MotionStep]:
    """Steps of consecutive frames; ``boxes`` (pixels of the WIDTH x HEIGHT scenes) are excluded when given."""
    grey = [prepare(img) for img in images]
    mask = None
    if boxes is not None:
        fractions = [(x1 / WIDTH, y1 / HEIGHT, x2 / WIDTH, y2 / HEIGHT) for x1, y1, x2, y2 in boxes]
        mask = exclusion_mask(grey[0].shape, fractions)
    return [motion_step(a, b, 1.0 / fps, mask) for a, b in itertools.pairwise(grey)]


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


def test_flame_inside_an_excluded_box_is_neither_motion_nor_trigger() -> None:
    images, box = flame_frames(10, 5.0, seed=1)
    free = _steps(images)
    assert triggered(free, 0.005) and window_features(free).any(), "a flickering flame moves, unmasked"
    masked = _steps(images, boxes=[box])
    assert all(s.still and s.motion_box is None and not s.values.any() for s in masked)
    assert not triggered(masked, 0.001)


def test_an_excluded_box_elsewhere_leaves_the_motion_as_it_was() -> None:
    images, _ = flame_frames(10, 5.0, seed=1)
    free, elsewhere = _steps(images), _steps(images, boxes=[(6, 9, 96, 90)])  # a box left of the flame
    assert [s.changed_fraction for s in elsewhere] == [s.changed_fraction for s in free]
    # only the camera-shake median is taken over fewer pixels
    np.testing.assert_allclose(window_features(elsewhere), window_features(free), atol=1e-3)
    assert triggered(elsewhere, 0.005) and window_features(elsewhere).any()


def test_an_empty_mask_computes_exactly_the_unmasked_features() -> None:
    grey = [prepare(img) for img in scuffle_frames(6, 5.0, seed=3)]
    nothing = np.zeros(grey[0].shape, np.bool_)
    for a, b in itertools.pairwise(grey):
        plain, masked = motion_step(a, b, 0.2), motion_step(a, b, 0.2, nothing)
        assert np.array_equal(plain.values, masked.values)
        assert (plain.changed_fraction, plain.motion_box) == (masked.changed_fraction, masked.motion_box)


def test_exclusion_mask_dilates_boxes_and_stays_inside_the_frame() -> None:
    assert exclusion_mask((90, 160), []) is None
    mask = exclusion_mask((90, 160), [(0.5, 0.5, 0.6, 0.6), (0.0, 0.0, 0.05, 0.05)])
    assert mask is not None and mask.shape == (90, 160)
    rows, cols = np.nonzero(mask[40:, 60:])
    assert (rows.min() + 40, cols.min() + 60) == (45 - EXCLUSION_MARGIN, 80 - EXCLUSION_MARGIN)
    assert (rows.max() + 41, cols.max() + 61) == (54 + EXCLUSION_MARGIN, 96 + EXCLUSION_MARGIN)
    assert mask[0, 0] and mask[:40, :60].sum() == (5 + EXCLUSION_MARGIN) * (8 + EXCLUSION_MARGIN)
    with pytest.raises(ValueError, match="mask"):
        motion_step(np.zeros((90, 160), np.uint8), np.zeros((90, 160), np.uint8), 0.2, np.zeros((9, 16), np.bool_))


def _exposure_ramp(step: int, frames: int, seed: int = 3) -> list[np.ndarray]:
    """A still, textured scene whose grey levels all move by ``step`` per frame (auto-exposure settling)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(40, 200, size=(HEIGHT // 8, WIDTH // 8, 3)).astype(np.int16)
    base = np.kron(base, np.ones((8, 8, 1), np.int16))  # blocks: texture the flow can lock onto
    return [np.clip(base + i * step, 0, 255).astype(np.uint8) for i in range(frames)]


def test_an_exposure_ramp_is_not_motion_at_run_time() -> None:
    grey = [prepare(img) for img in _exposure_ramp(-22, 6)]
    raw = [motion_step(a, b, 0.2) for a, b in itertools.pairwise(grey)]
    steady = [motion_step(a, b, 0.2, steady_exposure=True) for a, b in itertools.pairwise(grey)]
    assert all(not s.still for s in raw)  # as training sees it: most pixels changed
    assert triggered(raw, 0.005)
    assert all(s.still and not s.values.any() for s in steady)
    assert not triggered(steady, 0.005)


def test_the_exposure_guard_leaves_moving_people_and_small_steps_alone() -> None:
    frames = [prepare(img) for img in scuffle_frames(6, 5.0, seed=4)]
    for a, b in itertools.pairwise(frames):  # people moving over a still background: no common step
        assert exposure_corrected(a, b) is b
        assert np.array_equal(motion_step(a, b, 0.2).values, motion_step(a, b, 0.2, steady_exposure=True).values)
    a = np.clip(frames[0], 30, 200)  # no level near 0 or 255, so a step is not clipped
    small = (a + (EXPOSURE_STEP - 1)).astype(np.uint8)
    assert exposure_corrected(a, small) is small
    big = (a + (EXPOSURE_STEP + 7)).astype(np.uint8)
    assert np.array_equal(exposure_corrected(a, big), a)
    everything = np.ones(a.shape, bool)
    assert exposure_corrected(a, big, everything) is big  # nothing left to measure the step on
