"""Rules on tracked people and objects, per camera: a discriminated union on ``type``.

Fire, smoke, fight and fall events come from their detectors directly; these rules add the
zone- and line-based events that need tracks.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from gwanje.config.base import GwanjeModel
from gwanje.config.geometry import Line
from gwanje.config.schedule import Schedule


class _ZoneRuleConfig(GwanjeModel):
    zone: str = Field(description="Name of a zone of this camera.")
    labels: list[str] = Field(default_factory=lambda: ["person"], description="Object labels the rule watches.")
    schedule: Schedule = Field(default_factory=Schedule, description="When the rule is armed; empty: always.")


class IntrusionRuleConfig(_ZoneRuleConfig):
    """Someone inside a protected zone while the rule is armed."""

    type: Literal["intrusion"] = "intrusion"
    min_dwell_s: float = Field(default=0.5, ge=0.0, description="Time inside before it counts (filters flicker).")


class LoiteringRuleConfig(_ZoneRuleConfig):
    """Someone staying in a zone at least ``min_time_s`` (KISA: 10 s)."""

    type: Literal["loitering"] = "loitering"
    min_time_s: float = Field(default=10.0, gt=0.0)
    max_gap_s: float = Field(default=2.0, ge=0.0, description="Leaving the zone for less than this keeps the timer.")


class CrowdingRuleConfig(_ZoneRuleConfig):
    """More than ``max_people`` in the zone."""

    type: Literal["crowding"] = "crowding"
    max_people: int = Field(default=10, ge=1)


class LineCrossingRuleConfig(GwanjeModel):
    """A tracked object's foot point crosses a line, optionally only in one direction.

    ``a_to_b`` means crossing from the left of the line (seen walking from its first point to its
    second) to its right.
    """

    type: Literal["line_crossing"] = "line_crossing"
    name: str = Field(min_length=1)
    line: Line
    direction: Literal["any", "a_to_b", "b_to_a"] = "any"
    labels: list[str] = Field(default_factory=lambda: ["person"])
    schedule: Schedule = Field(default_factory=Schedule)


class FallRuleConfig(GwanjeModel):
    """A person who goes down and stays down."""

    type: Literal["fall"] = "fall"
    down_time_s: float = Field(
        default=3.0,
        gt=0.0,
        description=(
            "How long the person must stay down after the fall was seen. The alert must come within 5 s of the "
            "person coming to rest; the fall is seen while they go down, so 3 s leaves margin for a late frame."
        ),
    )
    person_threshold: float = Field(
        default=0.15,
        gt=0.0,
        le=1.0,
        description=(
            "Person boxes from this score are tracked for this rule, even below the person detector's own "
            "threshold (no other rule sees those): the detector scores people lying flat far lower than people "
            "standing (0.14-0.16 against 0.76 for the drawn collapse of docs/models/fall.md)."
        ),
    )
    found_lying_s: float | None = Field(
        default=30.0,
        gt=0.0,
        description=(
            "A person seen lying still this long is a collapse even without an observed fall (already down when "
            "the camera or their track started, or the fall was hidden). null: only observed falls. Cameras or "
            "zones where people lie on purpose (lawns, benches, beds) should set null or use a zone."
        ),
    )
    found_lying_threshold: float = Field(
        default=0.4,
        gt=0.0,
        le=1.0,
        description="Mean person score the lying track must keep for found_lying_s (faint clutter stays out).",
    )
    zone: str | None = Field(default=None, description="Only in this zone; default: anywhere.")
    schedule: Schedule = Field(default_factory=Schedule)


RuleConfig = Annotated[
    IntrusionRuleConfig | LoiteringRuleConfig | CrowdingRuleConfig | LineCrossingRuleConfig | FallRuleConfig,
    Field(discriminator="type"),
]
