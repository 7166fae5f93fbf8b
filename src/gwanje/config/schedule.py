"""Weekly time windows during which a rule or a camera is armed."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from gwanje.config.base import GwanjeModel

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ScheduleWindow(GwanjeModel):
    """Armed from ``start`` to ``end`` (local time, HH:MM) on the given days; a window may cross midnight."""

    days: list[Weekday] = Field(default_factory=lambda: list(WEEKDAYS), description="Days the window starts on.")
    start: dt.time = Field(default=dt.time(0, 0), description="Start, HH:MM local time.")
    end: dt.time = Field(default=dt.time(23, 59, 59), description="End, HH:MM local time; before start means next day.")

    @model_validator(mode="after")
    def _not_empty(self) -> ScheduleWindow:
        if not self.days:
            raise ValueError("a schedule window needs at least one day")
        if self.start == self.end:
            raise ValueError("start and end are equal: the window would be empty")
        return self

    def contains(self, when: dt.datetime) -> bool:
        t = when.time()
        today = WEEKDAYS[when.weekday()]
        yesterday = WEEKDAYS[(when.weekday() - 1) % 7]
        if self.start < self.end:
            return today in self.days and self.start <= t < self.end
        # crosses midnight: the part after start today, or the part before end that began yesterday
        return (today in self.days and t >= self.start) or (yesterday in self.days and t < self.end)


class Schedule(GwanjeModel):
    """A list of windows; empty means always armed."""

    windows: list[ScheduleWindow] = Field(default_factory=list)
    timezone: str | None = Field(
        default=None, description="IANA time zone, e.g. Asia/Seoul; default: the machine's local time."
    )

    def is_active(self, unix_time: float) -> bool:
        if not self.windows:
            return True
        if self.timezone:
            from zoneinfo import ZoneInfo

            when = dt.datetime.fromtimestamp(unix_time, ZoneInfo(self.timezone))
        else:
            when = dt.datetime.fromtimestamp(unix_time)
        return any(w.contains(when) for w in self.windows)
