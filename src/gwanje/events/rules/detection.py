"""Events straight from a detector's labels: fights (the fight model) and watched objects (your own model)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gwanje.core.events import EventType, Observation
from gwanje.events.context import FrameContext
from gwanje.events.rule import RuleNeeds


class DetectionRule:
    """Observes ``event_type`` when the frame's detections include one of ``labels``.

    Confidence is the best detection's confidence times the camera's ``sensitivity``, capped at 1.
    With ``per_label`` each label is its own observation (key and ``label`` = the label), so a
    watched "forklift" and a watched "knife" are separate events; otherwise one observation.

    Example:
        >>> rule = DetectionRule("fight", EventType.FIGHT, ["fight"], sensitivity=1.5)
        >>> rule.labels
        ('fight',)
    """

    def __init__(
        self,
        name: str,
        event_type: EventType,
        labels: Sequence[str],
        sensitivity: float = 1.0,
        per_label: bool = False,
    ) -> None:
        if not labels:
            raise ValueError(f"rule {name!r} needs at least one detector label to watch")
        if not sensitivity > 0:
            raise ValueError(f"rule {name!r}: sensitivity must be positive, got {sensitivity}")
        self.name = name
        self.event_type = event_type
        self.labels = tuple(labels)
        self.needs = RuleNeeds(frozenset(self.labels))
        self.sensitivity = sensitivity
        self.per_label = per_label

    def evaluate(self, ctx: FrameContext) -> list[Observation]:
        hits = ctx.detections.with_label(*self.labels)
        if not len(hits):
            return []
        groups = [str(label) for label in np.unique(hits.label)] if self.per_label else [None]
        observations = []
        for label in groups:
            boxes = hits if label is None else hits.with_label(label)
            observations.append(
                Observation(
                    event_type=self.event_type,
                    confidence=min(1.0, float(boxes.confidence.max()) * self.sensitivity),
                    boxes=boxes,
                    key=label or "",
                    label=label,
                )
            )
        return observations
