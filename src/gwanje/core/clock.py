"""Injectable time, so state machines can be tested without sleeping."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Source of wall time (UNIX seconds) and monotonic time."""

    def time(self) -> float: ...

    def monotonic(self) -> float: ...


class RealClock:
    """The system clock."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that only moves when told to; for tests and for replaying files."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._wall = start
        self._mono = 0.0

    def time(self) -> float:
        return self._wall

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"FakeClock.advance needs a non-negative number of seconds, got {seconds}")
        self._wall += seconds
        self._mono += seconds
