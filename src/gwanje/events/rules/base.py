"""Pieces every track rule shares: arming, label and zone filters, zone stays, id handovers."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from gwanje.config.schedule import Schedule
from gwanje.core.detections import NO_TRACK, Detections
from gwanje.events.context import FrameContext
from gwanje.events.zones import PolygonZone

TIME_EPSILON_S = 1e-6
"""Durations are compared with this slack, so 10 s measured as 9.9999999 still counts as 10 s."""


def armed(schedule: Schedule, ctx: FrameContext) -> bool:
    """Whether the rule may raise observations now (its schedule, on the frame's wall time)."""
    return schedule.is_active(ctx.frame.wall_time)


def watched_tracks(ctx: FrameContext, labels: Sequence[str]) -> Detections:
    """The frame's tracked rows (with an id) whose label is one of ``labels``."""
    tracks = ctx.tracks
    return tracks[(tracks.tracker_id != NO_TRACK) & np.isin(tracks.label, list(labels))]


def in_zone(tracks: Detections, zone: PolygonZone, ctx: FrameContext) -> Detections:
    """The rows whose foot point is inside ``zone``."""
    return tracks[zone.trigger(tracks, ctx.frame.width, ctx.frame.height)]


@dataclass(frozen=True)
class Vanished:
    """Where a track that is no longer seen was last: a candidate for an id handover."""

    track_id: int
    point: tuple[float, float]
    body_height: float
    last_seen_s: float


def find_predecessor(
    point: tuple[float, float], time_s: float, candidates: Iterable[Vanished], max_gap_s: float, radius_heights: float
) -> int | None:
    """The vanished track that most likely became a new track at ``point``.

    Trackers switch ids when a person is hidden for a moment or changes shape (falling); a new
    id close to where another disappeared shortly before is treated as the same object. The
    closest candidate within ``radius_heights`` of its own body height and ``max_gap_s`` wins.
    """
    best: tuple[float, int] | None = None
    for c in candidates:
        if time_s - c.last_seen_s > max_gap_s + TIME_EPSILON_S:
            continue
        distance = math.dist(point, c.point)
        if distance <= radius_heights * c.body_height and (best is None or distance < best[0]):
            best = (distance, c.track_id)
    return None if best is None else best[1]


@dataclass
class _Stay:
    entered_s: float
    last_inside_s: float
    foot: tuple[float, float]
    height: float


class ZoneStays:
    """How long each track has been in a zone, forgiving exits shorter than ``max_gap_s``.

    With ``handover`` a new track that appears where another one left the zone within the gap
    continues that one's stay (a tracker id switch should not restart a loitering timer).
    """

    def __init__(self, max_gap_s: float, handover: bool = False, handover_radius_heights: float = 1.0) -> None:
        self.max_gap_s = max_gap_s
        self.handover = handover
        self.handover_radius_heights = handover_radius_heights
        self._stays: dict[int, _Stay] = {}

    def clear(self) -> None:
        self._stays.clear()

    def update(self, inside: Detections, time_s: float) -> dict[int, float]:
        """Record the tracks inside now; return seconds in the zone of each of them."""
        for tid in [t for t, s in self._stays.items() if time_s - s.last_inside_s > self.max_gap_s + TIME_EPSILON_S]:
            del self._stays[tid]
        ids = [int(t) for t in inside.tracker_id]
        feet = inside.bottom_center
        heights = inside.xyxy[:, 3] - inside.xyxy[:, 1]
        for i, tid in enumerate(ids):
            foot = (float(feet[i, 0]), float(feet[i, 1]))
            stay = self._stays.get(tid)
            if stay is None:
                stay = _Stay(time_s, time_s, foot, float(heights[i]))
                if self.handover:
                    gone = [
                        Vanished(t, s.foot, s.height, s.last_inside_s) for t, s in self._stays.items() if t not in ids
                    ]
                    before = find_predecessor(foot, time_s, gone, self.max_gap_s, self.handover_radius_heights)
                    if before is not None:
                        stay.entered_s = self._stays.pop(before).entered_s
                self._stays[tid] = stay
            stay.last_inside_s, stay.foot, stay.height = time_s, foot, float(heights[i])
        return {tid: time_s - self._stays[tid].entered_s for tid in ids}
