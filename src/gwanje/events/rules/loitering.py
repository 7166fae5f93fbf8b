"""Loitering: someone staying in a zone for ``min_time_s`` (KISA's test uses 10 s)."""

from __future__ import annotations

from gwanje.config import rules as rule_config
from gwanje.core.events import EventType
from gwanje.events.rules.base import ZoneStays
from gwanje.events.rules.dwell import ZoneDwellRule
from gwanje.events.zones import PolygonZone


class LoiteringRule(ZoneDwellRule):
    """Observes LOITERING while a watched track has been in the zone ``min_time_s`` seconds.

    Leaving for less than ``max_gap_s`` keeps the timer, and so does a tracker id switch: a new
    track appearing within one body height of where a track left, within the gap, continues it.
    """

    def __init__(self, config: rule_config.LoiteringRuleConfig, zone: PolygonZone) -> None:
        super().__init__(
            name=f"loitering:{zone.name}",
            event_type=EventType.LOITERING,
            zone=zone,
            labels=config.labels,
            schedule=config.schedule,
            min_s=config.min_time_s,
            stays=ZoneStays(max_gap_s=config.max_gap_s, handover=True),
        )
