"""PR curve, average precision, ROC AUC, threshold choice and the BinaryScores accumulator, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gwanje.eval.metrics import (
    BinaryCounts,
    BinaryScores,
    average_precision,
    best_threshold,
    binary_report,
    choose_threshold,
    precision_recall_curve,
    roc_auc,
)


def test_average_precision_by_hand() -> None:
    # ranked: pos, neg, pos, neg -> precision 1 at recall 1/2, 2/3 at recall 1
    assert average_precision([1, 0, 1, 0], [0.9, 0.7, 0.3, 0.1]) == pytest.approx((1 + 2 / 3) / 2)


def test_tied_scores_are_one_threshold_whatever_the_sample_order() -> None:
    # at 0.5 one of two predicted is positive (P 1/2, R 1/2), at 0.2 two of three (P 2/3, R 1)
    expected = 0.5 * 0.5 + 0.5 * 2 / 3
    assert average_precision([1, 0, 1], [0.5, 0.5, 0.2]) == pytest.approx(expected)
    assert average_precision([0, 1, 1], [0.5, 0.5, 0.2]) == pytest.approx(expected)


def test_curve_points_are_the_distinct_scores_highest_first() -> None:
    curve = precision_recall_curve([1, 0, 1], [0.5, 0.5, 0.2])
    np.testing.assert_allclose(curve.thresholds, [0.5, 0.2])
    np.testing.assert_allclose(curve.precision, [0.5, 2 / 3])
    np.testing.assert_allclose(curve.recall, [0.5, 1.0])


def test_unknown_labels_are_left_out_and_no_positive_gives_zero() -> None:
    assert average_precision([1, -1, 0], [0.2, 0.9, 0.1]) == pytest.approx(1.0)
    assert average_precision([0, 0], [0.3, 0.1]) == 0.0
    assert precision_recall_curve([], []).thresholds.size == 0


def test_average_precision_agrees_with_scikit_learn() -> None:
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 2, 300)
    scores = np.round(rng.random(300) * 0.6 + 0.4 * labels, 1)  # rounded: many ties
    assert average_precision(labels, scores) == pytest.approx(sklearn_metrics.average_precision_score(labels, scores))
    assert roc_auc(labels, scores) == pytest.approx(sklearn_metrics.roc_auc_score(labels, scores))


def test_roc_auc_by_hand() -> None:
    # pairs (pos, neg): 0.9>0.5, 0.9>0.1, 0.4<0.5, 0.4>0.1 -> 3 of 4
    assert roc_auc([1, 1, 0, 0], [0.9, 0.4, 0.5, 0.1]) == pytest.approx(0.75)
    assert roc_auc([1, 0], [0.5, 0.5]) == pytest.approx(0.5)
    assert math.isnan(roc_auc([1, 1], [0.2, 0.3]))


LABELS = [1, 1, 1, 0, 0, 0, 0, -1]
SCORES = [0.9, 0.8, 0.3, 0.7, 0.2, 0.1, 0.1, 0.99]


def test_threshold_choice_keeps_under_the_fpr_cap() -> None:
    # max FPR 0: only 0.8 (F1 2·2/(4+1) = 0.8) and 0.9 (F1 0.5) raise no negative
    assert choose_threshold(LABELS, SCORES, max_fpr=0.0) == pytest.approx(0.8)
    # max FPR 1/4: 0.3 raises one negative of four and finds all three positives (F1 6/7)
    assert choose_threshold(LABELS, SCORES, max_fpr=0.25) == pytest.approx(0.3)


def test_best_threshold_prefers_the_first_of_equals_and_falls_back_to_the_default() -> None:
    same = BinaryCounts(tp=1, fp=0, fn=1, tn=1)
    assert best_threshold([0.3, 0.6], lambda _t: same, max_fpr=0.1) == 0.3
    noisy = BinaryCounts(tp=1, fp=1, fn=0, tn=0)
    assert best_threshold([0.3, 0.6], lambda _t: noisy, max_fpr=0.1, default=0.42) == 0.42


def test_accumulator_over_batches_equals_one_call() -> None:
    acc = BinaryScores(threshold=0.5)
    acc.update(LABELS[:3], SCORES[:3]).update(LABELS[3:], SCORES[3:])
    report = acc.compute()
    assert report == binary_report(LABELS, SCORES, 0.5)
    # at 0.5: tp 2 (0.9, 0.8), fp 1 (0.7), fn 1 (0.3), tn 3; the unknown label is left out
    assert (report.n, report.positives) == (7, 3)
    assert report.precision == pytest.approx(2 / 3) and report.recall == pytest.approx(2 / 3)
    assert report.fpr == pytest.approx(1 / 4)
    # ranked 0.9+ 0.8+ 0.7- 0.3+ ...: AP = (1 + 1 + 3/4) / 3
    assert report.average_precision == pytest.approx((1 + 1 + 3 / 4) / 3)
    assert acc.compute(0.85).recall == pytest.approx(1 / 3)
    assert acc.choose_threshold(max_fpr=0.0) == pytest.approx(0.8)
    assert report.as_dict()["precision"] == 0.6667
    acc.reset()
    assert acc.compute().n == 0
