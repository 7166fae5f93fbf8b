"""The verdict of a soak run: does memory, do file handles or threads grow with the work done?

Each resource is fitted with a least-squares line against the camera-hours analysed, over the second half of the run
(by wall time: the first half is warm-up, when model arenas, caches and the clip ring buffers fill). The line's slope,
times the camera-hours of the whole run, is the growth the run would show if it leaked at that rate from the start:

* memory (RSS) fails when that growth is more than ``rss_pct`` % of the resident size at the middle of the run *and*
  more than ``rss_mb`` MB (so a short run's noise of a few MB is not a leak, and a long run's slow leak is);
* file descriptors and threads fail when that growth is ``fds`` / ``threads`` or more *and* their floor rose (the
  fewest seen in the last quarter of the samples is above the fewest in the first quarter of the fitted half): a
  clip being encoded opens a file and a thread for a moment; a leak never gives them back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass


class TooFewSamples(ValueError):
    """The run was too short, or sampled too rarely, to fit a line after warm-up."""


@dataclass(frozen=True)
class Sample:
    """One reading of the soaked process and its store."""

    t_s: float
    """Wall seconds since the cameras started."""
    camera_hours: float
    """Analysis frames handled by all cameras (analysed or kept away by the motion gate) / analysis fps / 3600."""
    video_hours_decoded: float
    rss_mb: float
    fds: int
    threads: int
    db_bytes: int
    events: int
    outbox: int
    outbox_pending: int
    media_bytes: int
    frames_skipped: int

    def row(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True)
class Tolerance:
    rss_pct: float = 5.0
    rss_mb: float = 20.0
    fds: float = 2.0
    threads: float = 2.0


@dataclass(frozen=True)
class Growth:
    resource: str
    unit: str
    level: float
    """The fitted value at the start of the fitted half."""
    slope_per_camera_hour: float
    run_growth: float
    """``slope_per_camera_hour`` x the run's camera-hours."""
    limit: float
    floor_rose: bool
    grows: bool


def fit_line(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares (intercept, slope); slope 0 when the xs do not spread."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx <= 0.0:
        return my, 0.0
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return my - slope * mx, slope


def steady_half(samples: Sequence[Sample]) -> list[Sample]:
    """The samples of the second half of the run by wall time (after warm-up)."""
    if not samples:
        return []
    middle = samples[-1].t_s / 2.0
    return [s for s in samples if s.t_s >= middle]


def _floor_rose(values: Sequence[float]) -> bool:
    quarter = max(1, len(values) // 4)
    return min(values[-quarter:]) > min(values[:quarter])


def judge(samples: Sequence[Sample], tolerance: Tolerance) -> list[Growth]:
    """The growth of RSS, fds and threads over the second half, each with its verdict (at least 4 samples there)."""
    half = steady_half(samples)
    if len(half) < 4:
        raise TooFewSamples(f"{len(half)} samples after warm-up; at least 4 are needed (sample more often, run longer)")
    xs = [s.camera_hours for s in half]
    total = samples[-1].camera_hours
    out = []
    for resource, unit in (("rss_mb", "MB"), ("fds", "fds"), ("threads", "threads")):
        ys = [float(getattr(s, resource)) for s in half]
        intercept, slope = fit_line(xs, ys)
        level = intercept + slope * xs[0]
        growth = slope * total
        rose = _floor_rose(ys)
        if resource == "rss_mb":
            limit = max(tolerance.rss_pct / 100.0 * level, tolerance.rss_mb)
            grows = growth > limit
        else:
            limit = tolerance.fds if resource == "fds" else tolerance.threads
            grows = growth >= limit and rose
        out.append(Growth(resource, unit, level, slope, growth, limit, rose, grows))
    return out


def describe(growth: Growth) -> str:
    verdict = "GROWS" if growth.grows else "flat"
    floor = ", floor rose" if growth.floor_rose else ""
    return (
        f"{growth.resource:<8} {verdict:<5} level {growth.level:8.1f} {growth.unit}, "
        f"slope {growth.slope_per_camera_hour:+9.2f} {growth.unit}/camera-hour, "
        f"over the run {growth.run_growth:+8.1f} {growth.unit} (limit {growth.limit:.1f}{floor})"
    )
