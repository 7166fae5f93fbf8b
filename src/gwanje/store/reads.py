"""Unread per reader (``Store.reads``): an alert is unread for a reader until that reader opens it or marks all read.

A reader is a web user's name (or an API token's). Opening an alert stores one row; "mark all read" moves the
reader's mark to now, so every alert stored until then is read for them (and their rows before it are dropped). A
web user's mark starts when the user is created: the alerts from before they existed are not unread for them. A
reader without a mark (an API token) has every alert it has not opened unread.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import and_, delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gwanje.core.clock import Clock
from gwanje.store.models import EventReadRow, EventRow, ReadMarkRow, UserRow


class ReadStore:
    """Thread-safe like ``Store``: each method runs in its own short transaction."""

    def __init__(self, session: Callable[[], AbstractContextManager[Session]], clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def mark_read(self, reader: str, event_id: str) -> None:
        """``event_id`` is read for ``reader`` (again: nothing changes). The event must exist."""
        try:
            with self._session() as s:
                if s.get(EventReadRow, (reader, event_id)) is None:
                    s.add(EventReadRow(reader=reader, event_id=event_id, read_at=self._clock.time()))
        except IntegrityError:  # the same reader opened it twice at once: it is read either way
            pass

    def mark_all_read(self, reader: str) -> None:
        """Every alert stored until now is read for ``reader``."""
        now = self._clock.time()
        with self._session() as s:
            mark = s.get(ReadMarkRow, reader)
            if mark is None:
                s.add(ReadMarkRow(reader=reader, read_before=now))
            else:
                mark.read_before = now
            stored_before = select(EventRow.id).where(EventRow.created_at <= now)
            s.execute(
                delete(EventReadRow).where(EventReadRow.reader == reader, EventReadRow.event_id.in_(stored_before))
            )

    def unread(self, reader: str, event_ids: Iterable[str]) -> set[str]:
        """Which of these events are unread for ``reader``."""
        ids = sorted(set(event_ids))
        if not ids:
            return set()
        with self._session() as s:
            query = select(EventRow.id).where(EventRow.id.in_(ids), self._unread(s, reader))
            return set(s.scalars(query))

    def count_unread(self, reader: str, camera_ids: Collection[str] | None = None) -> int:
        """How many alerts are unread for ``reader`` (``camera_ids``: among these cameras only; None: all)."""
        with self._session() as s:
            query = select(func.count()).select_from(EventRow).where(self._unread(s, reader))
            if camera_ids is not None:
                query = query.where(EventRow.camera_id.in_(sorted(camera_ids)))
            return int(s.execute(query).scalar_one())

    def _unread(self, s: Session, reader: str) -> Any:
        """The condition on ``EventRow``: stored after the reader's mark and not opened by them."""
        mark = s.scalar(select(ReadMarkRow.read_before).where(ReadMarkRow.reader == reader))
        if mark is None:
            mark = s.scalar(select(UserRow.created_at).where(UserRow.name == reader))
        not_opened = ~exists().where(EventReadRow.reader == reader, EventReadRow.event_id == EventRow.id)
        return not_opened if mark is None else and_(EventRow.created_at > mark, not_opened)
