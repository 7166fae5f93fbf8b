"""Scores of one evaluation run: per type confusion counts, F1, time to alert, false alerts per hour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gwanje.eval.manifest import ManifestRow

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


@dataclass(frozen=True)
class TypeMetrics:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def fpr(self) -> float:
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0


def confusion(results: Sequence[ItemResult], event_type: str) -> TypeMetrics:
    """Counts for one type over the rows that were scored (rows with an error are left out)."""
    tp = fp = fn = tn = 0
    for r in results:
        if r.error is not None:
            continue
        truth = event_type in r.row.labels
        pred = event_type in r.predicted
        tp += truth and pred
        fp += (not truth) and pred
        fn += truth and not pred
        tn += (not truth) and not pred
    return TypeMetrics(tp=tp, fp=fp, fn=fn, tn=tn)


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


def percentile(values: Sequence[float], q: float) -> float | None:
    return None if not values else float(np.percentile(np.asarray(values, float), q))


def pr_curve(results: Sequence[ItemResult], event_type: str) -> tuple[list[float], list[float], float]:
    """Precision and recall over every score threshold, and average precision (area, step-wise)."""
    scored = [r for r in results if r.error is None]
    if not scored:
        return [], [], 0.0
    scores = np.asarray([r.scores.get(event_type, 0.0) for r in scored], float)
    truth = np.asarray([event_type in r.row.labels for r in scored], bool)
    positives = int(truth.sum())
    if positives == 0:
        return [], [], 0.0
    order = np.argsort(-scores, kind="stable")
    tp = np.cumsum(truth[order])
    fp = np.cumsum(~truth[order])
    precision = tp / np.maximum(tp + fp, 1)
    recall = tp / positives
    # step-wise AP: precision at each new true positive
    ap = float(np.sum(precision[truth[order]]) / positives)
    return precision.tolist(), recall.tolist(), ap


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
            "time_to_alert_s": {
                "n": len(tta),
                "median": percentile(tta, 50),
                "p95": percentile(tta, 95),
            },
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
