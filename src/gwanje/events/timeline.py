"""A stream time that never goes back, for state kept across source reconnects."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class ContinuousTime:
    """Maps frame ``pts_s`` to a timeline that keeps going when a reconnecting source restarts its pts.

    Example:
        >>> clock = ContinuousTime("cam1")
        >>> [clock(p) for p in (10.0, 11.0, 0.0, 1.0)]
        [10.0, 11.0, 11.0, 12.0]
    """

    def __init__(self, camera_id: str) -> None:
        self.camera_id = camera_id
        self._last_pts: float | None = None
        self._offset = 0.0

    def __call__(self, pts: float) -> float:
        if self._last_pts is not None and pts < self._last_pts:
            self._offset += self._last_pts - pts
            log.info("camera %s: stream time went back from %.3f to %.3f s", self.camera_id, self._last_pts, pts)
        self._last_pts = pts
        return pts + self._offset
