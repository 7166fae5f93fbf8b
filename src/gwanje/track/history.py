"""What each track did recently: positions, boxes, times and keypoints, for the rules.

Feed it the tracker's output once per analysed frame; ask it for a :class:`TrackRecord` by id.
Motion numbers use the box centre (steadier than the foot point, which jumps with every step)
and are fitted over a time window by least squares, so one jittery box does not make a person
"run". Speeds are also given in body heights per second, which mean the same thing near and
far from the camera.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from gwanje.core.detections import NO_TRACK, Detections, FloatArray
from gwanje.core.frame import SegmentWatch


@dataclass(frozen=True, slots=True)
class TrackSample:
    """One observation of a track."""

    time_s: float
    xyxy: tuple[float, float, float, float]
    confidence: float
    keypoints: FloatArray | None = None

    @property
    def center(self) -> tuple[float, float]:
        x1, y1, x2, y2 = self.xyxy
        return (x1 + x2) / 2, (y1 + y2) / 2

    @property
    def foot(self) -> tuple[float, float]:
        """Bottom centre of the box: where the object touches the ground."""
        x1, _, x2, y2 = self.xyxy
        return (x1 + x2) / 2, y2

    @property
    def width(self) -> float:
        return self.xyxy[2] - self.xyxy[0]

    @property
    def height(self) -> float:
        return self.xyxy[3] - self.xyxy[1]


class TrackRecord:
    """The recent history of one track (a ring buffer of samples) and numbers derived from it."""

    def __init__(self, track_id: int, label: str, first_seen_s: float, max_samples: int) -> None:
        self.track_id = track_id
        self.label = label
        self.first_seen_s = first_seen_s
        self.samples: deque[TrackSample] = deque(maxlen=max_samples)

    @property
    def last(self) -> TrackSample:
        return self.samples[-1]

    @property
    def last_seen_s(self) -> float:
        return self.samples[-1].time_s

    @property
    def dwell_s(self) -> float:
        """Seconds from the first to the last time the track was seen."""
        return self.last_seen_s - self.first_seen_s

    def window(self, seconds: float) -> list[TrackSample]:
        """Samples of the last ``seconds`` before the latest one (the latest included)."""
        start = self.last_seen_s - seconds
        return [s for s in self.samples if s.time_s >= start]

    def velocity(self, window_s: float = 1.0) -> tuple[float, float]:
        """Centre velocity (vx, vy) in px/s, least-squares over the window; (0, 0) with fewer than 2 samples."""
        samples = self.window(window_s)
        if len(samples) < 2:
            return 0.0, 0.0
        t = np.array([s.time_s for s in samples])
        xy = np.array([s.center for s in samples])
        t = t - t.mean()
        var = float(np.dot(t, t))
        if var <= 0:
            return 0.0, 0.0
        vx, vy = (t @ (xy - xy.mean(axis=0))) / var
        return float(vx), float(vy)

    def speed_px_s(self, window_s: float = 1.0) -> float:
        vx, vy = self.velocity(window_s)
        return math.hypot(vx, vy)

    def body_height(self, window_s: float = 1.0) -> float:
        """Median box height over the window, in px."""
        return float(np.median([s.height for s in self.window(window_s)]))

    def speed_heights_s(self, window_s: float = 1.0) -> float:
        """Speed in body heights per second (about 0.6 when walking, above 1.5 when running)."""
        height = self.body_height(window_s)
        return self.speed_px_s(window_s) / height if height > 0 else 0.0

    def direction(self, window_s: float = 1.0, min_speed_px_s: float = 1e-6) -> tuple[float, float] | None:
        """Unit vector of the motion in image coordinates (y points down), or None when not moving."""
        vx, vy = self.velocity(window_s)
        speed = math.hypot(vx, vy)
        if speed <= min_speed_px_s:
            return None
        return vx / speed, vy / speed

    def heading_deg(self, window_s: float = 1.0) -> float | None:
        """Angle of the motion in degrees: 0 = right, 90 = down the image, ±180 = left, -90 = up."""
        d = self.direction(window_s)
        return None if d is None else math.degrees(math.atan2(d[1], d[0]))


class TrackHistory:
    """Recent history of every live track of one camera.

    A track that has not been seen for ``forget_after_s`` stream seconds is dropped; keep this
    above the tracker's ``max_age_s`` so a track hidden for a moment keeps its past.

    Example:
        >>> h = TrackHistory()
        >>> for t in range(3):
        ...     _ = h.update(Detections.from_arrays([[10 * t, 0, 10 * t + 20, 40]], [0.9], "person", [7]), float(t))
        >>> h[7].dwell_s, round(h[7].speed_px_s(5.0), 1), h[7].direction(5.0)
        (2.0, 10.0, (1.0, 0.0))
    """

    def __init__(self, max_samples: int = 64, forget_after_s: float = 10.0) -> None:
        if max_samples < 2:
            raise ValueError(f"TrackHistory 'max_samples' must be at least 2 to measure motion, got {max_samples}")
        if not forget_after_s > 0:
            raise ValueError(f"TrackHistory 'forget_after_s' must be positive seconds, got {forget_after_s}")
        self.max_samples = max_samples
        self.forget_after_s = forget_after_s
        self._tracks: dict[int, TrackRecord] = {}
        self._segments = SegmentWatch()

    def update(self, tracks: Detections, time_s: float, segment: int = 0) -> list[int]:
        """Add this frame's tracked rows; return the ids dropped because they are gone.

        ``segment`` is the frame's ``Frame.segment``: on a new one (the stream broke) every track is dropped.
        """
        if self._segments.changed(segment):
            gone = list(self._tracks)
            self._tracks.clear()
        else:
            gone = [tid for tid, r in self._tracks.items() if time_s - r.last_seen_s > self.forget_after_s]
            for tid in gone:
                del self._tracks[tid]
        for i in np.flatnonzero(tracks.tracker_id != NO_TRACK):
            tid = int(tracks.tracker_id[i])
            record = self._tracks.get(tid)
            if record is None:
                record = self._tracks[tid] = TrackRecord(tid, str(tracks.label[i]), time_s, self.max_samples)
            x1, y1, x2, y2 = (float(v) for v in tracks.xyxy[i])
            keypoints = None if tracks.keypoints is None else tracks.keypoints[i].copy()
            record.samples.append(TrackSample(time_s, (x1, y1, x2, y2), float(tracks.confidence[i]), keypoints))
        return gone

    def __getitem__(self, track_id: int) -> TrackRecord:
        try:
            return self._tracks[track_id]
        except KeyError:
            raise KeyError(f"no live track {track_id}; live tracks: {sorted(self._tracks)}") from None

    def get(self, track_id: int) -> TrackRecord | None:
        return self._tracks.get(track_id)

    def __contains__(self, track_id: object) -> bool:
        return track_id in self._tracks

    def __iter__(self) -> Iterator[TrackRecord]:
        return iter(list(self._tracks.values()))

    def __len__(self) -> int:
        return len(self._tracks)
