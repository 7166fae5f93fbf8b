"""What the store hands back: plain records, the operator vocabulary, and URL masking."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from gwanje.core.events import Event


class OperatorStatus(StrEnum):
    """Where an operator is with an event: untouched, seen, handled, or dismissed as a false alarm."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    FALSE_ALARM = "false_alarm"


class OperatorAction(StrEnum):
    """What an operator can do with an event; every action is kept in ``event_actions``."""

    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"
    FALSE_ALARM = "false_alarm"
    NOTE = "note"


STATUS_AFTER: dict[OperatorAction, OperatorStatus | None] = {
    OperatorAction.ACKNOWLEDGE: OperatorStatus.ACKNOWLEDGED,
    OperatorAction.RESOLVE: OperatorStatus.RESOLVED,
    OperatorAction.FALSE_ALARM: OperatorStatus.FALSE_ALARM,
    OperatorAction.NOTE: None,  # a note documents, it does not change the status
}

ALLOWED_ACTIONS: dict[OperatorStatus, frozenset[OperatorAction]] = {
    OperatorStatus.NEW: frozenset(OperatorAction),
    OperatorStatus.ACKNOWLEDGED: frozenset({OperatorAction.RESOLVE, OperatorAction.FALSE_ALARM, OperatorAction.NOTE}),
    OperatorStatus.RESOLVED: frozenset({OperatorAction.NOTE}),
    OperatorStatus.FALSE_ALARM: frozenset({OperatorAction.NOTE}),
}
"""The operator state machine, the one place it is written down: new -> acknowledged -> resolved | false_alarm
(acknowledging is optional); a decided event (resolved, false alarm) only takes notes. See docs/events.md."""


class IllegalTransition(ValueError):
    """The action is not allowed in the event's current status (the API answers 409)."""

    def __init__(self, event_id: str, status: OperatorStatus, action: OperatorAction) -> None:
        allowed = ", ".join(sorted(a.value for a in ALLOWED_ACTIONS[status]))
        super().__init__(f"event {event_id!r} is {status.value}: it cannot take '{action.value}' (allowed: {allowed})")
        self.event_id = event_id
        self.status = status
        self.action = action


def check_transition(event_id: str, status: OperatorStatus, action: OperatorAction) -> OperatorStatus:
    """The status after ``action``; raises IllegalTransition when the state machine does not allow it."""
    if action not in ALLOWED_ACTIONS[status]:
        raise IllegalTransition(event_id, status, action)
    return STATUS_AFTER[action] or status


class UnknownEvent(LookupError):
    """No event with this id is stored."""

    def __init__(self, event_id: str) -> None:
        super().__init__(f"no event with id {event_id!r}")
        self.event_id = event_id


@dataclass(frozen=True)
class EventRecord:
    """A stored event with the operator's disposition."""

    event: Event
    status: OperatorStatus
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class ActionRecord:
    event_id: str
    action: OperatorAction
    actor: str
    note: str | None
    time: float


@dataclass(frozen=True)
class AuditRecord:
    id: int
    time: float
    actor: str
    action: str
    target: str
    client: str | None
    detail: str | None = None


@dataclass(frozen=True)
class CameraRecord:
    id: str
    name: str | None
    source_url: str
    """With credentials replaced by ``***``."""
    enabled: bool
    last_status: str | None
    last_error: str | None
    status_time: float | None


def jsonable(value: Any) -> Any:
    """Plain JSON types only: numpy scalars and arrays (as detectors put in details) become numbers and lists."""

    def fallback(obj: Any) -> Any:
        for attr in ("tolist", "item"):
            if hasattr(obj, attr):
                return getattr(obj, attr)()
        return str(obj)

    return json.loads(json.dumps(value, default=fallback))
