"""Motion features of a short window of frames: the ONE implementation shared by training and runtime.

A fight shows up on CCTV as fast, erratic, locally concentrated motion: large optical flow in one
region whose direction keeps changing (punches, pushes, falls), rather than the steady, coherent
flow of people walking. The features describe that, frame pair by frame pair (``MotionStep``), then
over a window (``window_features``), in units that do not depend on frame size or frame rate
(frame widths per second), so a model trained at one analysis rate works at nearby ones.

Pipeline: ``prepare`` (small grey frame) -> ``motion_step(prev, cur, dt, last_step)`` for each pair
-> ``window_features(steps)`` -> classifier. Pairs with almost no changed pixels skip the optical
flow and count as still (``MotionStep.still``): that is cheap on quiet cameras and applied
identically during training.

Example:
    >>> import numpy as np
    >>> a = prepare(np.zeros((360, 640, 3), np.uint8))
    >>> a.shape
    (90, 160)
    >>> s = motion_step(a, a, 0.2)
    >>> s.still, window_features([s, s]).shape == (WINDOW_DIM,)
    (True, True)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from gwanje.core.frame import Image

FloatArray = npt.NDArray[np.float32]
Grey = npt.NDArray[np.uint8]

FEATURE_VERSION = 1
"""Bumped whenever a feature changes meaning; stored in the model so a mismatch is caught at load time."""
WORK_WIDTH = 160
"""Frames are analysed at this width (height keeps the aspect ratio)."""
DIFF_LEVEL = 20
"""Grey-level change (0..255) that counts as a changed pixel."""
STILL_FRACTION = 0.002
"""A pair with fewer changed pixels than this is still: no optical flow, zero motion."""
MOVING_SPEED = 0.04
"""Flow speed (frame widths per second) above which a pixel counts as moving."""
GRID = 4
"""The frame is cut into GRID x GRID cells for spatial concentration and per-cell acceleration."""
ORIENTATION_BINS = 8

PAIR_NAMES: tuple[str, ...] = (
    "diff_mean",
    "diff_fraction",
    "speed_mean",
    "speed_p90",
    "speed_p99",
    "moving_fraction",
    "moving_speed_mean",
    "moving_speed_cv",
    "coherence",
    "orientation_entropy",
    "divergence",
    "curl",
    "top_cell_share",
    "top2_cell_share",
    "top_cell_speed",
    "vertical_share",
    "spread",
)
PAIR_DIM = len(PAIR_NAMES)
WINDOW_EXTRA_NAMES: tuple[str, ...] = (
    "accel_mean",
    "accel_p90",
    "cell_accel_max",
    "cell_accel_mean",
    "cell_energy_temporal_std_max",
    "cell_energy_temporal_std_mean",
    "reversal_share",
    "still_share",
)
FEATURE_NAMES: tuple[str, ...] = (
    tuple(f"{name}_{stat}" for stat in ("mean", "std", "max") for name in PAIR_NAMES) + WINDOW_EXTRA_NAMES
)
WINDOW_DIM = len(FEATURE_NAMES)


@dataclass(frozen=True)
class MotionStep:
    """What moved between two consecutive frames."""

    values: FloatArray
    """PAIR_DIM values, in the order of ``PAIR_NAMES``."""
    flow: FloatArray
    """Flow at a quarter of the working size, in frame widths per second (h/4 x w/4 x 2)."""
    cell_flow: FloatArray
    """Mean flow per cell (GRID x GRID x 2), frame widths per second."""
    cell_energy: FloatArray
    """Mean speed per cell (GRID x GRID)."""
    motion_box: tuple[float, float, float, float] | None
    """Box (x1, y1, x2, y2) around the moving pixels, as fractions of the frame; None when nothing moves."""
    dt: float
    still: bool


def prepare(image: Image) -> Grey:
    """The small grey frame every other function takes (WORK_WIDTH wide, lightly blurred)."""
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] < 2 or image.shape[1] < 2:
        raise ValueError(f"fight features need an H x W x 3 BGR image, got shape {image.shape}")
    height = max(8, round(image.shape[0] * WORK_WIDTH / image.shape[1]))
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(grey, (WORK_WIDTH, height), interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.GaussianBlur(small, (3, 3), 0), dtype=np.uint8)


def changed_fraction(prev: Grey, cur: Grey) -> float:
    """Fraction of pixels whose grey level changed by more than DIFF_LEVEL: the cheap motion trigger."""
    return float(np.count_nonzero(cv2.absdiff(prev, cur) > DIFF_LEVEL)) / float(cur.size)


def _still_step(shape: tuple[int, int], dt: float, diff_mean: float, diff_fraction: float) -> MotionStep:
    values = np.zeros(PAIR_DIM, np.float32)
    values[0], values[1] = diff_mean, diff_fraction
    return MotionStep(
        values=values,
        flow=np.zeros((shape[0] // 4, shape[1] // 4, 2), np.float32),
        cell_flow=np.zeros((GRID, GRID, 2), np.float32),
        cell_energy=np.zeros((GRID, GRID), np.float32),
        motion_box=None,
        dt=dt,
        still=True,
    )


def _cells(field: FloatArray) -> FloatArray:
    """Mean of an H x W (x C) field over GRID x GRID cells."""
    return np.asarray(cv2.resize(field, (GRID, GRID), interpolation=cv2.INTER_AREA), np.float32)


def _entropy(weights: FloatArray) -> float:
    total = float(weights.sum())
    if total <= 0:
        return 0.0
    p = weights / total
    p = p[p > 0]
    return float(-(p * np.log(p)).sum() / np.log(ORIENTATION_BINS))


def motion_step(prev: Grey, cur: Grey, dt: float) -> MotionStep:
    """Motion between two prepared frames ``dt`` seconds apart."""
    if prev.shape != cur.shape:
        raise ValueError(f"frames of one window must have one size, got {prev.shape} then {cur.shape}")
    if dt <= 0:
        raise ValueError(f"frames must be in time order, got a step of {dt} s")
    diff = cv2.absdiff(prev, cur)
    diff_mean = float(diff.mean()) / 255.0
    diff_fraction = float(np.count_nonzero(diff > DIFF_LEVEL)) / float(diff.size)
    if diff_fraction < STILL_FRACTION:
        return _still_step((cur.shape[0], cur.shape[1]), dt, diff_mean, diff_fraction)

    width = cur.shape[1]
    raw = cv2.calcOpticalFlowFarneback(prev, cur, None, 0.5, 3, 9, 3, 5, 1.1, 0)  # type: ignore[call-overload]
    flow = np.asarray(raw, np.float32) / np.float32(width * dt)
    flow -= np.median(flow.reshape(-1, 2), axis=0)  # camera shake and pans move everything alike
    fx, fy = flow[..., 0], flow[..., 1]
    speed = np.sqrt(fx * fx + fy * fy)
    moving = speed > MOVING_SPEED
    n_moving = int(np.count_nonzero(moving))
    p90, p99 = (float(v) for v in np.percentile(speed, (90, 99)))

    values = np.zeros(PAIR_DIM, np.float32)
    values[0:6] = (diff_mean, diff_fraction, float(speed.mean()), p90, p99, n_moving / speed.size)
    cell_energy = _cells(speed)
    energy_total = float(cell_energy.sum())
    box: tuple[float, float, float, float] | None = None
    if n_moving >= 4:
        moving_speed = speed[moving]
        mean_moving = float(moving_speed.mean())
        values[6] = mean_moving
        values[7] = float(moving_speed.std()) / mean_moving
        mean_vec = np.array([fx[moving].mean(), fy[moving].mean()])
        values[8] = float(np.hypot(*mean_vec)) / mean_moving
        angle = np.arctan2(fy[moving], fx[moving])
        bins = ((angle + np.pi) / (2 * np.pi) * ORIENTATION_BINS).astype(np.int64) % ORIENTATION_BINS
        values[9] = _entropy(np.bincount(bins, weights=moving_speed, minlength=ORIENTATION_BINS).astype(np.float32))
        # spatial derivatives per frame width: units of 1/s
        dfx_dy, dfx_dx = np.gradient(fx)
        dfy_dy, dfy_dx = np.gradient(fy)
        values[10] = float(np.abs(dfx_dx + dfy_dy)[moving].mean()) * width
        values[11] = float(np.abs(dfy_dx - dfx_dy)[moving].mean()) * width
        ys, xs = np.nonzero(moving)
        values[15] = float(np.abs(fy[moving]).sum() / (np.abs(fx[moving]).sum() + np.abs(fy[moving]).sum() + 1e-9))
        values[16] = float(np.hypot(xs.std(), ys.std())) / width
        h = cur.shape[0]
        box = (float(xs.min()) / width, float(ys.min()) / h, float(xs.max() + 1) / width, float(ys.max() + 1) / h)
    if energy_total > 0:
        ordered = np.sort(cell_energy.ravel())[::-1]
        values[12] = ordered[0] / energy_total
        values[13] = (ordered[0] + ordered[1]) / energy_total
        values[14] = ordered[0]
    small = cv2.resize(flow, (cur.shape[1] // 4, cur.shape[0] // 4), interpolation=cv2.INTER_AREA)
    return MotionStep(
        values=values,
        flow=np.asarray(small, np.float32),
        cell_flow=_cells(flow),
        cell_energy=cell_energy,
        motion_box=box,
        dt=dt,
        still=False,
    )


def window_features(steps: Sequence[MotionStep]) -> FloatArray:
    """WINDOW_DIM features of consecutive steps (at least two), in the order of ``FEATURE_NAMES``."""
    if len(steps) < 2:
        raise ValueError(f"a fight window needs at least 2 frame pairs (3 frames), got {len(steps)} pairs")
    values = np.stack([s.values for s in steps])
    stats = np.concatenate([values.mean(axis=0), values.std(axis=0), values.max(axis=0)])

    accel_pixels: list[FloatArray] = []
    cell_accel: list[FloatArray] = []
    reversal = 0.0
    reversal_weight = 0.0
    for before, after in itertools.pairwise(steps):
        dt = 0.5 * (before.dt + after.dt)
        if before.flow.shape == after.flow.shape:
            accel_pixels.append(np.linalg.norm(after.flow - before.flow, axis=2).ravel() / dt)
        cell_accel.append(np.linalg.norm(after.cell_flow - before.cell_flow, axis=2).ravel() / dt)
        dot = (after.cell_flow * before.cell_flow).sum(axis=2)
        weight = np.minimum(after.cell_energy, before.cell_energy)
        reversal += float((weight * (dot < 0)).sum())
        reversal_weight += float(weight.sum())
    pixels = np.concatenate(accel_pixels) if accel_pixels else np.zeros(1, np.float32)
    cells = np.concatenate(cell_accel)
    energy_std = np.stack([s.cell_energy for s in steps]).std(axis=0)
    extra = np.array(
        [
            pixels.mean(),
            np.percentile(pixels, 90),
            cells.max(),
            cells.mean(),
            energy_std.max(),
            energy_std.mean(),
            reversal / reversal_weight if reversal_weight > 0 else 0.0,
            np.mean([s.still for s in steps]),
        ],
        np.float32,
    )
    return np.asarray(np.concatenate([stats, extra]), np.float32)


def window_frame_count(window_s: float, fps: float) -> int:
    """Frames in a window of ``window_s`` seconds at ``fps`` (at least 3: two frame pairs)."""
    return max(3, round(window_s * fps))


def triggered(features: FloatArray, min_changed_fraction: float) -> bool:
    """The cheap gate before the classifier: some frame pair of the window changed enough pixels."""
    return bool(features[_DIFF_FRACTION_MAX] >= min_changed_fraction)


_DIFF_FRACTION_MAX = FEATURE_NAMES.index("diff_fraction_max")
