from __future__ import annotations

import itertools
import random

from gwanje.ingest.timing import Backoff, Decimator, Pacer, RateMeter


def test_decimation_keeps_the_analysis_rate_by_pts() -> None:
    decimator = Decimator(5.0)
    kept = [i / 25 for i in range(250) if decimator.keep(i / 25)]  # 10 s at 25 fps
    assert len(kept) == 50
    assert all(abs((b - a) - 0.2) < 1e-6 for a, b in itertools.pairwise(kept))


def test_decimation_follows_time_not_count_on_variable_rate_streams() -> None:
    rng = random.Random(3)
    pts, t = [], 0.0
    for _ in range(2000):  # 10-40 fps jittery camera
        t += rng.uniform(0.025, 0.1)
        pts.append(t)
    decimator = Decimator(4.0)
    kept = sum(decimator.keep(p) for p in pts)
    assert abs(kept - 4.0 * (pts[-1] - pts[0])) <= 2


def test_decimation_restarts_after_a_gap_or_a_jump_back() -> None:
    decimator = Decimator(5.0)
    assert decimator.keep(0.0) and not decimator.keep(0.1)
    assert decimator.keep(30.0)  # gap: keep at once
    assert not decimator.keep(30.1)
    assert decimator.keep(1.0)  # pts went back (new connection): keep at once


def test_backoff_grows_to_the_maximum_with_jitter() -> None:
    backoff = Backoff(1.0, 8.0, random.Random(0))
    delays = [backoff.next_delay() for _ in range(8)]
    assert 0.8 <= delays[0] <= 1.2 and 1.6 <= delays[1] <= 2.4
    assert all(6.4 <= d <= 9.6 for d in delays[4:])
    backoff.reset()
    assert backoff.next_delay() <= 1.2


def test_pacer_waits_for_the_pts_and_resyncs_when_far_behind() -> None:
    pacer = Pacer()
    assert pacer.delay(10.0, now_mono=100.0) == 0.0
    assert abs(pacer.delay(10.5, now_mono=100.1) - 0.4) < 1e-9
    assert pacer.delay(11.0, now_mono=105.0) == 0.0  # 4 s late: re-anchor instead of bursting


def test_rate_meter_counts_events_per_second_in_its_window() -> None:
    meter = RateMeter(window_s=5.0)
    for i in range(51):
        meter.tick(i * 0.1)
    assert abs(meter.rate(5.0) - 10.0) < 0.5
    assert meter.rate(60.0) == 0.0
