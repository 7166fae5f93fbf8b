"""Image-level fire/smoke metrics and the operating-threshold choice (numpy only, no torch).

An image is "fire" when its highest fire cell reaches the threshold (likewise smoke). Labels of
``UNKNOWN`` (-1) are left out. The false-positive rate is counted on images without fire (hard
negatives included), as an alarm operator experiences it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from gwanje.training.fire_smoke.data import UNKNOWN

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class BinaryMetrics:
    threshold: float
    n: int
    positives: int
    precision: float
    recall: float
    f1: float
    fpr: float
    average_precision: float

    def as_dict(self) -> dict[str, float | int]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def _counts(labels: npt.NDArray[np.int64], scores: FloatArray, threshold: float) -> tuple[int, int, int, int]:
    predicted = scores >= threshold
    positive = labels == 1
    tp = int(np.sum(predicted & positive))
    fp = int(np.sum(predicted & ~positive))
    fn = int(np.sum(~predicted & positive))
    tn = int(np.sum(~predicted & ~positive))
    return tp, fp, fn, tn


def average_precision(labels: npt.NDArray[np.int64], scores: FloatArray) -> float:
    """Area under the precision-recall curve (step-wise, as scikit-learn computes it)."""
    positives = int(np.sum(labels == 1))
    if positives == 0:
        return float("nan")
    order = np.argsort(-scores, kind="stable")
    hits = (labels[order] == 1).astype(np.float64)
    tp = np.cumsum(hits)
    precision = tp / np.arange(1, len(hits) + 1)
    return float(np.sum(precision * hits) / positives)


def binary_metrics(labels: Sequence[int], scores: Sequence[float], threshold: float) -> BinaryMetrics:
    """Precision, recall, F1, FPR at ``threshold`` and AP, over the samples whose label is known."""
    y = np.asarray(labels, np.int64)
    s = np.asarray(scores, np.float64)
    known = y != UNKNOWN
    y, s = y[known], s[known]
    tp, fp, fn, tn = _counts(y, s, threshold)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BinaryMetrics(
        threshold=threshold,
        n=len(y),
        positives=tp + fn,
        precision=precision,
        recall=recall,
        f1=f1,
        fpr=fp / (fp + tn) if fp + tn else 0.0,
        average_precision=average_precision(y, s),
    )


def choose_threshold(labels: Sequence[int], scores: Sequence[float], max_fpr: float = 0.08) -> float:
    """The threshold with the best F1 among those whose FPR is at most ``max_fpr`` (on validation data).

    The FPR cap is a little under the 0.10 target so that the unseen test scenes have a margin.
    """
    candidates = np.unique(np.round(np.asarray(scores, np.float64), 3))
    candidates = candidates[(candidates >= 0.05) & (candidates <= 0.95)]
    best, best_f1 = 0.5, -1.0
    for threshold in candidates:
        m = binary_metrics(labels, scores, float(threshold))
        if m.fpr <= max_fpr and m.f1 > best_f1:
            best, best_f1 = float(threshold), m.f1
    return best
