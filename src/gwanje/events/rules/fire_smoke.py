"""Fire and smoke observations from the detector's regions, confirmed by how the region changes over time.

A single frame cannot tell a flame from an orange jacket, a sunset reflection or a lamp, nor smoke
from fog or a grey wall. Over a few frames it can:

* **fire flickers**: the brightness inside a flame changes from frame to frame. The rule measures,
  in each fire region, the 90th percentile of the absolute grey-level difference between
  consecutive frames (a small flame in a large region still counts) minus the frame-wide median
  difference (camera noise, auto-exposure). Static red objects and steady lamps score ≈ 0.
* **smoke drifts and grows**: the region changes slowly between the oldest and the newest frame
  of the history, or the smoke regions' total area grows. Uniform haze and static grey surfaces
  do not change.

Each region's confidence = detector confidence x camera sensitivity x temporal factor (0..1, full
at clear flicker/drift). The detector's confidences put its operating threshold at 0.5, so a
region at the threshold that flickers clearly gives an observation of 0.5. The event engine then
applies its N-of-M confirmation. With a history of ``HISTORY`` frames the first confirmed
observation comes on the ``MIN_FRAMES``-th frame that shows the region (0.4 s at 5 fps).
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from gwanje.config.camera import CameraConfig
from gwanje.core.detections import Detections
from gwanje.core.events import EventType, Observation
from gwanje.core.frame import Image, SegmentWatch
from gwanje.events.context import FrameContext
from gwanje.events.rule import RuleNeeds

Grey = npt.NDArray[np.float32]

HISTORY = 6
"""Frames kept (1.2 s at 5 fps): enough for flicker and slow smoke drift."""
MIN_FRAMES = 3
"""Frames of history needed before a region can be confirmed."""
ANALYSIS_WIDTH = 192
"""Width of the grey copy the rule compares; small enough to cost ≈ 1 ms per frame."""
FIRE_FLICKER = (3.0, 10.0)
"""Grey levels of flicker (above the frame-wide level) at which the fire factor starts and reaches 1."""
SMOKE_DRIFT = (2.0, 6.0)
"""Grey levels of change over the history at which the smoke factor starts and reaches 1."""
SMOKE_GROWTH = (1.1, 1.4)
"""Ratio of smoke area now / at the start of the history at which the growth factor starts and reaches 1."""


def _ramp(value: float, bounds: tuple[float, float]) -> float:
    low, high = bounds
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))


@dataclass
class _Past:
    grey: Grey
    smoke_area: float


class FireSmokeRule:
    """Separate FIRE and SMOKE observations for one camera (see the module docstring)."""

    name = "fire_smoke"
    needs = RuleNeeds(frozenset({"fire", "smoke"}))

    def __init__(self, camera: CameraConfig) -> None:
        self.camera_id = camera.id
        self.sensitivity = camera.sensitivity
        self._history: deque[_Past] = deque(maxlen=HISTORY)
        self._segments = SegmentWatch()

    def evaluate(self, ctx: FrameContext) -> list[Observation]:
        grey = _small_grey(ctx.frame.image)
        smoke = ctx.detections.with_label("smoke")
        stale = self._history and self._history[-1].grey.shape != grey.shape
        if self._segments.changed(ctx.frame.segment) or stale:
            self._history.clear()
        smoke_area = float(smoke.area.sum()) / max(ctx.frame.width * ctx.frame.height, 1)
        self._history.append(_Past(grey, smoke_area))
        scale = grey.shape[1] / ctx.frame.width
        observations = []
        fire = ctx.detections.with_label("fire")
        if len(fire):
            factors = [self._flicker_factor(box * scale) for box in fire.xyxy]
            observations.append(self._observe(EventType.FIRE, fire, factors, "flicker"))
        if len(smoke):
            growth = self._growth_factor()
            factors = [max(self._drift_factor(box * scale), growth) for box in smoke.xyxy]
            observations.append(self._observe(EventType.SMOKE, smoke, factors, "drift_or_growth"))
        return observations

    def _observe(self, event_type: EventType, regions: Detections, factors: list[float], cue: str) -> Observation:
        temporal = np.asarray(factors, np.float32)
        confidence = np.clip(regions.confidence * self.sensitivity * temporal, 0.0, 1.0).astype(np.float32)
        return Observation(
            event_type=event_type,
            confidence=float(confidence.max()),
            boxes=regions.replace(confidence=confidence),
            details={cue: round(float(temporal.max()), 3), "detector_confidence": float(regions.confidence.max())},
        )

    def _frames(self) -> list[Grey]:
        return [p.grey for p in self._history]

    def _flicker_factor(self, box: npt.NDArray[np.float32]) -> float:
        frames = self._frames()
        if len(frames) < MIN_FRAMES:
            return 0.0
        x1, y1, x2, y2 = _cells(box, frames[-1].shape)
        levels = []
        for before, after in itertools.pairwise(frames):
            diff = np.abs(after - before)
            local = float(np.percentile(diff[y1:y2, x1:x2], 90))
            levels.append(max(0.0, local - float(np.median(diff))))
        return _ramp(float(np.mean(levels[-(MIN_FRAMES + 1) :])), FIRE_FLICKER)

    def _drift_factor(self, box: npt.NDArray[np.float32]) -> float:
        frames = self._frames()
        if len(frames) < MIN_FRAMES:
            return 0.0
        x1, y1, x2, y2 = _cells(box, frames[-1].shape)
        diff = np.abs(frames[-1] - frames[0])
        local = float(np.percentile(diff[y1:y2, x1:x2], 75))
        return _ramp(local - float(np.median(diff)), SMOKE_DRIFT)

    def _growth_factor(self) -> float:
        if len(self._history) < MIN_FRAMES or self._history[0].smoke_area <= 0:
            return 0.0
        return _ramp(self._history[-1].smoke_area / self._history[0].smoke_area, SMOKE_GROWTH)


def _small_grey(image: Image) -> Grey:
    height, width = image.shape[:2]
    size = (ANALYSIS_WIDTH, max(1, round(height * ANALYSIS_WIDTH / max(width, 1))))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    return grey.astype(np.float32)


def _cells(box: npt.NDArray[np.float32], shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """Pixel bounds of ``box`` in the small grey frame, at least one pixel wide and high."""
    height, width = shape[:2]
    x1 = int(np.clip(np.floor(box[0]), 0, width - 1))
    y1 = int(np.clip(np.floor(box[1]), 0, height - 1))
    x2 = int(np.clip(np.ceil(box[2]), x1 + 1, width))
    y2 = int(np.clip(np.ceil(box[3]), y1 + 1, height))
    return x1, y1, x2, y2
