"""Live stream: SSE over a real HTTP server, WebSocket, and dropping for slow clients."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from gwanje.api import ApiContext, create_app
from gwanje.api.live import BroadcasterClosed, EventBroadcaster
from gwanje.core.events import EventType
from gwanje.store import MediaStore, Store
from tests.api.conftest import TOKENS, Api, make_config, serve
from tests.store.factories import make_event


def _sse_messages(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, object]]]:
    kind = ""
    for line in lines:
        if line.startswith("event: "):
            kind = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield kind, json.loads(line.removeprefix("data: "))


def test_sse_delivers_published_events_and_operator_actions(api: Api) -> None:
    event = make_event("gate", EventType.FIGHT)
    api.store.save_event(event)
    token = api.headers("viewer")["Authorization"].removeprefix("Bearer ")
    with (
        serve(api.app) as base,
        httpx.Client(base_url=base, timeout=10) as http,
        http.stream("GET", f"/api/events/stream?token={token}") as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(line for line in lines if line.startswith(":")) == ": connected"

        api.ctx.broadcaster.publish_event(event)
        ack = http.post(f"/api/events/{event.id}/acknowledge", headers=api.headers("operator"))
        assert ack.status_code == 200

        messages = _sse_messages(lines)
        kind, first = next(messages)
        assert kind == "event"
        assert first["event"]["id"] == event.id  # type: ignore[index]
        assert first["event"]["type"] == "fight"  # type: ignore[index]
        kind, second = next(messages)
        assert kind == "status"
        assert second == {
            "kind": "status",
            "event_id": event.id,
            "camera_id": event.camera_id,
            "action": "acknowledge",
            "actor": api.name("operator"),
            "status": "acknowledged",
        }


def test_a_disconnected_sse_client_is_forgotten(tmp_path: Path) -> None:
    config = make_config(tmp_path / "data", live_keepalive_s=0.05)
    store = Store.open(config.store)
    ctx = ApiContext.create(config, store, MediaStore.for_config(config.store))
    app = create_app(ctx)
    token = TOKENS["viewer"][1]
    try:
        with serve(app) as base, httpx.Client(base_url=base, timeout=10) as http:
            with http.stream("GET", f"/api/events/stream?token={token}") as stream:
                # Keep the line iterator referenced: dropping a half-read httpx iterator closes it, and
                # httpcore then closes the connection, which is a real disconnect the server must act on.
                lines = stream.iter_lines()
                assert next(lines).startswith("retry:")
                assert ctx.broadcaster.clients == 1
                keepalives = (line for line in lines if line == ": keepalive")
                next(keepalives)
                next(keepalives)  # a connected client stays subscribed across keepalives
                assert ctx.broadcaster.clients == 1
            # the server notices at its next keepalive write at the latest
            deadline = time.monotonic() + 10
            while ctx.broadcaster.clients and time.monotonic() < deadline:
                time.sleep(0.02)
            assert ctx.broadcaster.clients == 0
    finally:
        store.close()


def test_websocket_delivers_published_messages(api: Api) -> None:
    with api.client.websocket_connect("/api/events/ws", headers=api.headers()) as ws:
        publisher = threading.Thread(target=api.ctx.broadcaster.publish, args=({"kind": "event", "n": 1},))
        publisher.start()
        publisher.join()
        assert ws.receive_json() == {"kind": "event", "n": 1}


def test_websocket_without_token_is_closed(api: Api) -> None:
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as info, api.client.websocket_connect("/api/events/ws") as ws:
        ws.receive_json()
    assert info.value.code == 1008


def test_live_events_with_numpy_values_are_plain_json() -> None:
    """Engine events carry numpy numbers (confidences, boxes, details); live clients get JSON numbers."""

    async def scenario() -> object:
        broadcaster = EventBroadcaster()
        sub = broadcaster.subscribe()
        box = tuple(np.array([1, 2, 3, 4], np.float32))
        event = make_event(boxes=[box], peak_confidence=np.float32(0.75), details={"scores": np.array([0.5])})
        broadcaster.publish_event(event)
        return await sub.next(timeout=1)

    message = asyncio.run(scenario())
    assert isinstance(message, dict)
    payload = json.loads(json.dumps(message))["event"]
    assert payload["boxes"] == [[1.0, 2.0, 3.0, 4.0]]
    assert payload["peak_confidence"] == 0.75
    assert payload["details"] == {"scores": [0.5]}


def test_slow_client_loses_newest_messages_and_is_told_how_many() -> None:
    async def scenario() -> tuple[list[object], int, int]:
        broadcaster = EventBroadcaster(queue_size=2)
        sub = broadcaster.subscribe()
        publisher = threading.Thread(target=lambda: [broadcaster.publish({"n": i}) for i in range(5)])
        publisher.start()
        publisher.join()
        received = [await sub.next(timeout=1), await sub.next(timeout=1)]
        missed = sub.take_missed()
        broadcaster.close()
        with pytest.raises(BroadcasterClosed):
            await sub.next(timeout=1)
        return received, missed, broadcaster.dropped

    received, missed, dropped = asyncio.run(scenario())
    assert received == [{"n": 0}, {"n": 1}]
    assert missed == 3
    assert dropped == 3


def test_idle_stream_returns_none_for_a_keepalive() -> None:
    async def scenario() -> object:
        sub = EventBroadcaster().subscribe()
        return await sub.next(timeout=0.01)

    assert asyncio.run(scenario()) is None
