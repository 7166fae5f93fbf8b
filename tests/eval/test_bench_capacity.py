"""The camera-count search of `gwanje bench --out`: against stages of known cost it finds the known count."""

from __future__ import annotations

import pytest

from gwanje.eval.bench_capacity import CameraRun, RunCameras, Trial, fake_stage_runner, find_capacity


def analytic_runner(capacity: float, calls: list[int]) -> RunCameras:
    """N cameras on a stage that analyses ``capacity`` cameras' frames: the rest is dropped evenly."""

    def run(n: int) -> Trial:
        calls.append(n)
        due = 1000
        analysed = due if n <= capacity else int(due * capacity / n)
        return Trial(n, [CameraRun(due=due, analysed=analysed) for _ in range(n)], 1.0)

    return run


@pytest.mark.parametrize("capacity", [0.5, 1.0, 3.0, 7.9, 8.0, 13.5, 40.0])
def test_the_search_finds_the_largest_sustained_count(capacity: float) -> None:
    calls: list[int] = []
    found = find_capacity(analytic_runner(capacity, calls), max_cameras=64)
    assert found.cameras == int(capacity)
    assert len(calls) <= 2 * 7  # doubling then bisecting, never a linear scan
    assert [t.cameras for t in found.trials] == calls


def test_the_search_stops_at_the_limit() -> None:
    found = find_capacity(analytic_runner(100.0, []), max_cameras=10)
    assert found.cameras == 10


def test_a_growing_backlog_is_not_sustained() -> None:
    trial = Trial(1, [CameraRun(due=100, analysed=100, backlog_s=3.0)], 20.0)
    assert not trial.sustained()
    assert Trial(1, [CameraRun(due=100, analysed=99)], 20.0).sustained()  # one frame of slack at the edges
    assert not Trial(1, [CameraRun(due=100, analysed=97)], 20.0).sustained()


def test_cpu_percent_is_per_camera() -> None:
    assert Trial(4, [], 10.0, cpu_s=8.0).cpu_percent_per_camera == pytest.approx(20.0)


def test_the_search_finds_the_count_of_a_threaded_fake_stage_of_known_cost() -> None:
    # 2 workers, 35 ms a frame, 10 fps a camera: 2 * 1000 / (35 * 10) = 5.7 cameras, so 5 are sustained
    seen: list[tuple[int, bool]] = []
    found = find_capacity(
        fake_stage_runner(cost_ms=35.0, workers=2, analysis_fps=10.0, seconds=1.5),
        max_cameras=16,
        progress=lambda trial, ok: seen.append((trial.cameras, ok)),
    )
    assert found.cameras in (4, 5, 6)
    assert seen[0] == (1, True)
    assert (8, False) in seen


def lucky_runner(capacity: int, lucky: dict[int, int], calls: list[int]) -> RunCameras:
    """Sustains ``capacity`` cameras, and also passes the first ``lucky[n]`` runs of a larger count n by chance."""

    def run(n: int) -> Trial:
        calls.append(n)
        passes = n <= capacity or calls.count(n) <= lucky.get(n, 0)
        return Trial(n, [CameraRun(due=100, analysed=100 if passes else 50) for _ in range(n)], 1.0)

    return run


def test_a_count_that_passed_by_chance_is_not_reported_when_it_fails_its_confirmation() -> None:
    calls: list[int] = []
    found = find_capacity(lucky_runner(7, {8: 1}, calls), max_cameras=16)
    assert found.cameras == 7
    assert calls == [1, 2, 4, 8, 16, 12, 10, 9, 8, 7]  # 8 passed its search run, failed its confirmation


def test_every_confirmation_run_must_pass() -> None:
    calls: list[int] = []
    found = find_capacity(lucky_runner(5, {6: 2}, calls), max_cameras=6, confirm=2)
    assert found.cameras == 5
    assert calls[-4:] == [6, 6, 5, 5]


def test_without_confirmation_one_lucky_run_decides() -> None:
    found = find_capacity(lucky_runner(7, {8: 1}, []), max_cameras=16, confirm=0)
    assert found.cameras == 8
