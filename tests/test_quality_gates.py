"""The CI quality gate: figures computed on generated footage must not be worse than the committed baseline
(tests/data/quality_baseline.json) beyond their tolerance. Refreshing the baseline is a reviewed change:
``python -m gwanje.eval.gates --write tests/data/quality_baseline.json`` (docs/benchmarks.md)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gwanje.eval.gate_figures import compute_figures
from gwanje.eval.gates import Gate, compare, load_baseline

BASELINE_PATH = Path(__file__).parent / "data" / "quality_baseline.json"


@pytest.fixture(scope="module")
def current() -> dict[str, float]:
    return compute_figures()


@pytest.fixture(scope="module")
def baseline() -> dict[str, Gate]:
    return load_baseline(BASELINE_PATH)


def test_no_figure_is_worse_than_the_baseline(current: dict[str, float], baseline: dict[str, Gate]) -> None:
    regressions = compare(current, baseline)
    assert not regressions, "quality gate regressions:\n" + "\n".join(str(r) for r in regressions)


def test_every_computed_figure_is_gated(current: dict[str, float], baseline: dict[str, Gate]) -> None:
    assert sorted(current) == sorted(baseline)


def test_the_gate_fails_on_worse_figures(current: dict[str, float], baseline: dict[str, Gate]) -> None:
    """Each figure in turn, made worse than its baseline by more than its tolerance, is caught by name."""
    for name, gate in baseline.items():
        step = 2 * gate.tolerance + 1.0
        worse = gate.value - step if gate.direction == "higher" else gate.value + step
        assert [r.name for r in compare({**current, name: worse}, baseline)] == [name]


def test_the_gate_fails_against_a_stricter_baseline(current: dict[str, float], baseline: dict[str, Gate]) -> None:
    """A baseline whose figure is better than today's by more than its tolerance makes the gate fail on it."""
    for name, gate in baseline.items():
        step = 2 * gate.tolerance + 1.0
        better = current[name] + step if gate.direction == "higher" else current[name] - step
        stricter = {**baseline, name: dataclasses.replace(gate, value=better)}
        assert name in [r.name for r in compare(current, stricter)]
