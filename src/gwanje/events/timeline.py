"""A stream time that never goes back, for state kept across source reconnects."""

from __future__ import annotations

import logging

from gwanje.core.frame import SegmentWatch

log = logging.getLogger(__name__)


class ContinuousTime:
    """Maps frame ``pts_s`` to a timeline that keeps going when the stream breaks (``Frame.segment``).

    Within a segment pts never go back, so times pass through shifted by the offset so far. A new segment
    whose pts start below where the timeline stands (a reconnecting source that restarted its clock)
    continues from there; one that starts later keeps its gap.

    Example:
        >>> clock = ContinuousTime("cam1")
        >>> [clock(p, s) for p, s in ((10.0, 0), (11.0, 0), (0.0, 1), (1.0, 1))]
        [10.0, 11.0, 11.0, 12.0]
    """

    def __init__(self, camera_id: str) -> None:
        self.camera_id = camera_id
        self._segments = SegmentWatch()
        self._last: float | None = None
        self._offset = 0.0

    def __call__(self, pts: float, segment: int = 0) -> float:
        if self._segments.changed(segment) and self._last is not None and pts + self._offset < self._last:
            log.info("camera %s: stream segment %d restarts its time at %.3f s", self.camera_id, segment, pts)
            self._offset = self._last - pts
        self._last = pts + self._offset
        return self._last
