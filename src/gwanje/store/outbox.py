"""The alert outbox table and its queries: every alert message is a row before anything is sent.

One row is one message to one channel. A delivery worker claims due rows one at a time, sends
them and records the outcome. Rows of one camera on one channel are sent in insertion order: a
row is not claimable while an earlier row of the same channel and camera is still pending (so a
receiver that was down gets each camera's alerts in the order they happened). ``(channel,
message_id)`` is unique: storing a message again (a write retried after the database went away)
adds nothing.
Times are UNIX seconds, like the rest of the database.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Double, Engine, Index, Integer, String, Text, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from gwanje.store.base import Base


class DeliveryStatus(StrEnum):
    """Where a message is in its life: waiting (or being retried), sent, or given up on."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class OutboxRow(Base):
    """One alert message for one channel, with its delivery state."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "channel", "status", "next_attempt_at"),
        Index("ix_outbox_messages_event", "event_id"),
        Index("ux_outbox_messages_channel_message", "channel", "message_id", unique=True),
        Index("ix_outbox_messages_camera", "camera_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(32))
    """Shared by the copies of one message sent to several channels; receivers de-duplicate on it."""
    channel: Mapped[str] = mapped_column(String(128))
    event_id: Mapped[str] = mapped_column(String(64))
    camera_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))
    """Message type: new, update or end."""
    payload: Mapped[str] = mapped_column(Text)
    """The exact JSON body sent (and signed), identical on every attempt."""
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[float] = mapped_column(Double)
    next_attempt_at: Mapped[float] = mapped_column(Double)
    last_attempt_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    delivered_at: Mapped[float | None] = mapped_column(Double, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


@dataclass(frozen=True)
class NewMessage:
    """A message to store for one channel."""

    channel: str
    message_id: str
    event_id: str
    camera_id: str
    event_type: str
    kind: str
    payload: str


@dataclass(frozen=True)
class ClaimedMessage:
    """A message a worker has claimed for one delivery attempt."""

    id: int
    channel: str
    message_id: str
    event_id: str
    camera_id: str
    event_type: str
    kind: str
    payload: str
    attempts: int
    """Attempts including the one now being made."""
    created_at: float
    last_error: str | None


def add_messages(engine: Engine, messages: Sequence[NewMessage], now: float) -> int:
    """Store messages as pending and due now, in one transaction (all or none); returns how many were new.

    A message whose ``(channel, message_id)`` is already stored is skipped: storing is idempotent.
    """
    if not messages:
        return 0
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    rows = [
        {
            "message_id": m.message_id,
            "channel": m.channel,
            "event_id": m.event_id,
            "camera_id": m.camera_id,
            "event_type": m.event_type,
            "kind": m.kind,
            "payload": m.payload,
            "status": DeliveryStatus.PENDING.value,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        }
        for m in messages
    ]
    stmt = dialect.insert(OutboxRow).on_conflict_do_nothing(index_elements=["channel", "message_id"])
    added = 0
    with Session(engine) as session, session.begin():
        for row in rows:
            added += session.execute(stmt.values(**row)).rowcount  # type: ignore[attr-defined]
    return added


def _unblocked() -> ColumnElement[bool]:
    """No earlier message of the same channel and camera is still pending (keeps each camera's order)."""
    earlier = aliased(OutboxRow)
    return ~exists().where(
        earlier.channel == OutboxRow.channel,
        earlier.camera_id == OutboxRow.camera_id,
        earlier.status == DeliveryStatus.PENDING.value,
        earlier.id < OutboxRow.id,
    )


def claim_next(engine: Engine, channel: str, now: float, lease_s: float) -> ClaimedMessage | None:
    """Claim the most overdue sendable message of a channel, or None when nothing is due.

    The claim counts the attempt and moves the next attempt time ``lease_s`` ahead, so if the
    process dies while sending, the message becomes due again instead of being lost. The update
    is conditional on the attempt count, so two workers can never claim the same message.
    """
    due = (
        select(OutboxRow)
        .where(
            OutboxRow.channel == channel,
            OutboxRow.status == DeliveryStatus.PENDING.value,
            OutboxRow.next_attempt_at <= now,
            _unblocked(),
        )
        .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
        .limit(1)
    )
    with Session(engine) as session, session.begin():
        row = session.scalars(due).first()
        if row is None:
            return None
        claimed = session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.id == row.id,
                OutboxRow.status == DeliveryStatus.PENDING.value,
                OutboxRow.attempts == row.attempts,
            )
            .values(attempts=row.attempts + 1, last_attempt_at=now, next_attempt_at=now + lease_s)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return ClaimedMessage(
            id=row.id,
            channel=row.channel,
            message_id=row.message_id,
            event_id=row.event_id,
            camera_id=row.camera_id,
            event_type=row.event_type,
            kind=row.kind,
            payload=row.payload,
            attempts=row.attempts + 1,
            created_at=row.created_at,
            last_error=row.last_error,
        )


def next_due_at(engine: Engine, channel: str) -> float | None:
    """When the channel's next sendable message becomes due (None: nothing pending)."""
    query = select(func.min(OutboxRow.next_attempt_at)).where(
        OutboxRow.channel == channel, OutboxRow.status == DeliveryStatus.PENDING.value, _unblocked()
    )
    with Session(engine) as session:
        return session.scalar(query)


def _set(engine: Engine, row_id: int, **values: Any) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def release_leases(engine: Engine, now: float) -> int:
    """At start-up: messages claimed by a process that died are due now, not after their lease.

    Such a message may have reached its receiver before the crash; it goes again with the same
    ``message_id`` (delivery is at least once). Returns how many were released.
    """
    with Session(engine) as session, session.begin():
        result = session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.status == DeliveryStatus.PENDING.value,
                OutboxRow.last_attempt_at.is_not(None),
                OutboxRow.next_attempt_at > now,
            )
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def mark_delivered(engine: Engine, row_id: int, now: float) -> None:
    """The receiver acknowledged the message."""
    _set(engine, row_id, status=DeliveryStatus.DELIVERED.value, delivered_at=now, last_error=None)


def mark_retry(engine: Engine, row_id: int, next_attempt_at: float, error: str) -> None:
    """The attempt failed in a way that may pass; try again at ``next_attempt_at``."""
    _set(engine, row_id, next_attempt_at=next_attempt_at, last_error=error)


def mark_failed(engine: Engine, row_id: int, error: str) -> None:
    """Stop trying: the receiver refused the message, or it stayed undelivered too long."""
    _set(engine, row_id, status=DeliveryStatus.FAILED.value, last_error=error)


def expire_overdue(engine: Engine, channel: str, created_before: float, reason: str) -> int:
    """Mark the channel's pending messages created before ``created_before`` failed; returns how many.

    The last error is kept after ``reason`` so the status says why delivery never succeeded.
    """
    with Session(engine) as session, session.begin():
        rows = session.scalars(
            select(OutboxRow).where(
                OutboxRow.channel == channel,
                OutboxRow.status == DeliveryStatus.PENDING.value,
                OutboxRow.created_at < created_before,
            )
        ).all()
        for row in rows:
            row.status = DeliveryStatus.FAILED.value
            row.last_error = reason if row.last_error is None else f"{reason}; last error: {row.last_error}"
        return len(rows)


def fail_unknown_channels(engine: Engine, known: Collection[str], reason: str) -> int:
    """Mark pending messages of channels no longer configured failed (they could never be sent)."""
    with Session(engine) as session, session.begin():
        result = session.execute(
            update(OutboxRow)
            .where(OutboxRow.status == DeliveryStatus.PENDING.value, OutboxRow.channel.not_in(list(known)))
            .values(status=DeliveryStatus.FAILED.value, last_error=reason)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def _status_dict(r: OutboxRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "message_id": r.message_id,
        "channel": r.channel,
        "event_id": r.event_id,
        "type": r.kind,
        "status": r.status,
        "attempts": r.attempts,
        "created_at": r.created_at,
        "next_attempt_at": r.next_attempt_at if r.status == DeliveryStatus.PENDING.value else None,
        "last_attempt_at": r.last_attempt_at,
        "delivered_at": r.delivered_at,
        "last_error": r.last_error,
    }


def delivery_status(engine: Engine, event_id: str) -> list[dict[str, Any]]:
    """Every message of an event, oldest first, as plain dicts (for the API)."""
    with Session(engine) as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.event_id == event_id).order_by(OutboxRow.id)).all()
        return [_status_dict(r) for r in rows]


def last_messages(engine: Engine) -> dict[str, dict[str, Any]]:
    """The newest message of every channel that has one (as ``delivery_status`` gives it), by channel."""
    newest = select(func.max(OutboxRow.id)).group_by(OutboxRow.channel)
    with Session(engine) as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.id.in_(newest))).all()
        return {r.channel: _status_dict(r) for r in rows}


def pending_count(engine: Engine, channel: str | None = None) -> int:
    """Messages not yet delivered nor given up on, for one channel or all."""
    query = select(func.count()).select_from(OutboxRow).where(OutboxRow.status == DeliveryStatus.PENDING.value)
    if channel is not None:
        query = query.where(OutboxRow.channel == channel)
    with Session(engine) as session:
        return int(session.scalar(query) or 0)
