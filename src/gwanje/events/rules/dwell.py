"""Rules that fire when tracked objects stay in a zone long enough (intrusion, loitering)."""

from __future__ import annotations

import numpy as np

from gwanje.config.schedule import Schedule
from gwanje.core.events import EventType, Observation
from gwanje.core.frame import SegmentWatch
from gwanje.events.context import FrameContext
from gwanje.events.rule import RuleNeeds
from gwanje.events.rules.base import TIME_EPSILON_S, ZoneStays, armed, in_zone, watched_tracks
from gwanje.events.zones import PolygonZone


class ZoneDwellRule:
    """One observation per zone while at least one watched track has been inside for ``min_s``.

    Stays are tracked while the rule is disarmed too, so someone already inside when the
    schedule arms it counts from when they entered; a new stream segment clears them.
    """

    def __init__(
        self,
        name: str,
        event_type: EventType,
        zone: PolygonZone,
        labels: list[str],
        schedule: Schedule,
        min_s: float,
        stays: ZoneStays,
    ) -> None:
        self.name = name
        self.event_type = event_type
        self.zone = zone
        self.labels = labels
        self.needs = RuleNeeds(frozenset(labels), tracks=True)
        self.schedule = schedule
        self.min_s = min_s
        self._stays = stays
        self._segments = SegmentWatch()

    def evaluate(self, ctx: FrameContext) -> list[Observation]:
        if self._segments.changed(ctx.frame.segment):
            self._stays.clear()
        inside = in_zone(watched_tracks(ctx, self.labels), self.zone, ctx)
        seconds = self._stays.update(inside, ctx.time_s)
        if not armed(self.schedule, ctx):
            return []
        dwell = np.array([seconds[int(t)] for t in inside.tracker_id], dtype=np.float64)
        hits = inside[dwell >= self.min_s - TIME_EPSILON_S]
        if not len(hits):
            return []
        best = int(np.argmax(hits.confidence))
        return [
            Observation(
                event_type=self.event_type,
                confidence=float(hits.confidence[best]),
                boxes=hits,
                key=self.zone.name,
                zone=self.zone.name,
                label=str(hits.label[best]),
                details={
                    "track_ids": [int(t) for t in hits.tracker_id],
                    "dwell_s": round(float(dwell.max()), 2),
                },
            )
        ]
