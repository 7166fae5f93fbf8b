"""Tables of Gwanje's database (SQLAlchemy 2 typed mapping).

Times are UNIX seconds (double precision), the same clock the event engine reports, so filters
and the API need no time-zone conversion. Event rows are never deleted: retention only clears
their media paths.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Double, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gwanje.store.base import Base

ID_LEN = 64
"""Camera ids are at most 63 characters (see CameraConfig.id); event ids are UUID strings."""


class CameraRow(Base):
    """A camera as last configured, with its last known stream state. The source URL is stored masked."""

    __tablename__ = "cameras"

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    source_url: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
    status_time: Mapped[float | None] = mapped_column(Double)
    updated_at: Mapped[float] = mapped_column(Double)


class EventRow(Base):
    """One event, updated in place at start, on updates and at its end; plus the operator's disposition."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_camera_start", "camera_id", "start_time"),
        Index("ix_events_start", "start_time"),
        Index("ix_events_type_start", "event_type", "start_time"),
        Index("ix_events_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(ID_LEN))
    event_type: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    start_time: Mapped[float] = mapped_column(Double)
    end_time: Mapped[float | None] = mapped_column(Double)
    start_pts_s: Mapped[float] = mapped_column(Double)
    end_pts_s: Mapped[float | None] = mapped_column(Double)
    peak_confidence: Mapped[float] = mapped_column(Double, default=0.0)
    peak_time: Mapped[float] = mapped_column(Double, default=0.0)
    boxes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    frame_width: Mapped[int] = mapped_column(Integer, default=0)
    frame_height: Mapped[int] = mapped_column(Integer, default=0)
    zone: Mapped[str | None] = mapped_column(String(200))
    label: Mapped[str | None] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200), default="")
    snapshot_path: Mapped[str | None] = mapped_column(Text)
    clip_path: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="new")
    created_at: Mapped[float] = mapped_column(Double)
    updated_at: Mapped[float] = mapped_column(Double)


class EventActionRow(Base):
    """What an operator did with an event (acknowledge, resolve, false alarm, note), and who."""

    __tablename__ = "event_actions"
    __table_args__ = (Index("ix_event_actions_event", "event_id", "time"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(ID_LEN), ForeignKey("events.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    time: Mapped[float] = mapped_column(Double)


class AuditRow(Base):
    """Who looked at or exported what, who logged in and who changed users (the access log privacy law asks for).

    Rows are only ever added, each chained to the one before: ``entry_hash`` is SHA-256 over ``prev_hash`` and
    the row's own fields (``gwanje.store.audit``), so an edited or removed row breaks the chain.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_time", "time"), Index("ix_audit_actor_time", "actor", "time"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    time: Mapped[float] = mapped_column(Double)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))


class UserRow(Base):
    """A person who logs in to the web app. Only the argon2 hash of the password is kept."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Double)
    password_changed_at: Mapped[float] = mapped_column(Double)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[float | None] = mapped_column(Double)


class SessionRow(Base):
    """A logged-in browser. ``id`` is a keyed hash of the cookie's value: the table alone opens no session."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_user", "user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[float] = mapped_column(Double)
    last_seen: Mapped[float] = mapped_column(Double)
    expires_at: Mapped[float] = mapped_column(Double)


class CameraGroupRow(Base):
    """A named set of cameras; its members (users below admin) see those cameras and their events only."""

    __tablename__ = "camera_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[float] = mapped_column(Double)


class CameraGroupCameraRow(Base):
    """A camera of a group. Cameras come from the configuration, so the id is not a foreign key."""

    __tablename__ = "camera_group_cameras"

    group_id: Mapped[int] = mapped_column(Integer, ForeignKey("camera_groups.id", ondelete="CASCADE"), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(ID_LEN), primary_key=True)


class CameraGroupMemberRow(Base):
    """A user in a group."""

    __tablename__ = "camera_group_members"
    __table_args__ = (Index("ix_camera_group_members_user", "user_id"),)

    group_id: Mapped[int] = mapped_column(Integer, ForeignKey("camera_groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class EventReadRow(Base):
    """An alert a reader (a web user's name, or a token's) has opened: no longer unread for them."""

    __tablename__ = "event_reads"

    reader: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(ID_LEN), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[float] = mapped_column(Double)


class ReadMarkRow(Base):
    """A reader's "all read": every alert stored at or before ``read_before`` counts as read for them."""

    __tablename__ = "event_read_marks"

    reader: Mapped[str] = mapped_column(String(64), primary_key=True)
    read_before: Mapped[float] = mapped_column(Double)
