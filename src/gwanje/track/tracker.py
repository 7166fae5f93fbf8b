"""A small ByteTrack-style multi-object tracker that works in seconds, not frames.

Each frame, every track predicts where it is now with a constant-velocity (alpha-beta) model on
its box centre. Confident detections are matched to all tracks by IoU with those predictions,
and those left over try again with slightly grown boxes (C-BIoU: someone who turned round, or
who was missed for a few frames, is further from the prediction than their own width);
then the less confident detections may only extend tracks that were matched on the previous
frame, with a stricter IoU (ByteTrack's second stage: a person half hidden behind a pillar keeps
their id instead of starting a new one). Detections never match tracks of another label.

A new track is tentative until it has been matched ``min_hits`` frames in a row; it receives its
public id only then, so ids count confirmed objects and flickering false detections never show.
A confirmed track that goes unmatched is kept, predicted forward, for ``max_age_s`` seconds of
stream time (seconds, because the analysis rate varies with motion and load).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from gwanje.core.detections import NO_TRACK, Detections, FloatArray
from gwanje.core.frame import SegmentWatch

log = logging.getLogger(__name__)

SECOND_STAGE_IOU = 0.5
"""IoU a low-confidence detection needs with a track's prediction: stricter, as ByteTrack does."""
BUFFER = 0.3
"""Confident detections left after the first match try again with boxes grown by this fraction of
their size: someone who turned round or was missed for a few frames is further than the prediction."""
POSITION_GAIN = 0.7
"""Alpha: how far a track's state moves towards a matched detection (1: follow it exactly)."""
VELOCITY_GAIN = 0.3
"""Beta: how much of the residual per second goes into the velocity estimate."""


@dataclass
class _Track:
    """Internal state of one track: centre x, y, width, height and the centre velocity in px/s."""

    label: str
    state: FloatArray
    time_s: float
    velocity: FloatArray = field(default_factory=lambda: np.zeros(2, np.float32))
    hits: int = 1
    missed: int = 0
    """Consecutive updates without a match (0: matched on the last update)."""
    track_id: int = NO_TRACK

    def predict(self, time_s: float) -> FloatArray:
        """The box (x1, y1, x2, y2) expected at ``time_s``."""
        cx, cy, w, h = self.state
        dt = time_s - self.time_s
        cx += self.velocity[0] * dt
        cy += self.velocity[1] * dt
        return np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], np.float32)

    def correct(self, box: FloatArray, time_s: float) -> None:
        measured = _cxcywh(box)
        dt = time_s - self.time_s
        predicted = self.state.copy()
        predicted[:2] += self.velocity * dt
        residual = measured - predicted
        if self.hits == 1 and dt > 0:
            # two points give the first velocity directly
            self.velocity = ((measured[:2] - self.state[:2]) / dt).astype(np.float32)
            self.state = measured
        else:
            self.state = (predicted + POSITION_GAIN * residual).astype(np.float32)
            if dt > 0:
                self.velocity = (self.velocity + VELOCITY_GAIN * residual[:2] / dt).astype(np.float32)
        self.time_s = time_s
        self.hits += 1
        self.missed = 0


def _cxcywh(box: FloatArray) -> FloatArray:
    x1, y1, x2, y2 = box
    return np.array([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], np.float32)


def box_iou(a: FloatArray, b: FloatArray, buffer: float = 0.0) -> FloatArray:
    """IoU of every box of ``a`` (N x 4) with every box of ``b`` (M x 4), as an N x M matrix.

    With ``buffer`` every box is first grown by that fraction of its width and height on each side
    (C-BIoU), so boxes that moved further than their own size between two frames still overlap.
    """
    if buffer:
        a, b = _grow(a, buffer), _grow(b, buffer)
    tl = np.maximum(a[:, None, :2], b[None, :, :2])
    br = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(br - tl, 0, None), axis=2)
    area_a = np.prod(np.clip(a[:, 2:] - a[:, :2], 0, None), axis=1)
    area_b = np.prod(np.clip(b[:, 2:] - b[:, :2], 0, None), axis=1)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0).astype(np.float32)


def _grow(boxes: FloatArray, buffer: float) -> FloatArray:
    size = boxes[:, 2:] - boxes[:, :2]
    return np.concatenate([boxes[:, :2] - buffer * size, boxes[:, 2:] + buffer * size], axis=1)


def _greedy_match(iou: FloatArray, min_iou: float) -> list[tuple[int, int]]:
    """Pairs (row, column) taken in order of decreasing IoU, each row and column at most once."""
    rows, cols = np.nonzero(iou >= min_iou)
    order = np.argsort(-iou[rows, cols], kind="stable")
    used_rows: set[int] = set()
    used_cols: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for r, c in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if r not in used_rows and c not in used_cols:
            used_rows.add(r)
            used_cols.add(c)
            pairs.append((r, c))
    return pairs


def _check_fraction(name: str, value: float, low: float, high: float, hint: str) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and low <= value <= high):
        raise ValueError(f"Tracker argument {name!r} must be a number between {low} and {high}, got {value!r}; {hint}")


class Tracker:
    """Gives detections of one camera stable ``tracker_id`` values over time.

    Args:
        high_threshold: detections at least this confident are matched first and may start tracks.
        low_threshold: detections below it are ignored; those between the two only extend tracks.
        new_track_threshold: confidence a detection needs to start a track (default: ``high_threshold``).
        match_iou: IoU a confident detection needs with a track's predicted box.
        min_hits: consecutive matched frames before a track is confirmed and given an id.
        max_age_s: stream seconds an unmatched confirmed track is kept before it is dropped.

    Example:
        >>> t = Tracker(min_hits=1)
        >>> d = Detections.from_arrays([[10, 10, 50, 120]], [0.9], "person")
        >>> t.update(d, 0.0).tracker_id.tolist(), t.update(d, 0.2).tracker_id.tolist()
        ([1], [1])
    """

    def __init__(
        self,
        high_threshold: float = 0.5,
        low_threshold: float = 0.1,
        new_track_threshold: float | None = None,
        match_iou: float = 0.2,
        min_hits: int = 2,
        max_age_s: float = 2.0,
    ) -> None:
        _check_fraction("high_threshold", high_threshold, 0.0, 1.0, "it is a detection confidence")
        _check_fraction(
            "low_threshold",
            low_threshold,
            0.0,
            high_threshold,
            f"it must not exceed high_threshold (= {high_threshold})",
        )
        new_track = high_threshold if new_track_threshold is None else new_track_threshold
        _check_fraction(
            "new_track_threshold",
            new_track,
            high_threshold,
            1.0,
            f"only confident detections (>= high_threshold = {high_threshold}) may start tracks",
        )
        _check_fraction("match_iou", match_iou, 0.0, 1.0, "try 0.1-0.3; lower values tolerate faster motion")
        if isinstance(min_hits, bool) or not isinstance(min_hits, int) or min_hits < 1:
            raise ValueError(f"Tracker argument 'min_hits' must be an int >= 1 (1: confirm at once), got {min_hits!r}")
        if not (isinstance(max_age_s, int | float) and math.isfinite(max_age_s) and max_age_s > 0):
            raise ValueError(
                f"Tracker argument 'max_age_s' must be a positive number of seconds, got {max_age_s!r}; "
                "it is how long a hidden object keeps its id"
            )
        self.high_threshold = float(high_threshold)
        self.low_threshold = float(low_threshold)
        self.new_track_threshold = float(new_track)
        self.match_iou = float(match_iou)
        self.min_hits = min_hits
        self.max_age_s = float(max_age_s)
        self._tracks: list[_Track] = []
        self._next_id = 1
        self._segments = SegmentWatch()

    def reset(self) -> None:
        """Forget every track (ids keep counting up, so an old id never comes back)."""
        self._tracks = []

    def update(self, detections: Detections, time_s: float, segment: int = 0) -> Detections:
        """Match this frame's detections to the tracks and return the rows of confirmed tracks.

        The returned rows are the input rows (boxes, confidence, keypoints and data unchanged)
        with ``tracker_id`` set, in input order. ``time_s`` is the frame's stream time and
        ``segment`` its ``Frame.segment``: on a new segment (the stream broke: reconnect, clock
        restart, looped file) every track is dropped.
        """
        if not math.isfinite(time_s):
            raise ValueError(f"Tracker.update needs a finite stream time in seconds, got {time_s!r}")
        if self._segments.changed(segment):
            log.info("stream segment %d starts at %.3f s: tracks restart", segment, time_s)
            self.reset()
        self._tracks = [t for t in self._tracks if t.track_id != NO_TRACK or t.missed == 0]
        self._tracks = [t for t in self._tracks if time_s - t.time_s <= self.max_age_s]

        usable = np.flatnonzero(detections.confidence >= self.low_threshold)
        high = usable[detections.confidence[usable] >= self.high_threshold]
        low = usable[detections.confidence[usable] < self.high_threshold]
        predicted = (
            np.stack([t.predict(time_s) for t in self._tracks]) if self._tracks else np.zeros((0, 4), np.float32)
        )

        matched: dict[int, _Track] = {}  # detection row -> track
        free = self._match(high, list(range(len(self._tracks))), predicted, detections, self.match_iou, matched)
        left = np.array([r for r in high if int(r) not in matched], dtype=np.intp)
        free = self._match(left, free, predicted, detections, self.match_iou, matched, buffer=BUFFER)
        recent = [i for i in free if self._tracks[i].missed == 0 and self._tracks[i].track_id != NO_TRACK]
        unmatched_recent = set(self._match(low, recent, predicted, detections, SECOND_STAGE_IOU, matched))
        free = [i for i in free if i not in recent or i in unmatched_recent]

        for row, track in matched.items():
            track.correct(detections.xyxy[row], time_s)
        for i in free:
            self._tracks[i].missed += 1
        for row in high[detections.confidence[high] >= self.new_track_threshold]:
            if int(row) not in matched:
                track = _Track(str(detections.label[row]), _cxcywh(detections.xyxy[row]), time_s)
                self._tracks.append(track)
                matched[int(row)] = track

        ids = np.full(len(detections), NO_TRACK, np.int64)
        for row, track in matched.items():
            if track.track_id == NO_TRACK and track.hits >= self.min_hits:
                track.track_id = self._next_id
                self._next_id += 1
            ids[row] = track.track_id
        keep: npt.NDArray[np.bool_] = ids != NO_TRACK
        return detections[keep].replace(tracker_id=ids[keep])

    def _match(
        self,
        rows: npt.NDArray[np.intp],
        pool: list[int],
        predicted: FloatArray,
        detections: Detections,
        min_iou: float,
        matched: dict[int, _Track],
        buffer: float = 0.0,
    ) -> list[int]:
        """Match detection ``rows`` to the tracks at indices ``pool``; fill ``matched``, return unmatched indices."""
        if not len(rows) or not pool:
            return pool
        iou = box_iou(predicted[pool], detections.xyxy[rows], buffer)
        labels = np.array([self._tracks[i].label for i in pool])
        iou[labels[:, None] != detections.label[rows][None, :]] = 0.0
        taken: set[int] = set()
        for t, d in _greedy_match(iou, min_iou):
            matched[int(rows[d])] = self._tracks[pool[t]]
            taken.add(pool[t])
        return [i for i in pool if i not in taken]

    @property
    def active_count(self) -> int:
        """Confirmed tracks currently kept (seen now or hidden for less than ``max_age_s``)."""
        return sum(1 for t in self._tracks if t.track_id != NO_TRACK)
