"""Confusion counts and their ratios against hand-computed values, including the empty-denominator rule."""

from __future__ import annotations

import pytest

from gwanje.eval.metrics import BinaryConfusion, BinaryCounts, TypeMetrics, binary_counts


def test_counts_and_ratios_by_hand() -> None:
    m = binary_counts([1, 1, 1, 0, 0, 0, 0], [True, True, False, True, False, False, False])
    assert (m.tp, m.fp, m.fn, m.tn) == (2, 1, 1, 3)
    assert m.precision == pytest.approx(2 / 3)
    assert m.recall == pytest.approx(2 / 3)
    assert m.f1 == pytest.approx(2 / 3)  # 2·2 / (2·2 + 1 + 1)
    assert m.fpr == pytest.approx(1 / 4)
    assert m.accuracy == pytest.approx(5 / 7)
    assert (m.n, m.positives) == (7, 3)


def test_f1_is_the_harmonic_mean_of_precision_and_recall() -> None:
    m = BinaryCounts(tp=3, fp=1, fn=5, tn=0)
    p, r = 3 / 4, 3 / 8
    assert m.f1 == pytest.approx(2 * p * r / (p + r))


def test_empty_denominators_give_zero() -> None:
    never_fires = binary_counts([1, 0, 0], [False, False, False])
    assert never_fires.precision == 0.0, "no prediction earns no precision (not 1.0)"
    assert never_fires.f1 == 0.0 and never_fires.recall == 0.0
    no_negatives = binary_counts([1, 1], [True, False])
    assert no_negatives.fpr == 0.0
    nothing = BinaryCounts(0, 0, 0, 0)
    assert (nothing.precision, nothing.recall, nothing.f1, nothing.fpr, nothing.accuracy) == (0.0,) * 5


def test_accumulator_adds_single_decisions_and_batches() -> None:
    acc = BinaryConfusion()
    acc.update(True, True).update(False, True)
    acc.update([1, 0, 0], [False, False, False])
    assert acc.compute() == BinaryCounts(tp=1, fp=1, fn=1, tn=2)
    acc.reset()
    assert acc.compute().n == 0


def test_shapes_must_agree_and_the_old_name_still_works() -> None:
    with pytest.raises(ValueError, match="shape"):
        binary_counts([1, 0], [True])
    assert TypeMetrics(tp=1, fp=0, fn=0, tn=0).precision == 1.0
