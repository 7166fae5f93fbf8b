"""Percentiles and delay summaries (time to alert, latency): the median and 95th percentile of a set of seconds.

Empty sets give ``None``, not 0: "no alert at all" must not read as "alerted at once".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100, linear interpolation as numpy), None for no values."""
    return None if not len(values) else float(np.percentile(np.asarray(values, float), q))


@dataclass(frozen=True)
class DelaySummary:
    n: int
    median: float | None
    p95: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {"n": self.n, "median": self.median, "p95": self.p95}


def summarize_delays(values: Sequence[float]) -> DelaySummary:
    return DelaySummary(n=len(values), median=percentile(values, 50), p95=percentile(values, 95))


class Delays:
    """Accumulates delays in seconds (time to alert, per-call latency); ``compute()`` summarises them."""

    def __init__(self) -> None:
        self._values: list[float] = []

    def update(self, seconds: float | Iterable[float]) -> Delays:
        """Add one delay or several; returns self so calls chain."""
        if isinstance(seconds, int | float):
            self._values.append(float(seconds))
        else:
            self._values.extend(float(s) for s in seconds)
        return self

    @property
    def values(self) -> list[float]:
        return list(self._values)

    def reset(self) -> None:
        self._values.clear()

    def compute(self) -> DelaySummary:
        return summarize_delays(self._values)
