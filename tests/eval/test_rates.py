"""Exact Poisson (Garwood) intervals of event rates, computed without scipy."""

from __future__ import annotations

import math

import pytest

from gwanje.eval.metrics import events_for_narrow_interval, poisson_interval, rate_interval
from gwanje.eval.metrics.rates import poisson_cdf, regularized_gamma


def _cdf_by_sum(k: int, mu: float) -> float:
    return sum(math.exp(-mu + i * math.log(mu) - math.lgamma(i + 1)) for i in range(k + 1))


@pytest.mark.parametrize(("k", "mu"), [(0, 0.5), (3, 2.0), (10, 10.0), (10, 25.0), (40, 30.0), (5, 0.01)])
def test_poisson_cdf_matches_the_direct_sum(k: int, mu: float) -> None:
    assert poisson_cdf(k, mu) == pytest.approx(_cdf_by_sum(k, mu), rel=1e-10, abs=1e-300)


def test_regularized_gamma_halves_add_up_and_known_values() -> None:
    for a, x in ((0.5, 0.3), (2.0, 1.0), (7.0, 12.0), (300.0, 280.0)):
        p, q = regularized_gamma(a, x)
        assert p + q == pytest.approx(1.0, abs=1e-12)
    assert regularized_gamma(1.0, 2.0)[1] == pytest.approx(math.exp(-2.0), rel=1e-12)  # Q(1, x) = e^-x
    assert regularized_gamma(0.5, 1.0)[0] == pytest.approx(math.erf(1.0), rel=1e-12)  # P(1/2, x) = erf(sqrt x)
    with pytest.raises(ValueError):
        regularized_gamma(0.0, 1.0)


def test_zero_events_give_the_rule_of_three_point_seven() -> None:
    low, high = poisson_interval(0)
    assert low == 0.0
    assert high == pytest.approx(-math.log(0.025), rel=1e-12)  # 3.689
    r = rate_interval(0, 10.0)  # no alert in 10 camera-hours
    assert (r.value, r.low) == (0.0, 0.0)
    assert r.high == pytest.approx(0.3689, abs=1e-4)
    assert not r.narrow


@pytest.mark.parametrize(
    ("k", "low", "high"),
    # exact 95 % limits of a Poisson count (Garwood 1936): chi-square quantiles / 2, to four figures
    [(1, 0.0253, 5.5716), (2, 0.2422, 7.2247), (5, 1.6235, 11.6683), (10, 4.7954, 18.3904), (100, 81.364, 121.627)],
)
def test_garwood_limits_match_the_published_table(k: int, low: float, high: float) -> None:
    got_low, got_high = poisson_interval(k)
    assert got_low == pytest.approx(low, abs=1e-3)
    assert got_high == pytest.approx(high, abs=1e-3)


@pytest.mark.parametrize("k", [0, 1, 3, 17, 250, 5000])
def test_the_bounds_leave_two_and_a_half_percent_in_each_tail(k: int) -> None:
    low, high = poisson_interval(k)
    assert poisson_cdf(k, high) == pytest.approx(0.025, rel=1e-8)
    if k:
        assert 1 - poisson_cdf(k - 1, low) == pytest.approx(0.025, rel=1e-6)


def test_matches_chi_square_quantiles_when_scipy_is_there() -> None:
    chi2 = pytest.importorskip("scipy.stats").chi2
    for k in (0, 1, 4, 30, 999):
        low, high = poisson_interval(k, 0.9)
        assert high == pytest.approx(chi2.ppf(0.95, 2 * k + 2) / 2, rel=1e-9)
        assert low == pytest.approx(0.0 if k == 0 else chi2.ppf(0.05, 2 * k) / 2, rel=1e-9, abs=1e-12)


def test_more_hours_at_the_same_rate_narrow_the_interval() -> None:
    short = rate_interval(2, 1.0)
    long = rate_interval(200, 100.0)
    assert short.value == long.value == 2.0
    assert short.low < long.low < long.value < long.high < short.high
    assert (long.high - long.low) < (short.high - short.low) / 5
    assert long.narrow and not short.narrow
    assert short.as_dict() == {"value": 2.0, "low": short.low, "high": short.high}


def test_events_for_a_narrow_interval() -> None:
    k = events_for_narrow_interval()
    assert rate_interval(k, 1.0).narrow
    assert not rate_interval(k - 1, 1.0).narrow
    assert 50 < k < 80  # about (2 * 1.96 / 0.5) ** 2 = 61 by the normal approximation


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        poisson_interval(-1)
    with pytest.raises(ValueError):
        poisson_interval(3, 1.0)
    with pytest.raises(ValueError):
        rate_interval(3, 0.0)
