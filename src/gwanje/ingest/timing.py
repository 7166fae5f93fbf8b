"""Small time-keeping pieces of a reader: decimation by pts, pacing, rate meters and reconnect backoff."""

from __future__ import annotations

import random
from collections import deque

_PTS_TOLERANCE_S = 0.002
"""Container time bases round pts (0.2 may come out as 0.19999); do not let that skip a frame."""


class Decimator:
    """Keeps frames at ``fps`` by their pts, not by count, so variable-rate streams keep a steady analysis rate.

    The schedule advances by exactly 1/fps per kept frame, so the long-run rate is exact; after a gap
    (or a pts jump backwards, as after a reconnect) it restarts at the next frame.
    """

    def __init__(self, fps: float) -> None:
        if fps <= 0:
            raise ValueError(f"analysis fps must be positive, got {fps}")
        self._interval = 1.0 / fps
        self._next: float | None = None

    def reset(self) -> None:
        self._next = None

    def keep(self, pts_s: float) -> bool:
        nxt = self._next
        if nxt is None or pts_s < nxt - self._interval - _PTS_TOLERANCE_S:
            self._next = pts_s + self._interval
            return True
        if pts_s + _PTS_TOLERANCE_S < nxt:
            return False
        nxt += self._interval
        self._next = nxt if nxt > pts_s else pts_s + self._interval
        return True


class Segments:
    """Numbers the continuous stretches of one camera's stream for ``Frame.segment``: the one place that
    decides where the stream broke.

    A new segment starts with the first frame of a new connection (not the very first one), at a frame the
    source marks as a restart (a looped file starting over, a live clock that jumped back and was rebased),
    and wherever pts go back. Within a segment pts never go back, so later stages compare segments, not times.

    Example:
        >>> segments = Segments()
        >>> [segments.mark(p) for p in (0.0, 0.2, 0.1, 0.3)]
        [0, 0, 1, 1]
        >>> segments.connected(); segments.mark(5.0)
        2
    """

    def __init__(self) -> None:
        self.current = 0
        self._last_pts: float | None = None
        self._new_connection = False

    def connected(self) -> None:
        """A new connection was opened: its first frame starts a new segment (unless nothing came before)."""
        self._new_connection = self._last_pts is not None

    def mark(self, pts_s: float, restart: bool = False) -> int:
        """The segment of a frame at ``pts_s`` (every decoded frame, kept or not, so no break is missed)."""
        last = self._last_pts
        if last is not None and (self._new_connection or restart or pts_s < last):
            self.current += 1
        self._new_connection = False
        self._last_pts = pts_s
        return self.current


class Pacer:
    """Says how long to wait so that frames come out at their pts rate (files played at native rate, demo)."""

    _RESYNC_BEHIND_S = 1.0

    def __init__(self) -> None:
        self._anchor: tuple[float, float] | None = None

    def reset(self) -> None:
        self._anchor = None

    def delay(self, pts_s: float, now_mono: float) -> float:
        """Seconds to wait before showing the frame; re-anchors when far behind or when pts went backwards."""
        if self._anchor is None:
            self._anchor = (now_mono, pts_s)
            return 0.0
        mono0, pts0 = self._anchor
        wait = (mono0 + pts_s - pts0) - now_mono
        if wait < -self._RESYNC_BEHIND_S or pts_s < pts0:
            self._anchor = (now_mono, pts_s)
            return 0.0
        return max(wait, 0.0)


class RateMeter:
    """Events per second over a sliding window of monotonic time."""

    def __init__(self, window_s: float = 5.0) -> None:
        self._window_s = window_s
        self._times: deque[float] = deque()

    def tick(self, now_mono: float) -> None:
        self._times.append(now_mono)
        self._trim(now_mono)

    def rate(self, now_mono: float) -> float:
        self._trim(now_mono)
        if len(self._times) < 2:
            return 0.0
        span = max(now_mono - self._times[0], self._times[-1] - self._times[0])
        return (len(self._times) - 1) / span if span > 0 else 0.0

    def _trim(self, now_mono: float) -> None:
        while self._times and self._times[0] < now_mono - self._window_s:
            self._times.popleft()


class Backoff:
    """Exponential reconnect delays from ``initial_s`` up to ``max_s``, each with ±20 % jitter so that
    many cameras behind one failed switch do not reconnect in lock step."""

    def __init__(self, initial_s: float, max_s: float, rng: random.Random | None = None) -> None:
        self._initial_s = initial_s
        self._max_s = max(max_s, initial_s)
        self._attempt = 0
        self._rng = rng or random.Random()

    def reset(self) -> None:
        self._attempt = 0

    def next_delay(self) -> float:
        base = min(self._max_s, self._initial_s * 2.0 ** min(self._attempt, 30))
        self._attempt += 1
        return base * self._rng.uniform(0.8, 1.2)
