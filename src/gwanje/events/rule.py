"""The contract every rule follows."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from gwanje.core.events import Observation
from gwanje.events.context import FrameContext


@runtime_checkable
class Rule(Protocol):
    """Looks at each analysed frame of one camera and says which event types are visible now.

    Rules are per camera and may keep state (dwell timers, previous positions). They return raw
    observations; confirmation over time is the event engine's job.
    """

    name: str

    def evaluate(self, ctx: FrameContext) -> list[Observation]: ...
