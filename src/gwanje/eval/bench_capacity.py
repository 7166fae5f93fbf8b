"""How many cameras this machine sustains in real time: run N cameras for a while, check, grow N, bisect.

A run of N cameras is sustained when, on every camera, fewer than 1 % of the analysis frames that fell due
were not analysed (dropped by the latest-frame buffer or never decoded in time) and the decoder is not
falling behind the stream's clock (no growing backlog). The runner that plays N cameras is given to
:func:`find_capacity`, so a test can give it a fake stage of known cost.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_DROPPED = 0.01
MAX_BACKLOG_S = 1.0


@dataclass(frozen=True)
class CameraRun:
    """One camera over the measured window."""

    due: int
    """Analysis frames that fell due (window length x analysis fps)."""
    analysed: int
    """Analysis frames the camera's consumer handled (detectors run or skipped by the motion gate)."""
    backlog_s: float = 0.0
    """How far the camera's decoding lagged behind the stream's clock at the end of the window."""

    @property
    def dropped_fraction(self) -> float:
        # one frame of slack: where the window starts and ends between two frames is chance
        return max(0, self.due - self.analysed - 1) / max(self.due, 1)


@dataclass(frozen=True)
class Trial:
    """N cameras run together for ``wall_s`` seconds."""

    cameras: int
    runs: list[CameraRun]
    wall_s: float
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    stage_ms: dict[str, float] = field(default_factory=dict)
    alert_latencies_s: list[float] = field(default_factory=list)
    """Onset (a generated event's known time) to its alert leaving the outbox, for each alert received."""

    @property
    def dropped_fraction(self) -> float:
        """The worst camera's share of dropped analysis frames."""
        return max((r.dropped_fraction for r in self.runs), default=1.0)

    @property
    def backlog_s(self) -> float:
        return max((r.backlog_s for r in self.runs), default=0.0)

    @property
    def cpu_percent_per_camera(self) -> float:
        """Process CPU time over wall time, per camera, in % of one core."""
        return 100.0 * self.cpu_s / max(self.wall_s, 1e-9) / max(self.cameras, 1)

    def sustained(self, max_dropped: float = MAX_DROPPED, max_backlog_s: float = MAX_BACKLOG_S) -> bool:
        return (
            len(self.runs) == self.cameras and self.dropped_fraction < max_dropped and self.backlog_s <= max_backlog_s
        )


RunCameras = Callable[[int], Trial]
"""Plays N cameras for the configured time and reports what each did."""


@dataclass(frozen=True)
class Capacity:
    cameras: int
    """The largest N found sustained (0: not even one camera)."""
    trials: list[Trial]
    """Every run, in the order they were made."""


def find_capacity(
    run: RunCameras,
    max_cameras: int = 64,
    progress: Callable[[Trial, bool], None] | None = None,
    max_dropped: float = MAX_DROPPED,
    max_backlog_s: float = MAX_BACKLOG_S,
    confirm: int = 1,
) -> Capacity:
    """The largest N <= ``max_cameras`` that ``run`` sustains: double N from 1 until a run fails, then bisect
    between the last success and the first failure. Assumes more cameras never make it easier.

    On a busy machine a count at the limit passes or fails one trial by chance, so the count found is run
    ``confirm`` more times; when one of those fails, the next lower count is tried the same way (each a
    fresh trial, all in ``trials``), so the answer is a count that passed every time it was run (0 turns the
    confirmation off)."""
    trials: list[Trial] = []

    def ok(n: int) -> bool:
        trial = run(n)
        good = trial.sustained(max_dropped, max_backlog_s)
        trials.append(trial)
        if progress is not None:
            progress(trial, good)
        return good

    good, bad = 0, max_cameras + 1
    n = 1
    while n <= max_cameras:
        if not ok(n):
            bad = n
            break
        good = n
        n = min(n * 2, max_cameras) if n < max_cameras else max_cameras + 1
    while bad - good > 1:
        mid = (good + bad) // 2
        if ok(mid):
            good = mid
        else:
            bad = mid
    while good > 0 and not all(ok(good) for _ in range(confirm)):
        good -= 1  # never failed before: a failure there would have ended the search below it
    return Capacity(good, trials)


def fake_stage_runner(cost_ms: float, workers: int, analysis_fps: float, seconds: float) -> RunCameras:
    """A stand-in for the camera pipeline with a known cost: each of N camera threads takes the newest due
    frame every 1/``analysis_fps`` s (frames that fell due while it was busy are dropped, as the reader's
    latest-frame buffer does) and holds one of ``workers`` slots for ``cost_ms`` (sleeping, so the result does
    not depend on this machine's load). It sustains ``workers * 1000 / (cost_ms * analysis_fps)`` cameras."""

    def run(n: int) -> Trial:
        slots = threading.Semaphore(workers)
        results: list[CameraRun] = []
        lock = threading.Lock()
        start = time.monotonic() + 0.05
        end = start + seconds
        interval = 1.0 / analysis_fps

        def camera(offset: float) -> None:
            analysed, last_due = 0, -1
            while True:
                now = time.monotonic()
                if now >= end:
                    break
                index = int((now - start - offset) // interval)
                if index <= last_due:
                    time.sleep(start + offset + (last_due + 1) * interval - now)
                    continue
                last_due = index
                with slots:
                    time.sleep(cost_ms / 1000.0)
                analysed += 1
            due = int((end - start - offset) // interval) + 1
            with lock:
                results.append(CameraRun(due=due, analysed=analysed))

        threads = [threading.Thread(target=camera, args=(interval * i / n,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return Trial(n, results, seconds)

    return run
