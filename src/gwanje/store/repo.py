"""``Store``: the one object the rest of Gwanje uses to read and write the database."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypedDict, Unpack

from sqlalchemy import Engine, Select, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from gwanje.config.store import StoreConfig
from gwanje.core.clock import Clock, RealClock
from gwanje.core.errors import StorageError
from gwanje.core.events import EndReason, Event, EventState, EventType, Severity
from gwanje.core.secrets import mask_url
from gwanje.store.accounts import AccountStore
from gwanje.store.audit import ChainReport, append_entry, verify_chain
from gwanje.store.db import create_db_engine, upgrade_to_head
from gwanje.store.groups import GroupStore
from gwanje.store.models import AuditRow, CameraRow, EventActionRow, EventRow
from gwanje.store.reads import ReadStore
from gwanje.store.records import (
    ActionRecord,
    AuditRecord,
    CameraRecord,
    EventRecord,
    OperatorAction,
    OperatorStatus,
    UnknownEvent,
    check_transition,
    jsonable,
)

log = logging.getLogger(__name__)

MAX_PAGE = 1000
MAX_OFFSET = 1_000_000_000
"""Deepest page start accepted (far below the 64-bit integers SQLite and PostgreSQL take)."""


def _event_values(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "camera_id": event.camera_id,
        "event_type": str(event.event_type),
        "state": str(event.state),
        "severity": str(event.severity),
        "start_time": float(event.start_time),
        "end_time": None if event.end_time is None else float(event.end_time),
        "start_pts_s": float(event.start_pts_s),
        "end_pts_s": None if event.end_pts_s is None else float(event.end_pts_s),
        "peak_confidence": float(event.peak_confidence),
        "peak_time": float(event.peak_time),
        "boxes": jsonable([list(b) for b in event.boxes]),
        "frame_width": int(event.frame_size[0]),
        "frame_height": int(event.frame_size[1]),
        "zone": event.zone,
        "label": event.label,
        "key": event.key,
        "snapshot_path": event.snapshot_path,
        "clip_path": event.clip_path,
        "details": jsonable(event.details),
    }


def _to_record(row: EventRow) -> EventRecord:
    event = Event(
        id=row.id,
        camera_id=row.camera_id,
        event_type=EventType(row.event_type),
        state=EventState(row.state),
        start_time=row.start_time,
        start_pts_s=row.start_pts_s,
        end_time=row.end_time,
        end_pts_s=row.end_pts_s,
        peak_confidence=row.peak_confidence,
        peak_time=row.peak_time,
        severity=Severity(row.severity),
        boxes=[(float(b[0]), float(b[1]), float(b[2]), float(b[3])) for b in row.boxes],
        frame_size=(row.frame_width, row.frame_height),
        zone=row.zone,
        label=row.label,
        key=row.key,
        snapshot_path=row.snapshot_path,
        clip_path=row.clip_path,
        details=dict(row.details),
    )
    return EventRecord(event, OperatorStatus(row.status), row.created_at, row.updated_at)


def _page(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE}, got {limit}")
    if not 0 <= offset <= MAX_OFFSET:
        raise ValueError(f"offset must be between 0 and {MAX_OFFSET}, got {offset}")
    return limit, offset


class EventFilters(TypedDict, total=False):
    """Which events ``list_events`` and ``count_events`` take; a filter left out (or None) does not filter."""

    camera_id: str | None
    event_type: str | None
    since: float | None
    """UNIX seconds: events active at some time between ``since`` and ``until``."""
    until: float | None
    state: str | None
    status: str | None
    min_confidence: float | None
    """Peak confidence at least this (0..1)."""
    camera_ids: Collection[str] | None
    """Only these cameras (the ones the caller may see); None: all."""
    text: str | None
    """A search (``_text_match``), also matching the cameras of ``text_cameras`` (e.g. found by their names)."""
    text_cameras: Collection[str]


class Store:
    """Events, operator actions, cameras and the audit log, in SQLite or PostgreSQL.

    Thread-safe: every method uses its own short session. ``Store.open`` migrates the database
    to the newest schema first, so a new version of Gwanje upgrades an old database by starting.
    """

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self._engine = engine
        self._clock = clock or RealClock()
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.accounts = AccountStore(self.session, self._clock)
        """Web users and their sessions."""
        self.groups = GroupStore(self.session, self._clock)
        """Camera groups: which cameras a user below admin may see."""
        self.reads = ReadStore(self.session, self._clock)
        """Unread alerts per reader (web user or token)."""

    @classmethod
    def open(cls, cfg: StoreConfig, clock: Clock | None = None) -> Store:
        engine = create_db_engine(cfg)
        try:
            upgrade_to_head(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, clock)

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def clock(self) -> Clock:
        """The clock rows are stamped with (lock-outs and sessions are compared against it)."""
        return self._clock

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed when the block ends normally and rolled back on an exception.

        A database that cannot be written (disk full, server gone, lock timeout) raises StorageError.
        """
        try:
            with self._sessions() as session, session.begin():
                yield session
        except OperationalError as exc:
            raise StorageError(f"database error: {exc.orig}") from exc

    def ping(self) -> None:
        """Raise StorageError unless the database answers a trivial query."""
        with self.session() as s:
            s.execute(text("SELECT 1"))

    # ---- events -------------------------------------------------------------------------------

    def save_event(self, event: Event) -> None:
        """Insert the event, or update it in place when its id exists (idempotent).

        The operator status is never touched, and a missing snapshot/clip path does not erase a
        stored one (an update message may not repeat them).
        """
        now = self._clock.time()
        values = _event_values(event)
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(EventRow).values(
            **values, status=OperatorStatus.NEW.value, created_at=now, updated_at=now
        )
        changed = {k: stmt.excluded[k] for k in values if k not in {"id", "snapshot_path", "clip_path"}}
        for path in ("snapshot_path", "clip_path"):
            changed[path] = func.coalesce(stmt.excluded[path], getattr(EventRow, path))
        changed["updated_at"] = stmt.excluded.updated_at
        with self.session() as s:
            s.execute(stmt.on_conflict_do_update(index_elements=[EventRow.id], set_=changed))

    def end_open_events(self, reason: EndReason = EndReason.RECOVERED_AFTER_RESTART) -> list[EventRecord]:
        """End every event still open (state start/update): at start-up these were left by a service that died.

        Each ends at the last time it was heard of (its ``updated_at``), with ``details["end_reason"]`` set.
        Returns the ended events (to announce them).
        """
        now = self._clock.time()
        ended: list[EventRecord] = []
        open_states = [EventState.START.value, EventState.UPDATE.value]
        with self.session() as s:
            for row in s.scalars(select(EventRow).where(EventRow.state.in_(open_states)).with_for_update()):
                end = max(row.start_time, min(row.updated_at, now))
                row.state = EventState.END.value
                row.end_time = end
                row.end_pts_s = row.start_pts_s + (end - row.start_time)
                row.details = {**dict(row.details), "end_reason": reason.value}
                row.updated_at = now
                ended.append(_to_record(row))
        return ended

    def get_event(self, event_id: str) -> EventRecord | None:
        with self.session() as s:
            row = s.get(EventRow, event_id)
            return None if row is None else _to_record(row)

    def _filtered(self, query: Select[Any], **filters: Unpack[EventFilters]) -> Select[Any]:
        f = filters
        if text := f.get("text"):
            query = query.where(_text_match(text, f.get("text_cameras", ())))
        if (camera_id := f.get("camera_id")) is not None:
            query = query.where(EventRow.camera_id == camera_id)
        if (camera_ids := f.get("camera_ids")) is not None:  # the cameras the caller may see
            query = query.where(EventRow.camera_id.in_(sorted(camera_ids)))
        if (event_type := f.get("event_type")) is not None:
            query = query.where(EventRow.event_type == str(EventType(event_type)))
        if (since := f.get("since")) is not None:  # active at or after `since`: still going, or ended after it
            query = query.where(or_(EventRow.end_time.is_(None), EventRow.end_time >= since))
        if (until := f.get("until")) is not None:
            query = query.where(EventRow.start_time <= until)
        if (state := f.get("state")) is not None:
            query = query.where(EventRow.state == str(EventState(state)))
        if (status := f.get("status")) is not None:
            query = query.where(EventRow.status == str(OperatorStatus(status)))
        if (min_confidence := f.get("min_confidence")) is not None:
            query = query.where(EventRow.peak_confidence >= min_confidence)
        return query

    def list_events(self, limit: int = 100, offset: int = 0, **filters: Unpack[EventFilters]) -> list[EventRecord]:
        """Newest first, ``filters`` as ``EventFilters`` says."""
        limit, offset = _page(limit, offset)
        query = self._filtered(select(EventRow), **filters)
        query = query.order_by(EventRow.start_time.desc(), EventRow.id).limit(limit).offset(offset)
        with self.session() as s:
            return [_to_record(row) for row in s.scalars(query)]

    def count_events(self, **filters: Unpack[EventFilters]) -> int:
        """How many events ``list_events`` would page through with these ``filters``."""
        query = self._filtered(select(func.count()).select_from(EventRow), **filters)
        with self.session() as s:
            return int(s.execute(query).scalar_one())

    def event_totals(self) -> dict[tuple[str, str], int]:
        """Number of stored events per (camera id, event type)."""
        query = select(EventRow.camera_id, EventRow.event_type, func.count()).group_by(
            EventRow.camera_id, EventRow.event_type
        )
        with self.session() as s:
            return {(cam, typ): int(n) for cam, typ, n in s.execute(query)}

    def clear_media(self, snapshot_event_ids: Iterable[str] = (), clip_event_ids: Iterable[str] = ()) -> int:
        """Forget deleted media files of these events (the rows stay). Returns the number of rows changed."""
        changed = 0
        with self.session() as s:
            for column, ids in (("snapshot_path", list(snapshot_event_ids)), ("clip_path", list(clip_event_ids))):
                for start in range(0, len(ids), 500):  # stay under SQLite's parameter limit
                    chunk = ids[start : start + 500]
                    result = s.execute(
                        update(EventRow)
                        .where(EventRow.id.in_(chunk), getattr(EventRow, column).is_not(None))
                        .values({column: None})
                    )
                    changed += int(result.rowcount)  # type: ignore[attr-defined]
        return changed

    # ---- operator actions ---------------------------------------------------------------------

    def add_action(self, event_id: str, action: str, actor: str, note: str | None = None) -> EventRecord:
        """Record what an operator did and update the event's status.

        Raises UnknownEvent, or IllegalTransition when the status does not allow the action (``ALLOWED_ACTIONS``).
        """
        kind = OperatorAction(action)
        if kind is OperatorAction.NOTE and not (note and note.strip()):
            raise ValueError("a note action needs a non-empty note text")
        now = self._clock.time()
        with self.session() as s:
            row = s.get(EventRow, event_id, with_for_update=True)
            if row is None:
                raise UnknownEvent(event_id)
            row.status = check_transition(event_id, OperatorStatus(row.status), kind).value
            s.add(EventActionRow(event_id=event_id, action=kind.value, actor=actor, note=note, time=now))
            row.updated_at = now
            s.flush()
            return _to_record(row)

    def list_actions(self, event_id: str) -> list[ActionRecord]:
        """The event's actions, oldest first."""
        query = select(EventActionRow).where(EventActionRow.event_id == event_id)
        with self.session() as s:
            rows = s.scalars(query.order_by(EventActionRow.time, EventActionRow.id))
            return [ActionRecord(r.event_id, OperatorAction(r.action), r.actor, r.note, r.time) for r in rows]

    # ---- cameras ------------------------------------------------------------------------------

    def upsert_camera(self, camera_id: str, name: str | None, source_url: str, enabled: bool = True) -> None:
        """Remember a configured camera; credentials in the URL are masked before they are stored."""
        now = self._clock.time()
        with self.session() as s:
            row = s.get(CameraRow, camera_id)
            if row is None:
                row = CameraRow(id=camera_id, updated_at=now)
                s.add(row)
            row.name, row.source_url, row.enabled, row.updated_at = name, mask_url(source_url), enabled, now

    def set_camera_status(self, camera_id: str, status: str, error: str | None = None) -> None:
        """Record the camera's latest stream state (call on changes, not on every frame)."""
        now = self._clock.time()
        with self.session() as s:
            row = s.get(CameraRow, camera_id)
            if row is None:
                raise LookupError(f"camera {camera_id!r} is not stored; call upsert_camera first")
            row.last_status, row.last_error, row.status_time = status, error, now

    def list_cameras(self) -> list[CameraRecord]:
        with self.session() as s:
            return [
                CameraRecord(r.id, r.name, r.source_url, r.enabled, r.last_status, r.last_error, r.status_time)
                for r in s.scalars(select(CameraRow).order_by(CameraRow.id))
            ]

    # ---- audit log ----------------------------------------------------------------------------

    def audit(self, actor: str, action: str, target: str, client: str | None = None, detail: str | None = None) -> None:
        """Append one entry to the audit chain (who viewed or exported what, logged in, changed a user; from where).

        ``detail`` is free text for people (never a secret): e.g. the role given to a new user.
        """
        row = AuditRow(time=self._clock.time(), actor=actor, action=action, target=target, client=client, detail=detail)
        with self.session() as s:
            append_entry(s, row)

    def verify_audit(self) -> ChainReport:
        """Walk the audit chain and report entries that were edited or removed."""
        with self.session() as s:
            return verify_chain(s)

    def list_audit(
        self,
        actor: str | None = None,
        action: str | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditRecord]:
        """Newest first."""
        limit, offset = _page(limit, offset)
        query = select(AuditRow)
        if actor is not None:
            query = query.where(AuditRow.actor == actor)
        if action is not None:
            query = query.where(AuditRow.action == action)
        if since is not None:
            query = query.where(AuditRow.time >= since)
        if until is not None:
            query = query.where(AuditRow.time <= until)
        query = query.order_by(AuditRow.time.desc(), AuditRow.id.desc()).limit(limit).offset(offset)
        with self.session() as s:
            return [
                AuditRecord(r.id, r.time, r.actor, r.action, r.target, r.client, r.detail) for r in s.scalars(query)
            ]


def _text_match(text: str, cameras: Collection[str]) -> Any:
    """An event matching a search: its id starting with the text, or its camera id, zone, label or an operator's note
    containing it (any case; ``%`` and ``_`` match themselves), or its camera among ``cameras``."""
    noted = (
        select(EventActionRow.id)
        .where(EventActionRow.event_id == EventRow.id, EventActionRow.note.icontains(text, autoescape=True))
        .exists()
    )
    return or_(
        EventRow.id.startswith(text, autoescape=True),
        EventRow.camera_id.icontains(text, autoescape=True),
        EventRow.zone.icontains(text, autoescape=True),
        EventRow.label.icontains(text, autoescape=True),
        EventRow.camera_id.in_(sorted(cameras)),
        noted,
    )
