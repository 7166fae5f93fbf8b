"""The contract every rule follows, and what a rule declares it needs from the stages before it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from gwanje.core.events import Observation
from gwanje.events.context import FrameContext


@dataclass(frozen=True)
class RuleNeeds:
    """What one rule needs from the detectors, the tracker and the analysers; the pipeline builds itself from it.

    ``labels``: the detection labels the rule looks at. ``tracks``: it reads tracked objects
    (``FrameContext.tracks``, with ids), so those labels must come from a detector of objects, not regions.
    ``pose``: it reads keypoints on the tracks, so the camera runs a keypoint analyser. ``score_floor``: it
    also wants boxes of its labels scored below their detector's threshold, from this score up ("faint"
    boxes, ``FrameContext.faint``); None: it sees only what the detectors report as found.

    Example:
        >>> RuleNeeds(frozenset({"person"}), tracks=True).pose
        False
    """

    labels: frozenset[str]
    tracks: bool = False
    pose: bool = False
    score_floor: float | None = None

    def __post_init__(self) -> None:
        if self.score_floor is not None and not 0.0 < self.score_floor <= 1.0:
            raise ValueError(f"a rule's score floor must be in (0, 1], got {self.score_floor}")


@runtime_checkable
class Rule(Protocol):
    """Looks at each analysed frame of one camera and says which event types are visible now.

    Rules are per camera and may keep state (dwell timers, previous positions), which they drop when a
    new stream segment starts (``ctx.frame.segment``). They return raw observations; confirmation over
    time is the event engine's job. ``needs`` says what they read (see :class:`RuleNeeds`).
    """

    name: str
    needs: RuleNeeds

    def evaluate(self, ctx: FrameContext) -> list[Observation]: ...
