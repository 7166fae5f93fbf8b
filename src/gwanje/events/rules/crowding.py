"""Crowding: more than ``max_people`` watched tracks in a zone at once."""

from __future__ import annotations

import numpy as np

from gwanje.config import rules as rule_config
from gwanje.core.events import EventType, Observation
from gwanje.events.context import FrameContext
from gwanje.events.rule import RuleNeeds
from gwanje.events.rules.base import armed, in_zone, watched_tracks
from gwanje.events.zones import PolygonZone


class CrowdingRule:
    """Observes CROWDING with the count when the zone holds more than ``max_people`` tracks.

    The confidence is that of the (max_people + 1)-th most confident track in the zone: the count
    would still exceed the limit if every less confident detection were wrong.
    """

    def __init__(self, config: rule_config.CrowdingRuleConfig, zone: PolygonZone) -> None:
        self.name = f"crowding:{zone.name}"
        self.config = config
        self.zone = zone
        self.needs = RuleNeeds(frozenset(config.labels), tracks=True)

    def evaluate(self, ctx: FrameContext) -> list[Observation]:
        if not armed(self.config.schedule, ctx):
            return []
        inside = in_zone(watched_tracks(ctx, self.config.labels), self.zone, ctx)
        count = len(inside)
        if count <= self.config.max_people:
            return []
        ranked = np.sort(inside.confidence)[::-1]
        return [
            Observation(
                event_type=EventType.CROWDING,
                confidence=float(ranked[self.config.max_people]),
                boxes=inside,
                key=self.zone.name,
                zone=self.zone.name,
                details={"count": count, "max_people": self.config.max_people},
            )
        ]
