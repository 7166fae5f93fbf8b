"""Event rates with exact Poisson (Garwood) confidence intervals: alerts per camera-hour and the like.

A count of ``k`` events in an exposure of ``T`` (camera-hours) estimates a rate ``k / T``; the 95 % interval is
the exact Garwood interval, the rates ``mu / T`` for which observing ``k`` or more (lower bound) or ``k`` or fewer
(upper bound) events has probability 2.5 %. With ``k = 0`` the lower bound is 0 and the upper bound
``-ln(0.025) / T ≈ 3.69 / T``: no alert in one hour of footage says only that the rate is below 3.69 per hour.

The bounds are usually written with chi-square quantiles (``chi2(a/2, 2k) / 2``, ``chi2(1 - a/2, 2k + 2) / 2``);
scipy is not a dependency of Gwanje, so they are found by bisection on the Poisson CDF, written as the regularised
incomplete gamma function (``P(X <= k; mu) = Q(k + 1, mu)``), evaluated by its series or continued fraction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_EPS = 1e-15
_TINY = 1e-300
_MAX_ITER = 1_000_000
NARROW_RELATIVE_WIDTH = 0.5
"""An interval is narrow enough for a point figure when its width is at most half the rate (about ±25 %);
at 95 % that takes some 60 events."""


def regularized_gamma(a: float, x: float) -> tuple[float, float]:
    """``(P(a, x), Q(a, x))``, the lower and upper regularised incomplete gamma functions (``a > 0``, ``x >= 0``).

    Both are returned because each is computed directly where it is small (no ``1 - p`` cancellation).
    """
    if a <= 0 or x < 0 or math.isnan(x):
        raise ValueError(f"regularized_gamma needs a > 0 and x >= 0, got a={a}, x={x}")
    if x == 0:
        return 0.0, 1.0
    log_front = -x + a * math.log(x) - math.lgamma(a)
    if x < a + 1:  # series for P
        term = total = 1.0 / a
        ap = a
        for _ in range(_MAX_ITER):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * _EPS:
                break
        p = min(1.0, total * math.exp(log_front))
        return p, 1.0 - p
    # continued fraction for Q (modified Lentz)
    b = x + 1 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_ITER):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < _EPS:
            break
    q = min(1.0, math.exp(log_front) * h)
    return 1.0 - q, q


def poisson_cdf(k: int, mu: float) -> float:
    """``P(X <= k)`` for ``X ~ Poisson(mu)``."""
    if k < 0:
        return 0.0
    return regularized_gamma(k + 1, mu)[1]


def _tail(k: int, lower: bool, mu: float) -> float:
    """Lower bound: ``P(X >= k; mu) = P(k, mu)``, increasing in mu; upper: ``P(X <= k; mu) = Q(k + 1, mu)``, decreasing."""
    p, q = regularized_gamma(k + (0 if lower else 1), mu)
    return p if lower else q


def _solve(k: int, lower: bool, target: float, lo: float, hi: float) -> float:
    """The ``mu`` in ``[lo, hi]`` where ``_tail`` crosses ``target`` (bisection to float precision)."""
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if (_tail(k, lower, mid) < target) == lower:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def poisson_interval(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for the mean of a Poisson variable observed as ``count``."""
    if count < 0:
        raise ValueError(f"count must be 0 or more, got {count}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    tail = (1 - confidence) / 2
    hi = count + 10.0 * math.sqrt(count + 1) + 10.0
    while _tail(count, False, hi) > tail:
        hi *= 2
    upper = _solve(count, False, tail, 0.0, hi)
    lower = 0.0 if count == 0 else _solve(count, True, tail, 0.0, float(count))
    return lower, upper


@dataclass(frozen=True)
class RateInterval:
    """``count`` events in ``exposure`` units (hours, camera-hours): the rate and its interval per unit."""

    count: int
    exposure: float
    value: float
    low: float
    high: float
    confidence: float

    @property
    def narrow(self) -> bool:
        """Whether the interval is narrow enough to quote the point figure (``NARROW_RELATIVE_WIDTH``)."""
        return self.count > 0 and self.high - self.low <= NARROW_RELATIVE_WIDTH * self.value

    def as_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high}


def rate_interval(count: int, exposure: float, confidence: float = 0.95) -> RateInterval:
    """The rate ``count / exposure`` with its exact Poisson interval; ``exposure`` must be positive."""
    if not exposure > 0:
        raise ValueError(f"exposure must be positive, got {exposure}")
    low, high = poisson_interval(count, confidence)
    return RateInterval(count, exposure, count / exposure, low / exposure, high / exposure, confidence)


def events_for_narrow_interval(confidence: float = 0.95) -> int:
    """The fewest events whose interval is narrow (``RateInterval.narrow``): how much footage a point figure needs."""
    k = 1
    while True:
        low, high = poisson_interval(k, confidence)
        if high - low <= NARROW_RELATIVE_WIDTH * k:
            return k
        k += 1
