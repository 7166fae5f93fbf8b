"""When to try a failed delivery again: exponential backoff with jitter, bounded, with a give-up age."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from gwanje.config.alerts import AlertsConfig


@dataclass(frozen=True)
class RetryPolicy:
    """Delays grow 1x, 2x, 4x ... from ``initial_s`` up to ``max_s``; jitter spreads retries of many messages."""

    initial_s: float
    max_s: float
    give_up_after_s: float
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not 0 < self.initial_s <= self.max_s:
            raise ValueError(f"retry delays need 0 < initial ({self.initial_s}) <= max ({self.max_s})")
        if self.give_up_after_s <= 0:
            raise ValueError(f"give_up_after_s must be positive, got {self.give_up_after_s}")

    @classmethod
    def from_config(cls, config: AlertsConfig) -> RetryPolicy:
        return cls(config.retry_initial_s, config.retry_max_s, config.give_up_after_s)

    def delay(self, attempts: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt, within [initial_s, max_s].

        The delay is drawn from the upper half of the exponential step ("equal jitter"), never
        below ``initial_s``; a receiver's Retry-After is honoured up to ``max_s``.
        """
        step = min(self.max_s, self.initial_s * 2.0 ** min(max(attempts - 1, 0), 60))
        delay = max(self.initial_s, self.rng.uniform(step / 2.0, step))
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, self.max_s))
        return delay
