"""Failures per client address in a sliding minute: failed logins and wrong bearer tokens (429 beyond).

Kept in memory (a restart forgets it). Behind a reverse proxy every client has the proxy's address: the limit is
then shared, which slows a guesser all the same.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_S = 60.0
MAX_CLIENTS = 10_000
"""Beyond this many addresses, idle ones are forgotten so the map cannot grow without bound."""


class RateLimiter:
    """At most ``limit`` counted attempts per client address in any ``WINDOW_S``."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """0 while ``client`` is under the limit, else the seconds until it is again (nothing is counted)."""
        now = self._clock()
        with self._lock:
            times = self._recent(client, now)
            return times[0] + WINDOW_S - now if len(times) >= self._limit else 0.0

    def count(self, client: str) -> None:
        """Count one attempt (a failure, where only failures count)."""
        now = self._clock()
        with self._lock:
            self._recent(client, now).append(now)
            if len(self._seen) > MAX_CLIENTS:
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - WINDOW_S}

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._seen.setdefault(client, deque())
        while times and times[0] <= now - WINDOW_S:
            times.popleft()
        return times
