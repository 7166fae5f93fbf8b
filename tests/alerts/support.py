"""Helpers for the alert tests: events, a database with the outbox table, a real HTTP receiver, polling."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine

from gwanje.core.events import Event, EventState, EventType, Severity
from gwanje.store.outbox import OutboxRow


def make_event(
    state: EventState = EventState.START,
    event_id: str = "evt-1",
    camera_id: str = "gate-1",
    event_type: EventType = EventType.FIRE,
) -> Event:
    ended = state == EventState.END
    return Event(
        id=event_id,
        camera_id=camera_id,
        event_type=event_type,
        state=state,
        start_time=1_700_000_000.0,
        start_pts_s=12.5,
        end_time=1_700_000_030.0 if ended else None,
        end_pts_s=42.5 if ended else None,
        peak_confidence=0.91,
        peak_time=1_700_000_004.0,
        severity=Severity.CRITICAL,
        boxes=[(10.0, 20.0, 110.0, 220.0)],
        frame_size=(1280, 720),
        zone="warehouse",
        label="fire",
        snapshot_path="snapshots/evt-1.jpg",
        clip_path="clips/evt-1.mp4" if ended else None,
    )


def outbox_engine(path: Path) -> Engine:
    """A SQLite file with the outbox table, opened like the service does (shared across threads)."""
    engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 10.0})
    OutboxRow.metadata.create_all(engine, tables=[OutboxRow.__table__])  # type: ignore[list-item]
    return engine


def wait_until(predicate: Callable[[], bool], what: str, timeout_s: float = 10.0) -> None:
    """Poll until ``predicate`` holds; fail naming ``what`` otherwise (a bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 answering with scripted status codes (then 200)."""

    port: int = 0
    statuses: list[int] = field(default_factory=list)
    delays_s: list[float] = field(default_factory=list)
    """Seconds to stall before answering, per request (then none): makes the client time out."""
    requests: list[Request] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if receiver.delays_s:
                    time.sleep(receiver.delays_s.pop(0))
                receiver.requests.append(Request(self.path, dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                reply = b"rejected: bad payload" if status >= 400 else b"ok"
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
