"""Score-based metrics: precision-recall curve, average precision, ROC AUC and the operating-threshold choice.

Labels are 1 (positive) and 0 (negative); any other label (such as -1 for "unknown") is left out
of every figure here. A sample is predicted positive when its score is ``>= threshold``.
Ratios with an empty denominator are 0.0 (see ``binary``); average precision without a labelled
positive is 0.0 too (as scikit-learn gives it), while ROC AUC without both classes is NaN, since
0.0 would read as a perfectly wrong ranking.

Example:
    >>> acc = BinaryScores(threshold=0.5)
    >>> acc.update([1, 0, 1], [0.9, 0.7, 0.3]).update([0], [0.1]).compute().as_dict()["average_precision"]
    0.8333
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from gwanje.eval.metrics.binary import BinaryCounts, binary_counts

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _known(labels: npt.ArrayLike, scores: npt.ArrayLike) -> tuple[IntArray, FloatArray]:
    y = np.asarray(labels).astype(np.int64).reshape(-1)
    s = np.asarray(scores, np.float64).reshape(-1)
    if y.shape != s.shape:
        raise ValueError(f"{len(y)} labels for {len(s)} scores")
    keep = (y == 0) | (y == 1)
    return y[keep], s[keep]


@dataclass(frozen=True)
class PRCurve:
    """One point per distinct score, highest first: precision and recall when that score is the threshold."""

    thresholds: FloatArray
    precision: FloatArray
    recall: FloatArray
    average_precision: float


def precision_recall_curve(labels: npt.ArrayLike, scores: npt.ArrayLike) -> PRCurve:
    """The precision-recall curve and its step-wise area, average precision (AP).

    AP = Σ (Rₙ − Rₙ₋₁) · Pₙ over the distinct scores, as scikit-learn's ``average_precision_score``:
    tied scores form one threshold, so the figure does not depend on the order of the samples.
    """
    y, s = _known(labels, scores)
    if len(y) == 0:
        empty = np.zeros(0, np.float64)
        return PRCurve(empty, empty, empty, 0.0)
    order = np.argsort(-s, kind="stable")
    y, s = y[order], s[order]
    last_of_value = np.flatnonzero(np.r_[s[1:] != s[:-1], True])
    tp = np.cumsum(y)[last_of_value].astype(np.float64)
    predicted = (last_of_value + 1).astype(np.float64)
    positives = int(y.sum())
    precision = tp / predicted
    recall = tp / positives if positives else np.zeros_like(tp)
    ap = float(np.sum(np.diff(recall, prepend=0.0) * precision)) if positives else 0.0
    return PRCurve(s[last_of_value], precision, recall, ap)


def average_precision(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """Area under the precision-recall curve, step-wise (``precision_recall_curve``); 0.0 without positives."""
    return precision_recall_curve(labels, scores).average_precision


def roc_auc(labels: npt.ArrayLike, scores: npt.ArrayLike) -> float:
    """ROC AUC as the Mann-Whitney statistic (tied scores count half); NaN unless both classes are present."""
    y, s = _known(labels, scores)
    pos, neg = s[y == 1], s[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    values = np.concatenate([pos, neg])
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    start = 0
    for end in range(1, len(values) + 1):
        if end == len(values) or sorted_values[end] != sorted_values[start]:
            ranks[order[start:end]] = (start + end + 1) / 2.0
            start = end
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2.0) / (len(pos) * len(neg)))


def best_threshold(
    candidates: Iterable[float], counts_at: Callable[[float], BinaryCounts], max_fpr: float, default: float = 0.5
) -> float:
    """The candidate with the best F1 among those whose false-positive rate is at most ``max_fpr``.

    ``counts_at(t)`` gives the counts when ``t`` is the threshold, so the decision may be more than
    ``score >= t`` (the fight model confirms N of M frames per clip). Among equal F1 the first
    candidate wins (pass them in ascending order to prefer the lower threshold); ``default`` when no
    candidate keeps under the cap. Call it on validation or out-of-fold scores, never on the data reported.
    """
    best, best_f1 = default, -1.0
    for threshold in candidates:
        counts = counts_at(float(threshold))
        if counts.fpr <= max_fpr and counts.f1 > best_f1:
            best, best_f1 = float(threshold), counts.f1
    return best


def score_candidates(scores: npt.ArrayLike, low: float = 0.05, high: float = 0.95, decimals: int = 3) -> FloatArray:
    """The distinct scores rounded to ``decimals``, ascending, within [low, high]: thresholds worth trying."""
    candidates: FloatArray = np.unique(np.round(np.asarray(scores, np.float64), decimals))
    kept: FloatArray = candidates[(candidates >= low) & (candidates <= high)]
    return kept


def choose_threshold(
    labels: npt.ArrayLike, scores: npt.ArrayLike, max_fpr: float, candidates: Iterable[float] | None = None
) -> float:
    """``best_threshold`` for ``score >= t`` decisions; candidates default to ``score_candidates`` of the scores."""
    y, s = _known(labels, scores)
    chosen = score_candidates(s) if candidates is None else candidates
    return best_threshold(chosen, lambda t: binary_counts(y, s >= t), max_fpr)


@dataclass(frozen=True)
class BinaryReport:
    """Figures of one score channel at one threshold (the content of training and evaluation reports)."""

    threshold: float
    n: int
    positives: int
    precision: float
    recall: float
    f1: float
    fpr: float
    average_precision: float

    def as_dict(self) -> dict[str, float | int]:
        """Floats rounded to 4 decimals, for JSON reports."""
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


class BinaryScores:
    """Accumulates (label, score) pairs batch by batch, like a torchmetrics metric: ``update`` then ``compute``."""

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold
        self._labels: list[IntArray] = []
        self._scores: list[FloatArray] = []

    def update(self, labels: npt.ArrayLike, scores: npt.ArrayLike) -> BinaryScores:
        """Add a batch (unknown labels are dropped here); returns self so calls chain."""
        y, s = _known(labels, scores)
        self._labels.append(y)
        self._scores.append(s)
        return self

    def reset(self) -> None:
        self._labels.clear()
        self._scores.clear()

    @property
    def labels(self) -> IntArray:
        return np.concatenate(self._labels) if self._labels else np.zeros(0, np.int64)

    @property
    def scores(self) -> FloatArray:
        return np.concatenate(self._scores) if self._scores else np.zeros(0, np.float64)

    def counts(self, threshold: float | None = None) -> BinaryCounts:
        return binary_counts(self.labels, self.scores >= (self.threshold if threshold is None else threshold))

    def curve(self) -> PRCurve:
        return precision_recall_curve(self.labels, self.scores)

    def roc_auc(self) -> float:
        return roc_auc(self.labels, self.scores)

    def choose_threshold(self, max_fpr: float, candidates: Iterable[float] | None = None) -> float:
        return choose_threshold(self.labels, self.scores, max_fpr, candidates)

    def compute(self, threshold: float | None = None) -> BinaryReport:
        """Precision, recall, F1, FPR at ``threshold`` (default: the one given at construction) and AP."""
        t = self.threshold if threshold is None else threshold
        m = self.counts(t)
        return BinaryReport(
            threshold=t,
            n=m.n,
            positives=m.positives,
            precision=m.precision,
            recall=m.recall,
            f1=m.f1,
            fpr=m.fpr,
            average_precision=self.curve().average_precision,
        )


def binary_report(labels: npt.ArrayLike, scores: npt.ArrayLike, threshold: float) -> BinaryReport:
    """``BinaryScores`` in one call: the figures of (labels, scores) at ``threshold``."""
    return BinaryScores(threshold).update(labels, scores).compute()
