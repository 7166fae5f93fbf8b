"""CPU time per stage of one camera's analysis: what each analysed frame costs, stage by stage.

A camera's pipeline runs on one thread, so the thread's own CPU clock (``time.thread_time``) tells each
stage's cost even while other cameras and the decoders keep the machine busy: wall time would count their
work too. A detector reached through the batching inference worker runs on the worker's thread; its stage
here is then the pipeline's share only (handing the frame over), and the model's cost is in the worker's
statistics (``InferenceStats.busy_s``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class StageClock:
    """Adds up the calling thread's CPU seconds per named stage, and counts frames.

    Example:
        >>> clock = StageClock()
        >>> with clock.stage("tracker"):
        ...     _ = sum(range(1000))
        >>> clock.frame_done()
        >>> list(clock.ms_per_frame())
        ['tracker']
    """

    def __init__(self) -> None:
        self._cpu_s: dict[str, float] = {}
        self.frames = 0

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.thread_time()
        try:
            yield
        finally:
            self._cpu_s[name] = self._cpu_s.get(name, 0.0) + time.thread_time() - start

    def frame_done(self) -> None:
        self.frames += 1

    def cpu_seconds(self) -> dict[str, float]:
        """A copy of each stage's CPU seconds so far (safe to take from another thread)."""
        return self._cpu_s.copy()

    def ms_per_frame(self) -> dict[str, float]:
        """Each stage's CPU milliseconds per analysed frame, in the order the stages first ran."""
        return {name: 1000.0 * s / max(self.frames, 1) for name, s in self._cpu_s.items()}
