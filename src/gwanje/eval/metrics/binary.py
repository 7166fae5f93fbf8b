"""Binary confusion counts and the ratios read from them, with one rule for empty denominators.

Convention: every ratio whose denominator is empty is **0.0**. Precision with no predicted positive
is 0.0 (a detector that never fires earns no precision), recall with no labelled positive is 0.0,
the false-positive rate with no labelled negative is 0.0 (so an FPR cap is met trivially), and F1
is 0.0 whenever there is no true positive. These are scikit-learn's ``zero_division=0`` values.

Example:
    >>> m = BinaryConfusion().update([1, 1, 0, 0], [True, False, True, False]).compute()
    >>> (m.tp, m.fp, m.fn, m.tn), m.precision, m.f1
    ((1, 1, 1, 1), 0.5, 0.5)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


@dataclass(frozen=True)
class BinaryCounts:
    """True/false positives and negatives of one binary decision over a set of samples."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def positives(self) -> int:
        """Labelled positives (tp + fn)."""
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        """2·TP / (2·TP + FP + FN): the harmonic mean of precision and recall in one exact division."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    @property
    def fpr(self) -> float:
        """False-positive rate FP / (FP + TN): the share of negatives raised as positive."""
        return _ratio(self.fp, self.fp + self.tn)

    @property
    def accuracy(self) -> float:
        return _ratio(self.tp + self.tn, self.n)

    def __add__(self, other: BinaryCounts) -> BinaryCounts:
        return BinaryCounts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)


def binary_counts(truth: npt.ArrayLike, predicted: npt.ArrayLike) -> BinaryCounts:
    """Counts of two equally long boolean sequences (a label of 1 or True is positive)."""
    y = np.asarray(truth) == 1
    p = np.asarray(predicted).astype(bool)
    if y.shape != p.shape:
        raise ValueError(f"truth and predicted differ in shape: {y.shape} vs {p.shape}")
    return BinaryCounts(tp=int(np.sum(y & p)), fp=int(np.sum(~y & p)), fn=int(np.sum(y & ~p)), tn=int(np.sum(~y & ~p)))


class BinaryConfusion:
    """Accumulates (truth, predicted) decisions batch by batch; ``compute()`` gives the counts so far."""

    def __init__(self) -> None:
        self._counts = BinaryCounts(0, 0, 0, 0)

    def update(self, truth: npt.ArrayLike, predicted: npt.ArrayLike) -> BinaryConfusion:
        """Add one decision (scalars) or a batch (sequences); returns self so calls chain."""
        self._counts = self._counts + binary_counts(np.atleast_1d(truth), np.atleast_1d(predicted))
        return self

    def compute(self) -> BinaryCounts:
        return self._counts

    def reset(self) -> None:
        self._counts = BinaryCounts(0, 0, 0, 0)
