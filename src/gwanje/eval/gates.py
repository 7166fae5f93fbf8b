"""Quality gates: compare the figures of ``gwanje.eval.gate_figures`` with a committed baseline.

The baseline (``tests/data/quality_baseline.json``) holds, per figure, its value, its direction (``higher`` or
``lower`` is better) and its tolerance, the noise measured over repeated runs. A figure is a regression when it is
worse than the baseline by more than its tolerance, or when it is missing. ``tests/test_quality_gates.py`` fails
CI on any regression. Refresh the baseline, as a reviewed change, with
``python -m gwanje.eval.gates --write tests/data/quality_baseline.json`` (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Direction = Literal["higher", "lower"]
EPSILON = 1e-9
"""Slack for float rounding, so that a figure exactly at its tolerance passes."""


@dataclass(frozen=True)
class Gate:
    value: float
    direction: Direction
    tolerance: float
    note: str = ""


@dataclass(frozen=True)
class Regression:
    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


def compare(current: Mapping[str, float], baseline: Mapping[str, Gate]) -> list[Regression]:
    """Each baseline figure that is missing from ``current`` or worse than its baseline beyond its tolerance."""
    out: list[Regression] = []
    for name, gate in sorted(baseline.items()):
        if name not in current:
            out.append(Regression(name, "missing from the current figures"))
            continue
        value = current[name]
        worse_by = gate.value - value if gate.direction == "higher" else value - gate.value
        if not worse_by <= gate.tolerance + EPSILON:  # also catches NaN
            out.append(
                Regression(
                    name,
                    f"{value:g} is worse than the baseline {gate.value:g} by {worse_by:g} "
                    f"({gate.direction} is better, tolerance {gate.tolerance:g})",
                )
            )
    return out


def load_baseline(path: Path) -> dict[str, Gate]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    gates: dict[str, Gate] = {}
    for name, entry in raw["figures"].items():
        direction = entry["direction"]
        if direction not in ("higher", "lower"):
            raise ValueError(f"{path}: {name}: direction must be 'higher' or 'lower', got {direction!r}")
        tolerance = float(entry["tolerance"])
        if tolerance < 0:
            raise ValueError(f"{path}: {name}: tolerance must not be negative")
        gates[name] = Gate(float(entry["value"]), direction, tolerance, str(entry.get("note", "")))
    return gates


def write_baseline(path: Path, current: Mapping[str, float], previous: Mapping[str, Gate]) -> None:
    """New values for every figure; directions, tolerances and notes are kept from ``previous`` (edit them by
    hand). A figure new to the baseline gets direction ``lower`` and tolerance 0, to be set in review."""
    raw = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    figures = {}
    for name, value in sorted(current.items()):
        old = previous.get(name, Gate(value, "lower", 0.0))
        figures[name] = {"value": value, "direction": old.direction, "tolerance": old.tolerance, "note": old.note}
    raw["figures"] = figures
    path.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    from gwanje.eval.gate_figures import compute_figures

    parser = argparse.ArgumentParser(prog="python -m gwanje.eval.gates", description=__doc__.splitlines()[0])
    parser.add_argument("baseline", nargs="?", default="tests/data/quality_baseline.json", help="baseline JSON")
    parser.add_argument("--write", action="store_true", help="write the current figures as the new baseline")
    args = parser.parse_args(argv)
    path = Path(args.baseline)
    previous = load_baseline(path) if path.exists() else {}
    current = compute_figures()
    for name, value in sorted(current.items()):
        print(
            f"{name:<32} {value:>10g}   baseline {previous[name].value:g}" if name in previous else f"{name} {value:g}"
        )
    if args.write:
        write_baseline(path, current, previous)
        print(f"wrote {path} (a reviewed change: say in the commit why the figures moved)")
        return 0
    regressions = compare(current, previous)
    for r in regressions:
        print(f"REGRESSION {r}")
    return 1 if regressions else 0


if __name__ == "__main__":
    raise SystemExit(main())
