"""What a camera runs, planned from declarations: what its rules need (``RuleNeeds``) and what each detector
and analyser produces (``Produces``). Nothing here knows a rule or a detector by name or type.

The same functions plan from configurations before any model is loaded (``runtime.detectors``: which
models to load, which floor a shared detector reports down to) and from the built detectors
(``runtime.pipeline``: what one camera runs and hands to whom).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from gwanje.core.detections import Detections
from gwanje.detect.base import Produces
from gwanje.events.rule import RuleNeeds


def needs_pose(needs: Iterable[RuleNeeds]) -> bool:
    return any(n.pose for n in needs)


def track_enricher(listed: Sequence[str], available: Mapping[str, Produces], needs: Iterable[RuleNeeds]) -> str | None:
    """The analyser that fills keypoints into the camera's tracks, when one of its rules needs pose.

    One the camera lists comes first, else the first the application declares (a rule that needs pose brings
    the application's keypoint analyser with it, as a fall rule brings pose); None when no rule needs pose
    or nothing provides keypoints.
    """
    if not needs_pose(needs):
        return None
    providers = [n for n, p in available.items() if p.enriches_tracks and p.keypoints]
    chosen = [n for n in listed if n in providers] or providers
    return chosen[0] if chosen else None


def faint_floor(produces: Produces, needs: Iterable[RuleNeeds]) -> float | None:
    """The lowest score a detector declaring faint boxes must report down to for these rules: the lowest score
    floor of the rules that watch one of its labels, when below its threshold; None when it needs none."""
    if not produces.faint or produces.threshold is None:
        return None
    floors = [n.score_floor for n in needs if n.score_floor is not None and n.labels & produces.labels.keys()]
    low = min(floors, default=None)
    return low if low is not None and low < produces.threshold else None


def faint_mask(faint: Detections, needs: RuleNeeds) -> npt.NDArray[np.bool_]:
    """Which faint boxes a rule gets: its labels, from its score floor up (none without a floor)."""
    if needs.score_floor is None:
        return np.zeros(len(faint), bool)
    return (faint.confidence >= needs.score_floor) & np.isin(faint.label, sorted(needs.labels))


def short_floor(needs: RuleNeeds, produced: Iterable[Produces]) -> float | None:
    """The floor a built detector of the rule's labels reports down to, when it is above the floor the rule
    declared (the detector was built without this camera's rules, see ``runtime.detectors``); else None."""
    if needs.score_floor is None:
        return None
    floors = [p.floor for p in produced if p.faint and p.floor is not None and needs.labels & p.labels.keys()]
    return min(floors) if floors and min(floors) > needs.score_floor else None


def unfed(rule_name: str, needs: RuleNeeds, produced: Iterable[Produces]) -> str | None:
    """Why a rule can never fire with these detectors, or None when it is fed."""
    outputs = list(produced)
    labels = set().union(*(p.labels.keys() for p in outputs))
    if needs.labels and not needs.labels & labels:
        return f"the {rule_name} rule watches {sorted(needs.labels)}, but none of the camera's detectors outputs them"
    objects = set().union(*(p.objects for p in outputs))
    if needs.tracks and needs.labels and not needs.labels & objects:
        return (
            f"the {rule_name} rule follows tracked {sorted(needs.labels)}, but the camera's detectors output them "
            "as regions, which are never tracked"
        )
    return None
