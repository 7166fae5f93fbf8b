"""Fire and smoke observations from the detector's regions, confirmed by how the region changes over time.

A single frame cannot tell a flame from an orange jacket, a sunset reflection or a lamp, nor smoke
from fog or a grey wall. Over a few frames it can:

* **fire flickers**: the brightness inside a flame changes from frame to frame. The rule measures,
  in each fire region, the 90th percentile of the absolute grey-level difference between
  consecutive frames (a small flame in a large region still counts) minus the frame-wide median
  difference (camera noise, auto-exposure). Static red objects and steady lamps score ≈ 0. Pixels
  inside the camera's person boxes (of either frame of a pair) are left out: a person walking in front
  of a warm wall the model half-believes is fire changes those pixels as much as a flame does (it
  raised fire twice on a normal walkway video). A region mostly covered by people has no flicker.
* **smoke drifts and grows**: the region changes slowly between the oldest and the newest frame
  of the history, or the smoke regions' total area grows while the picture there changes. Uniform
  haze and static grey surfaces do not change. Smoke is a *soft* change: semi-transparent, it moves
  each pixel a little from frame to frame. A car or a person crossing a grey surface the model
  half-believes is smoke changes pixels *hard* (``HARD_CHANGE`` grey levels or more in one frame
  pair): those pixels, and those under person boxes, are left out of the drift measure (a car
  leaving a car park's asphalt raised smoke on a normal video). A region left mostly without soft
  pixels has no drift, and growth of the detector's regions counts only where the picture changed
  softly: the detector's regions flicker in size from frame to frame on a grey surface; smoke that
  really grows covers new background.
* **a fire that keeps burning is still a fire**: the detector reports fire regions below its
  operating point too (*candidates*, confidence 0.25-0.5 by default). A candidate is raised by
  ``CANDIDATE_BOOST`` x its persistence (the share of the last ``HISTORY`` frames with a fire region
  over it), then multiplied by flicker like any fire region. So a flame burning steadily from the
  first frame, which the single-image model scores just under its operating point, is confirmed by
  being there, frame after frame, and flickering; nothing has to grow. A static orange floor, a lamp
  or a red sign may be a persistent candidate too, but it does not flicker, so it stays below 0.5.
* **a flame the model misses is found by colour and flicker**: ``gwanje.events.rules.flame`` reports
  blobs of bright flame-coloured pixels that stay in place and whose edge flickers; each becomes a fire
  region of confidence 0.5-1 (``FLAME_FLICKER``), whatever the model said. Static lamps, red signs and
  orange objects, and anything moving across the frame, are not reported.

Each detector region's confidence = (detector confidence [+ persistence boost for candidates]) x
camera sensitivity x temporal factor (0..1, full at clear flicker/drift); a colour-and-flicker region's
is its own confidence x sensitivity. The detector's confidences put its operating threshold at 0.5, so a
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
from gwanje.core.image import shrink
from gwanje.events.context import FrameContext
from gwanje.events.rule import RuleNeeds
from gwanje.events.rules.flame import FlameCue

Grey = npt.NDArray[np.float32]
Box = tuple[int, int, int, int]
"""x1, y1, x2, y2 in pixels of the small grey frame."""

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
CANDIDATE_BOOST = 0.25
"""Confidence a fire candidate gains when a fire region covered it in every frame of the history: a
candidate at the default floor (0.25, half the operating point) then reaches 0.5 if it also flickers fully."""
FLAME_FLICKER = (0.1, 0.4)
"""Share of a colour-and-flicker blob's pixels that flickered at which it counts as fire (confidence 0.5)
and at which its confidence reaches 1."""
MIN_FREE_SHARE = 0.25
"""Share of a fire region that must be free of person boxes in a frame pair for its flicker to count, and of a
smoke region that must have changed only softly over the history for its drift to count."""
PERSON = "person"
SMOKE_GROWTH = (1.1, 1.4)
"""Ratio of smoke area now / at the start of the history at which the growth factor starts and reaches 1."""
HARD_CHANGE = 40.0
"""Grey levels of change in one frame pair (0.2 s at 5 fps) above which a pixel changed because something solid
moved there (a car's body or windows against the road, a person), not because smoke thickened or thinned: a
semi-transparent veil shifts a pixel by a fraction of its contrast with the background per pair."""


def _ramp(value: float, bounds: tuple[float, float]) -> float:
    low, high = bounds
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))


@dataclass
class _Past:
    grey: Grey
    smoke_area: float
    fire: npt.NDArray[np.bool_]
    """Where the frame's fire regions (candidates included) were, on the grey frame's pixels."""
    people: npt.NDArray[np.bool_]
    """Where the frame's person boxes were, on the grey frame's pixels (left out of the flicker measure)."""
    before: Grey | None = None
    """The grey frame before it in the history (None for the first), until its change is measured."""
    _change: tuple[Grey, float] | None = None

    def change(self) -> tuple[Grey, float]:
        """Absolute grey change from the frame before it, and the frame-wide level of that change (its median),
        which a region's flicker must rise above. Measured on first use, once per frame: only cameras with fire or
        smoke regions read it, so the others never pay for it."""
        if self._change is None:
            assert self.before is not None  # read only for frames after the first of the history
            change = np.abs(self.grey - self.before)
            self._change = change, float(np.median(change))
            self.before = None
        return self._change


@dataclass(frozen=True)
class _Span:
    """What the drift test reads from the whole history (oldest to newest frame)."""

    soft: npt.NDArray[np.bool_]
    """Pixels where only soft change happened in every frame pair (see HARD_CHANGE), away from people."""
    change: Grey
    """Absolute grey change from the oldest frame to the newest."""
    median: float
    """The frame-wide level of ``change``, which a region's drift must rise above."""


class FireSmokeRule:
    """Separate FIRE and SMOKE observations for one camera (see the module docstring)."""

    name = "fire_smoke"
    needs = RuleNeeds(frozenset({"fire", "smoke"}))

    def __init__(self, camera: CameraConfig) -> None:
        self.camera_id = camera.id
        self.sensitivity = camera.sensitivity
        self._history: deque[_Past] = deque(maxlen=HISTORY)
        self._segments = SegmentWatch()
        self._flame = FlameCue()

    def evaluate(self, ctx: FrameContext) -> list[Observation]:
        small = _small(ctx.frame.image)
        grey = (
            cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32) if small.ndim == 3 else small.astype(np.float32)
        )
        smoke = ctx.detections.with_label("smoke")
        stale = self._history and self._history[-1].grey.shape != grey.shape
        if self._segments.changed(ctx.frame.segment) or stale:
            self._history.clear()
            self._flame.clear()
        smoke_area = float(smoke.area.sum()) / max(ctx.frame.width * ctx.frame.height, 1)
        scale = grey.shape[1] / ctx.frame.width
        fire = ctx.detections.with_label("fire")
        boxes = [_cells(box * scale, grey.shape) for box in fire.xyxy]
        people = Detections.merge([ctx.detections.with_label(PERSON), ctx.tracks.with_label(PERSON)])
        person_boxes = [_cells(box * scale, grey.shape) for box in people.xyxy]
        before = self._history[-1].grey if self._history else None
        self._history.append(_Past(grey, smoke_area, _mask(boxes, grey.shape), _mask(person_boxes, grey.shape), before))
        flames = self._flames(small, grey, scale, self._history[-1].people)
        observations = []
        if len(fire) or len(flames):
            factors = [self._flicker_factor(box) for box in boxes] + [1.0] * len(flames)
            cue = {
                "flame_colour_flicker": round(float(flames.confidence.max(initial=0.0)), 3),
                "detector_confidence": float(fire.confidence.max(initial=0.0)),
            }
            fire = fire.replace(confidence=self._with_persistence(fire.confidence, boxes))
            observations.append(
                self._observe(EventType.FIRE, Detections.merge([fire, flames]), factors, "flicker", cue)
            )
        if len(smoke):
            growth = self._growth_factor()
            span = self._span()
            factors = []
            for box in smoke.xyxy:
                drift = _ramp(_drift_level(_cells(box * scale, grey.shape), span), SMOKE_DRIFT)
                factors.append(max(drift, growth if drift > 0 else 0.0))
            observations.append(self._observe(EventType.SMOKE, smoke, factors, "drift_or_growth"))
        return observations

    def _observe(
        self,
        event_type: EventType,
        regions: Detections,
        factors: list[float],
        cue: str,
        extra: dict[str, float] | None = None,
    ) -> Observation:
        temporal = np.asarray(factors, np.float32)
        confidence = np.clip(regions.confidence * self.sensitivity * temporal, 0.0, 1.0).astype(np.float32)
        return Observation(
            event_type=event_type,
            confidence=float(confidence.max()),
            boxes=regions.replace(confidence=confidence),
            details={cue: round(float(temporal.max()), 3), "detector_confidence": float(regions.confidence.max())}
            | (extra or {}),
        )

    def _flames(self, small: Image, grey: Grey, scale: float, people: npt.NDArray[np.bool_]) -> Detections:
        """Fire regions (frame pixels) from colour and flicker alone; confidence 0.5-1 (FLAME_FLICKER)."""
        if small.ndim != 3:
            return Detections.empty()
        found = [f for f in self._flame.update(small, grey, people) if f.flicker >= FLAME_FLICKER[0]]
        if not found:
            return Detections.empty()
        boxes = [[v / scale for v in f.box] for f in found]
        confidence = [0.5 + 0.5 * _ramp(f.flicker, FLAME_FLICKER) for f in found]
        return Detections.from_arrays(boxes, confidence, ["fire"] * len(found))

    def _with_persistence(self, confidence: npt.NDArray[np.float32], boxes: list[Box]) -> npt.NDArray[np.float32]:
        """Raise candidates (confidence < 0.5) by CANDIDATE_BOOST x the share of the history with fire over them."""
        if len(self._history) < MIN_FRAMES:
            return confidence
        raised = confidence.copy()
        for i, (x1, y1, x2, y2) in enumerate(boxes):
            if confidence[i] < 0.5:
                persistence = float(np.mean([p.fire[y1:y2, x1:x2].any() for p in self._history]))
                raised[i] = min(0.5, confidence[i] + CANDIDATE_BOOST * persistence)
        return raised

    def _flicker_factor(self, box: Box) -> float:
        if len(self._history) < MIN_FRAMES:
            return 0.0
        x1, y1, x2, y2 = box
        pairs = list(itertools.pairwise(self._history))[-(MIN_FRAMES + 1) :]  # the pairs the factor averages
        changes = [after.change() for _, after in pairs]
        frees = [~(before.people | after.people)[y1:y2, x1:x2] for before, after in pairs]
        if all(free.all() for free in frees):  # nobody over the region: one percentile call for every pair
            region = np.stack([change[y1:y2, x1:x2] for change, _ in changes]).reshape(len(pairs), -1)
            locals_ = np.percentile(region, 90, axis=1)
            levels = [max(0.0, float(local) - median) for local, (_, median) in zip(locals_, changes, strict=True)]
            return _ramp(float(np.mean(levels)), FIRE_FLICKER)
        levels = []
        for free, (change, median) in zip(frees, changes, strict=True):
            inside = change[y1:y2, x1:x2][free]
            if inside.size < MIN_FREE_SHARE * free.size:
                levels.append(0.0)  # mostly people: whatever changed there, it was not shown to be a flame
                continue
            levels.append(max(0.0, float(np.percentile(inside, 90)) - median))
        return _ramp(float(np.mean(levels)), FIRE_FLICKER)

    def _span(self) -> _Span | None:
        """Soft pixels and the change over the whole history, measured once per frame with smoke regions."""
        if len(self._history) < MIN_FRAMES:
            return None
        hard = np.zeros(self._history[0].grey.shape, np.bool_)
        for past in itertools.islice(self._history, 1, None):
            hard |= past.change()[0] >= HARD_CHANGE
        hard = cv2.dilate(hard.view(np.uint8), np.ones((3, 3), np.uint8)).view(np.bool_)  # the object's blurred rim
        for past in self._history:
            hard |= past.people
        change = np.abs(self._history[-1].grey - self._history[0].grey)
        return _Span(~hard, change, float(np.median(change)))

    def _growth_factor(self) -> float:
        if len(self._history) < MIN_FRAMES or self._history[0].smoke_area <= 0:
            return 0.0
        return _ramp(self._history[-1].smoke_area / self._history[0].smoke_area, SMOKE_GROWTH)


def _drift_level(box: Box, span: _Span | None) -> float:
    """Grey levels the region's soft pixels changed between the oldest and newest frame, above the frame's."""
    if span is None:
        return 0.0
    x1, y1, x2, y2 = box
    inside = span.soft[y1:y2, x1:x2]
    if inside.sum() < MIN_FREE_SHARE * inside.size:
        return 0.0  # mostly things that moved hard: whatever changed there was not shown to be smoke
    local = float(np.percentile(span.change[y1:y2, x1:x2][inside], 75))
    return local - span.median


def _small(image: Image) -> Image:
    height, width = image.shape[:2]
    return shrink(image, (ANALYSIS_WIDTH, max(1, round(height * ANALYSIS_WIDTH / max(width, 1)))))


def _mask(boxes: list[Box], shape: tuple[int, ...]) -> npt.NDArray[np.bool_]:
    mask = np.zeros(shape[:2], np.bool_)
    for x1, y1, x2, y2 in boxes:
        mask[y1:y2, x1:x2] = True
    return mask


def _cells(box: npt.NDArray[np.float32], shape: tuple[int, ...]) -> Box:
    """Pixel bounds of ``box`` in the small grey frame, at least one pixel wide and high."""
    height, width = shape[:2]
    x1 = int(np.clip(np.floor(box[0]), 0, width - 1))
    y1 = int(np.clip(np.floor(box[1]), 0, height - 1))
    x2 = int(np.clip(np.ceil(box[2]), x1 + 1, width))
    y2 = int(np.clip(np.ceil(box[3]), y1 + 1, height))
    return x1, y1, x2, y2
