"""Operator actions on an event; the actor recorded is the token's name."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from gwanje.api.auth import Principal
from gwanje.api.context import ApiContext
from gwanje.api.deps import Ctx, EventId, Operator, event_or_404
from gwanje.api.responses import ACTION, errors
from gwanje.api.schemas import ActionIn, EventOut, NoteIn, record_out
from gwanje.store.records import IllegalTransition, OperatorAction, UnknownEvent

router = APIRouter(tags=["operator actions"], responses=errors(*ACTION))


def _act(ctx: ApiContext, event_id: str, action: OperatorAction, who: Principal, note: str | None) -> EventOut:
    event_or_404(ctx, event_id, who)
    actor = who.name
    try:
        record = ctx.store.add_action(event_id, action, actor, note)
    except UnknownEvent as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except IllegalTransition as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    out = record_out(record)
    ctx.broadcaster.publish(
        {
            "kind": "status",
            "event_id": event_id,
            "camera_id": out.camera_id,
            "action": action.value,
            "actor": actor,
            "status": out.status,
        }
    )
    return out


@router.post("/api/events/{event_id}/acknowledge", response_model=EventOut, summary="I have seen it")
def acknowledge(event_id: EventId, ctx: Ctx, who: Operator, body: ActionIn | None = None) -> EventOut:
    return _act(ctx, event_id, OperatorAction.ACKNOWLEDGE, who, body.note if body else None)


@router.post("/api/events/{event_id}/resolve", response_model=EventOut, summary="Handled")
def resolve(event_id: EventId, ctx: Ctx, who: Operator, body: ActionIn | None = None) -> EventOut:
    return _act(ctx, event_id, OperatorAction.RESOLVE, who, body.note if body else None)


@router.post("/api/events/{event_id}/false-alarm", response_model=EventOut, summary="Nothing happened")
def false_alarm(event_id: EventId, ctx: Ctx, who: Operator, body: ActionIn | None = None) -> EventOut:
    return _act(ctx, event_id, OperatorAction.FALSE_ALARM, who, body.note if body else None)


@router.post("/api/events/{event_id}/note", response_model=EventOut, summary="Add a remark (status unchanged)")
def note(event_id: EventId, body: NoteIn, ctx: Ctx, who: Operator) -> EventOut:
    return _act(ctx, event_id, OperatorAction.NOTE, who, body.note)
