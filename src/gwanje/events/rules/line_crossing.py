"""Line crossing: a tracked object's foot point crosses a configured segment."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gwanje.config import rules as rule_config
from gwanje.core.detections import Detections
from gwanje.core.events import EventType, Observation
from gwanje.core.frame import SegmentWatch
from gwanje.events.context import FrameContext
from gwanje.events.rule import RuleNeeds
from gwanje.events.rules.base import armed, watched_tracks
from gwanje.events.zones import segments_cross, side_of_line

DEAD_BAND = 0.005
"""Foot points closer to the line than this fraction of the frame diagonal keep their previous side,
so someone standing on the line does not 'cross' it with every jittery box."""
FORGET_AFTER_S = 10.0
"""A track not seen for this long is forgotten (its next appearance starts without a side)."""


@dataclass
class _Side:
    sign: int
    foot: tuple[float, float]
    seen_s: float


class LineCrossingRule:
    """One LINE_CROSSING observation on the frame where a track crosses, if the direction matches.

    ``a_to_b``: from the left to the right of someone walking along the line from its first point
    to its second, as seen on screen. The observation key is ``<line>:<track id>``, so every
    crossing by another object is its own event.
    """

    def __init__(self, config: rule_config.LineCrossingRuleConfig) -> None:
        self.name = f"line_crossing:{config.name}"
        self.config = config
        self.needs = RuleNeeds(frozenset(config.labels), tracks=True)
        self._sides: dict[int, _Side] = {}
        self._segments = SegmentWatch()

    def evaluate(self, ctx: FrameContext) -> list[Observation]:
        now = ctx.time_s
        if self._segments.changed(ctx.frame.segment):
            self._sides.clear()
        for tid in [t for t, s in self._sides.items() if now - s.seen_s > FORGET_AFTER_S]:
            del self._sides[tid]
        w, h = ctx.frame.width, ctx.frame.height
        (ax, ay), (bx, by) = self.config.line
        a, b = (ax * w, ay * h), (bx * w, by * h)
        tracks = watched_tracks(ctx, self.config.labels)
        feet = tracks.bottom_center
        distance = side_of_line(feet, a, b)
        dead_band = DEAD_BAND * math.hypot(w, h)
        is_armed = armed(self.config.schedule, ctx)
        observations: list[Observation] = []
        for i, tid in enumerate(int(t) for t in tracks.tracker_id):
            foot = (float(feet[i, 0]), float(feet[i, 1]))
            before = self._sides.get(tid)
            if abs(distance[i]) < dead_band:
                if before is not None:
                    before.seen_s = now
                continue
            sign = 1 if distance[i] > 0 else -1
            if before is not None and before.sign != sign and segments_cross([before.foot], [foot], a, b)[0]:
                direction = "a_to_b" if before.sign < 0 else "b_to_a"
                if is_armed and self.config.direction in ("any", direction):
                    observations.append(self._observation(tracks[np.array([i])], tid, direction))
            self._sides[tid] = _Side(sign, foot, now)
        return observations

    def _observation(self, row: Detections, track_id: int, direction: str) -> Observation:
        return Observation(
            event_type=EventType.LINE_CROSSING,
            confidence=float(row.confidence[0]),
            boxes=row,
            key=f"{self.config.name}:{track_id}",
            label=str(row.label[0]),
            details={"line": self.config.name, "direction": direction, "track_id": track_id},
        )
