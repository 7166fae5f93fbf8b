"""Motion features of a short window of frames: the ONE implementation shared by training and runtime.

What tells a fight apart on CCTV, across sites, is *disordered* motion: inside a small region the
optical flow points every way at once (punches, pushes, grappling, falling), whereas people
walking, working or passing by move coherently. So the features are entropies of the flow's
direction histogram, over the whole frame and inside grid cells (speed-weighted), for all
moving pixels and for fast ones only, summarised over the window by mean, std and max.

Measured on the fight clips (windows of 1.6 s at 5 fps, split by source video): these direction
features generalise to unseen source videos (clip ROC AUC ≈ 0.87); adding speed, frame
difference, acceleration, divergence or spatial-concentration statistics made cross-video results
worse (≈ 0.84), because how fast things move depends on the camera and scene.

Pipeline: ``prepare`` (small grey frame) -> ``motion_step(prev, cur, dt)`` for each pair ->
``window_features(steps)`` -> classifier. Pairs with almost no changed pixels skip the optical flow
(cheap on quiet cameras) and count as still, identically in training and at run time.

At run time ``motion_step`` may also get an *exclusion mask* (``exclusion_mask``: the camera's
fire/smoke boxes, dilated): changed pixels and flow inside it count as neither motion nor trigger,
because flickering flames and rolling smoke are disordered motion too. Training never passes one,
and without one every value is computed exactly as before.

Also at run time only (``steady_exposure``), a pair whose grey levels all moved together (auto-exposure
settling, lights switched on, a day/IR cut-over) is shifted back by that common step before it is
compared: an exposure ramp changes a third of the pixels and sends the optical flow every way, which
the model reads as a fight. Training keeps the pairs as they were (a few of its clips hold such
steps), so the model and its figures are unchanged.

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

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from gwanje.core.frame import Image

FloatArray = npt.NDArray[np.float32]
Grey = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]
Box = tuple[float, float, float, float]

FEATURE_VERSION = 3
"""Bumped whenever a feature changes meaning; stored in the model so a mismatch is caught at load time."""
WORK_WIDTH = 160
"""Frames are analysed at this width (height keeps the aspect ratio)."""
DIFF_LEVEL = 20
"""Grey-level change (0..255) that counts as a changed pixel."""
STILL_FRACTION = 0.002
"""A pair with fewer changed pixels than this is still: no optical flow, no motion."""
EXPOSURE_STEP = 5
"""A median grey-level change (0..255) of the whole pair this large is an exposure or lighting step, not motion: on a
static scene the median change is 0 (people and things that move cover less than half the frame), an auto-exposure
ramp moves it 10-13 levels per 0.2 s, and a pixel counts as changed from ``DIFF_LEVEL``."""
MOVING_SPEED = 0.04
"""Flow speed (frame widths per second) above which a pixel counts as moving."""
FAST_SPEED = 0.12
"""Flow speed (frame widths per second) of fast limb and body motion, measured separately."""
ORIENTATION_BINS = 8
LOCAL_GRID = 6
"""Cells per side in which local direction disorder is measured (twice as many for the fine grid)."""
LOCAL_MIN_MOVING = 8
"""A cell needs this many moving pixels for its direction histogram to count."""
BORDER = 8
"""Pixels along each edge left out of the flow statistics: people entering or leaving the picture
give unreliable flow there (leaving them out also scored better across source videos)."""

EXCLUSION_MARGIN = 4
"""Working pixels (2.5 % of the frame width) added around each excluded box: about half the optical
flow's 9-px averaging window, because the flow just outside a box still carries the flicker inside it."""

PAIR_NAMES: tuple[str, ...] = (
    "global_entropy",
    "local_entropy",
    "top_local_entropy",
    "fast_local_entropy",
    "fast_top_local_entropy",
    "fine_local_entropy",
)
PAIR_DIM = len(PAIR_NAMES)
FEATURE_NAMES: tuple[str, ...] = tuple(f"{name}_{stat}" for stat in ("mean", "std", "max") for name in PAIR_NAMES)
WINDOW_DIM = len(FEATURE_NAMES)


@dataclass(frozen=True)
class MotionStep:
    """What moved between two consecutive frames."""

    values: FloatArray
    """PAIR_DIM direction-disorder values, in the order of ``PAIR_NAMES``."""
    changed_fraction: float
    """Fraction of pixels whose grey level changed by more than DIFF_LEVEL."""
    motion_box: Box | None
    """Box (x1, y1, x2, y2) around the fast-moving pixels, as fractions of the frame; None when nothing moves."""
    dt: float

    @property
    def still(self) -> bool:
        return self.changed_fraction < STILL_FRACTION


def prepare(image: Image) -> Grey:
    """The small grey frame every other function takes (WORK_WIDTH wide, lightly blurred)."""
    if image.ndim != 3 or image.shape[2] != 3 or image.shape[0] < 2 or image.shape[1] < 2:
        raise ValueError(f"fight features need an H x W x 3 BGR image, got shape {image.shape}")
    height = min(
        4 * WORK_WIDTH, max(8, round(image.shape[0] * WORK_WIDTH / image.shape[1]))
    )  # odd aspect: bounded cost
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(grey, (WORK_WIDTH, height), interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.GaussianBlur(small, (3, 3), 0), dtype=np.uint8)


def _entropy(hist: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Normalised entropy (0 = one direction, 1 = all directions alike) of each row of histograms."""
    p = hist / hist.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p), 0.0)
    return np.asarray(-terms.sum(axis=-1) / np.log(ORIENTATION_BINS), np.float64)


def _local_entropy(
    ys: npt.NDArray[np.intp],
    xs: npt.NDArray[np.intp],
    bins: npt.NDArray[np.int64],
    speed: FloatArray,
    shape: tuple[int, int],
    grid: int,
) -> tuple[float, float]:
    """Speed-weighted mean direction entropy over grid x grid cells, and the entropy of the busiest cell."""
    n_cells = grid * grid
    cell = (ys * grid // shape[0]) * grid + xs * grid // shape[1]
    hist = np.bincount(cell * ORIENTATION_BINS + bins, weights=speed, minlength=n_cells * ORIENTATION_BINS)
    hist = hist.reshape(n_cells, ORIENTATION_BINS)
    energy = hist.sum(axis=1)
    valid = (np.bincount(cell, minlength=n_cells) >= LOCAL_MIN_MOVING) & (energy > 0)
    if not valid.any():
        return 0.0, 0.0
    entropy = _entropy(hist[valid])
    weights = energy[valid] / energy[valid].sum()
    return float((entropy * weights).sum()), float(entropy[int(np.argmax(energy[valid]))])


def exclusion_mask(shape: tuple[int, int], boxes: Sequence[Box]) -> Mask | None:
    """Mask of the prepared frame (``shape``) covering ``boxes`` (fractions of the frame) plus EXCLUSION_MARGIN.

    None when there are no boxes, so that ``motion_step`` takes exactly its unmasked path.
    """
    if not boxes:
        return None
    height, width = shape
    mask = np.zeros(shape, np.bool_)
    for x1, y1, x2, y2 in boxes:
        c1 = max(0, int(np.floor(x1 * width - EXCLUSION_MARGIN)))
        r1 = max(0, int(np.floor(y1 * height - EXCLUSION_MARGIN)))
        c2 = min(width, int(np.ceil(x2 * width + EXCLUSION_MARGIN)))
        r2 = min(height, int(np.ceil(y2 * height + EXCLUSION_MARGIN)))
        mask[r1:r2, c1:c2] = True
    return mask


def motion_step(
    prev: Grey, cur: Grey, dt: float, exclude: Mask | None = None, steady_exposure: bool = False
) -> MotionStep:
    """Motion between two prepared frames ``dt`` seconds apart.

    ``exclude`` (same shape, True = ignore) removes pixels from every count: their changes do not
    trigger, their flow is not motion, is not in ``motion_box`` and does not bias the camera-shake
    median. Fractions stay fractions of the whole frame. None (training) is the unmasked computation.
    ``steady_exposure`` (run time) takes a common step of at least ``EXPOSURE_STEP`` grey levels out of ``cur``
    first (``exposure_corrected``); False (training) compares the frames as they are.
    """
    if prev.shape != cur.shape:
        raise ValueError(f"frames of one window must have one size, got {prev.shape} then {cur.shape}")
    if dt <= 0:
        raise ValueError(f"frames must be in time order, got a step of {dt} s")
    if exclude is not None and exclude.shape != cur.shape:
        raise ValueError(f"exclusion mask must have the frame's shape {cur.shape}, got {exclude.shape}")
    if steady_exposure:
        cur = exposure_corrected(prev, cur, exclude)
    diff = cv2.absdiff(prev, cur) > DIFF_LEVEL
    if exclude is not None:
        diff &= ~exclude
    changed = float(np.count_nonzero(diff)) / float(cur.size)
    values = np.zeros(PAIR_DIM, np.float32)
    if changed < STILL_FRACTION:
        return MotionStep(values, changed, None, dt)

    height, width = cur.shape
    raw = cv2.calcOpticalFlowFarneback(prev, cur, None, 0.5, 3, 9, 3, 5, 1.1, 0)  # type: ignore[call-overload]
    flow = np.asarray(raw, np.float32) / np.float32(width * dt)
    # camera shake and pans move everything alike (some pixels are outside the mask: enough of them changed)
    flow -= np.median(flow.reshape(-1, 2) if exclude is None else flow[~exclude], axis=0)
    speed = np.hypot(flow[..., 0], flow[..., 1])
    speed[:BORDER], speed[-BORDER:], speed[:, :BORDER], speed[:, -BORDER:] = 0, 0, 0, 0
    if exclude is not None:
        speed[exclude] = 0
    ys, xs = np.nonzero(speed > MOVING_SPEED)
    if len(ys) < LOCAL_MIN_MOVING:
        return MotionStep(values, changed, None, dt)
    moving_speed = speed[ys, xs]
    angle = np.arctan2(flow[ys, xs, 1], flow[ys, xs, 0])
    bins = ((angle + np.pi) / (2 * np.pi) * ORIENTATION_BINS).astype(np.int64) % ORIENTATION_BINS
    shape = (height, width)
    values[0] = _entropy(np.bincount(bins, weights=moving_speed, minlength=ORIENTATION_BINS).astype(np.float64))
    values[1:3] = _local_entropy(ys, xs, bins, moving_speed, shape, LOCAL_GRID)
    fast = moving_speed > FAST_SPEED
    box: Box | None = None
    if np.count_nonzero(fast) >= LOCAL_MIN_MOVING:
        values[3:5] = _local_entropy(ys[fast], xs[fast], bins[fast], moving_speed[fast], shape, LOCAL_GRID)
        fy, fx = ys[fast], xs[fast]
        box = (
            float(fx.min()) / width,
            float(fy.min()) / height,
            float(fx.max() + 1) / width,
            float(fy.max() + 1) / height,
        )
    values[5] = _local_entropy(ys, xs, bins, moving_speed, shape, 2 * LOCAL_GRID)[0]
    return MotionStep(values, changed, box, dt)


def exposure_corrected(prev: Grey, cur: Grey, exclude: Mask | None = None) -> Grey:
    """``cur`` less the grey-level step common to the whole pair (median of ``cur - prev`` outside ``exclude``) when
    that step is at least ``EXPOSURE_STEP``; otherwise ``cur`` itself."""
    change = cur.astype(np.int16) - prev.astype(np.int16)
    seen = change if exclude is None else change[~exclude]
    if seen.size == 0:
        return cur
    common = float(np.median(seen))
    if abs(common) < EXPOSURE_STEP:
        return cur
    return np.clip(cur.astype(np.int16) - round(common), 0, 255).astype(np.uint8)


def window_features(steps: Sequence[MotionStep]) -> FloatArray:
    """WINDOW_DIM features of consecutive steps (at least two), in the order of ``FEATURE_NAMES``."""
    if len(steps) < 2:
        raise ValueError(f"a fight window needs at least 2 frame pairs (3 frames), got {len(steps)} pairs")
    values = np.stack([s.values for s in steps])
    return np.asarray(np.concatenate([values.mean(axis=0), values.std(axis=0), values.max(axis=0)]), np.float32)


def triggered(steps: Sequence[MotionStep], min_changed_fraction: float) -> bool:
    """The cheap gate before the classifier: some frame pair of the window changed enough pixels."""
    return any(s.changed_fraction >= min_changed_fraction for s in steps)


def window_frame_count(window_s: float, fps: float) -> int:
    """Frames in a window of ``window_s`` seconds at ``fps`` (at least 3: two frame pairs)."""
    return max(3, round(window_s * fps))
