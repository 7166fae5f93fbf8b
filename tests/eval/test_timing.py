"""Percentiles and delay summaries by hand; no value is None, not 0."""

from __future__ import annotations

import pytest

from gwanje.eval.metrics import Delays, percentile, summarize_delays


def test_percentiles_interpolate_linearly() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert percentile([0.0, 10.0], 95) == pytest.approx(9.5)
    assert percentile([], 50) is None


def test_delay_summary_and_accumulator() -> None:
    assert summarize_delays([]).as_dict() == {"n": 0, "median": None, "p95": None}
    summary = Delays().update(3.0).update([1.0, 2.0]).compute()
    assert (summary.n, summary.median) == (3, pytest.approx(2.0))
    assert summary.p95 == pytest.approx(2.9)  # 2 + 0.9 · (3 - 2)
