"""The alert feed's filters as they travel in the URL (so a filtered, paged feed can be bookmarked and shared).

Every filter is optional; a value that cannot be understood is dropped (and the page says so) rather than refused.
Times come from ``<input type=datetime-local>`` and are read in the server's time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any

from starlette.datastructures import QueryParams

from gwanje.core.events import EventType
from gwanje.store.records import OperatorStatus

PAGE_SIZE = 50
MAX_SEARCH = 200


@dataclass(frozen=True)
class FeedFilters:
    camera: str = ""
    type: str = ""
    status: str = ""
    since: str = ""
    until: str = ""
    min_conf: str = ""
    """Percent, 0 to 100."""
    q: str = ""
    """A search: part of a camera's id or name, a zone, a label or a note, or the start of an alert's id."""

    @classmethod
    def parse(cls, params: QueryParams, cameras: list[str]) -> tuple[FeedFilters, bool]:
        """The filters of a query string, and whether any value was dropped as not understood."""
        given = {f.name: params.get(f.name, "").strip() for f in fields(cls)}
        valid = {
            "camera": lambda v: v in cameras,
            "type": lambda v: v in {str(t) for t in EventType},
            "status": lambda v: v in {str(s) for s in OperatorStatus},
            "since": lambda v: _time(v) is not None,
            "until": lambda v: _time(v) is not None,
            "min_conf": lambda v: _percent(v) is not None,
            "q": lambda v: len(v) <= MAX_SEARCH,
        }
        kept = {name: value for name, value in given.items() if value and valid[name](value)}
        dropped = any(value and name not in kept for name, value in given.items())
        return replace(cls(), **kept), dropped

    def store_filters(self, camera_names: dict[str, str]) -> dict[str, Any]:
        """Keyword arguments of ``Store.list_events`` / ``count_events``; the search also finds the cameras whose name
        (``camera_names``: id to name) contains it."""
        percent = _percent(self.min_conf)
        needle = self.q.casefold()
        return {
            "text": self.q or None,
            "text_cameras": [cam for cam, name in camera_names.items() if needle and needle in name.casefold()],
            "camera_id": self.camera or None,
            "event_type": self.type or None,
            "status": self.status or None,
            "since": _time(self.since),
            "until": _time(self.until),
            "min_confidence": None if percent is None else percent / 100,
        }

    def query(self) -> dict[str, str]:
        """The filters that are set, for links (the pager's) that keep them."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def _time(text: str) -> float | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text).timestamp()  # no zone: the server's
    except ValueError:
        return None


def _percent(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def page_number(params: QueryParams) -> int:
    try:
        return max(1, int(params.get("page", "1")))
    except ValueError:
        return 1
