"""Scores of one ``gwanje eval`` run: per type confusion counts, F1, AP, time to alert, false alerts per hour.

The figures come from the general metrics of this package (``binary``, ``ranking``, ``timing``);
this module only says which item counts as what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gwanje.eval.manifest import ManifestRow
from gwanje.eval.metrics.binary import BinaryConfusion, BinaryCounts
from gwanje.eval.metrics.ranking import precision_recall_curve
from gwanje.eval.metrics.timing import summarize_delays

KISA_F1_PASS = 0.90
"""KISA intelligent-CCTV certification passes an item at F1 >= 90 points."""


@dataclass(frozen=True)
class Alert:
    """One alert raised on a video: when the operator would have been told (``alert_s``, stream time)."""

    event_type: str
    alert_s: float
    start_s: float
    end_s: float | None
    confidence: float


@dataclass
class ItemResult:
    """What the system said about one manifest row."""

    row: ManifestRow
    scores: dict[str, float] = field(default_factory=dict)
    """Highest confidence per type (image: detector score; video: peak event confidence), 0 when none."""
    predicted: set[str] = field(default_factory=set)
    """Types predicted positive at the operating point."""
    alerts: list[Alert] = field(default_factory=list)
    duration_s: float | None = None
    error: str | None = None


TypeMetrics = BinaryCounts
"""Counts of one event type over the scored items (the name ``gwanje eval`` code uses)."""


def confusion(results: Sequence[ItemResult], event_type: str) -> TypeMetrics:
    """Counts for one type over the rows that were scored (rows with an error are left out)."""
    acc = BinaryConfusion()
    for r in results:
        if r.error is None:
            acc.update(event_type in r.row.labels, event_type in r.predicted)
    return acc.compute()


def times_to_alert(results: Sequence[ItemResult], event_type: str) -> list[float]:
    """Seconds from the labelled onset (start_s, or 0 when not given) to the first alert of the type.

    Only labelled videos that got an alert count. An alert that comes before the labelled onset
    (labels are rarely frame-exact) counts as 0 s.
    """
    out: list[float] = []
    for r in results:
        if r.error is not None or not r.row.is_video or event_type not in r.row.labels:
            continue
        times = [a.alert_s for a in r.alerts if a.event_type == event_type]
        if times:
            out.append(max(0.0, min(times) - (r.row.start_s or 0.0)))
    return out


def false_alerts_per_hour(results: Sequence[ItemResult], types: Sequence[str]) -> dict[str, Any]:
    """Alerts on videos labelled with nothing at all, per hour of such video."""
    hours = sum((r.duration_s or 0.0) for r in results if _is_clean_video(r)) / 3600.0
    counts = {t: sum(1 for r in results if _is_clean_video(r) for a in r.alerts if a.event_type == t) for t in types}
    total = sum(counts.values())
    return {
        "hours_of_unlabelled_video": round(hours, 4),
        "alerts": total,
        "per_hour": None if hours == 0 else total / hours,
        "per_type_per_hour": {t: (None if hours == 0 else c / hours) for t, c in counts.items()},
    }


def _is_clean_video(r: ItemResult) -> bool:
    return r.error is None and r.row.is_video and not r.row.labels


def pr_curve(results: Sequence[ItemResult], event_type: str) -> tuple[list[float], list[float], float]:
    """Precision and recall at each distinct score (highest first) and average precision (``precision_recall_curve``).

    An item's score is its highest confidence for the type, 0 when the system said nothing about it.
    """
    scored = [r for r in results if r.error is None]
    truth = [event_type in r.row.labels for r in scored]
    if not any(truth):
        return [], [], 0.0
    curve = precision_recall_curve(truth, [r.scores.get(event_type, 0.0) for r in scored])
    return curve.precision.tolist(), curve.recall.tolist(), curve.average_precision


def summarize(results: Sequence[ItemResult], types: Sequence[str]) -> dict[str, Any]:
    """The content of metrics.json."""
    per_type: dict[str, Any] = {}
    for t in types:
        m = confusion(results, t)
        tta = times_to_alert(results, t)
        _, _, ap = pr_curve(results, t)
        per_type[t] = {
            "tp": m.tp,
            "fp": m.fp,
            "fn": m.fn,
            "tn": m.tn,
            "precision": round(m.precision, 4),
            "recall": round(m.recall, 4),
            "f1": round(m.f1, 4),
            "false_positive_rate": round(m.fpr, 4),
            "average_precision": round(ap, 4),
            "time_to_alert_s": summarize_delays(tta).as_dict(),
            "kisa_pass": m.f1 >= KISA_F1_PASS,
        }
    scored = [r for r in results if r.error is None]
    return {
        "types": list(types),
        "items": {
            "scored": len(scored),
            "images": sum(1 for r in scored if not r.row.is_video),
            "videos": sum(1 for r in scored if r.row.is_video),
            "failed": len(results) - len(scored),
        },
        "per_type": per_type,
        "false_alerts_per_hour": false_alerts_per_hour(results, types),
        "time_to_alert_s": {t: per_type[t]["time_to_alert_s"] for t in types},
    }
