"""Intrusion: a watched object inside a protected zone while the rule is armed."""

from __future__ import annotations

from gwanje.config import rules as rule_config
from gwanje.core.events import EventType
from gwanje.events.rules.base import ZoneStays
from gwanje.events.rules.dwell import ZoneDwellRule
from gwanje.events.zones import PolygonZone

INTRUSION_GAP_S = 1.0
"""A track missing from the zone for less than this (a missed detection) keeps its entry time."""


class IntrusionRule(ZoneDwellRule):
    """Observes INTRUSION once a watched track has been in the zone ``min_dwell_s`` seconds."""

    def __init__(self, config: rule_config.IntrusionRuleConfig, zone: PolygonZone) -> None:
        super().__init__(
            name=f"intrusion:{zone.name}",
            event_type=EventType.INTRUSION,
            zone=zone,
            labels=config.labels,
            schedule=config.schedule,
            min_s=config.min_dwell_s,
            stays=ZoneStays(max_gap_s=INTRUSION_GAP_S),
        )
