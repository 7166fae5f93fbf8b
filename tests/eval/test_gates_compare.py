"""`compare` on constructed figures: worse beyond tolerance fails, within tolerance or better passes, missing fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gwanje.eval.gates import Gate, compare, load_baseline, write_baseline

BASELINE = {
    "recall": Gate(0.90, "higher", 0.05),
    "delay_s": Gate(1.2, "lower", 0.4),
}


def test_within_tolerance_passes() -> None:
    assert compare({"recall": 0.86, "delay_s": 1.6}, BASELINE) == []


def test_better_passes() -> None:
    assert compare({"recall": 1.0, "delay_s": 0.2}, BASELINE) == []


@pytest.mark.parametrize(
    ("current", "name"), [({"recall": 0.84, "delay_s": 1.2}, "recall"), ({"recall": 0.9, "delay_s": 1.7}, "delay_s")]
)
def test_worse_beyond_tolerance_fails_naming_the_figure(current: dict[str, float], name: str) -> None:
    regressions = compare(current, BASELINE)
    assert [r.name for r in regressions] == [name]
    assert "worse than the baseline" in str(regressions[0])


def test_missing_and_nan_figures_are_reported() -> None:
    regressions = compare({"recall": float("nan")}, BASELINE)
    assert sorted(r.name for r in regressions) == ["delay_s", "recall"]
    assert any("missing" in str(r) for r in regressions)


def test_zero_tolerance_counts_exact_figures() -> None:
    gates = {"false_alerts": Gate(0.0, "lower", 0.0)}
    assert compare({"false_alerts": 0.0}, gates) == []
    assert [r.name for r in compare({"false_alerts": 1.0}, gates)] == ["false_alerts"]


def test_write_keeps_directions_and_tolerances(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"how": "kept", "figures": {}}), encoding="utf-8")
    write_baseline(path, {"recall": 0.8, "new": 3.0}, BASELINE)
    loaded = load_baseline(path)
    assert loaded["recall"] == Gate(0.8, "higher", 0.05)
    assert loaded["new"] == Gate(3.0, "lower", 0.0)
    assert json.loads(path.read_text(encoding="utf-8"))["how"] == "kept"


def test_bad_direction_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"figures": {"x": {"value": 1, "direction": "up", "tolerance": 0}}}), encoding="utf-8")
    with pytest.raises(ValueError, match="direction"):
        load_baseline(path)
