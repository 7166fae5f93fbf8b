"""Per-channel filters: which event reports a channel is sent (types, states, cameras, hours)."""

from __future__ import annotations

from dataclasses import dataclass

from gwanje.config.alerts import ChannelFilters
from gwanje.config.schedule import Schedule
from gwanje.core.events import Event


@dataclass(frozen=True)
class EventFilter:
    """The filters of one channel; an empty set lets everything through.

    The schedule is checked at the event's start: every report of an event that started inside it is sent
    (and none of one that started outside), so a receiver never gets an ``end`` without its ``new``.
    """

    event_types: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()
    cameras: frozenset[str] = frozenset()
    schedule: Schedule | None = None

    @classmethod
    def of(cls, config: ChannelFilters) -> EventFilter:
        return cls(
            event_types=frozenset(config.event_types),
            states=frozenset(config.states),
            cameras=frozenset(config.cameras),
            schedule=config.schedule if config.schedule.windows else None,
        )

    def accepts(self, event: Event) -> bool:
        return (
            (not self.event_types or event.event_type.value in self.event_types)
            and (not self.states or event.state.value in self.states)
            and (not self.cameras or event.camera_id in self.cameras)
            and (self.schedule is None or self.schedule.is_active(event.start_time))
        )
