"""In-process fan-out of live messages (events, status changes) to SSE and WebSocket clients.

``publish`` may be called from any thread (the event engine's, a request's). Each client has a
bounded queue: a client that does not keep up loses the newest messages, counted, and is told
how many it missed so it can reload the list through the REST API. Publishing never blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from typing import Any

from gwanje.api.schemas import event_out
from gwanje.core.events import Event

Message = dict[str, Any]


class BroadcasterClosed(Exception):
    """The server is shutting down; live streams end."""


class Subscription:
    """One client's queue; read it from the event loop that created it."""

    def __init__(self, owner: EventBroadcaster, maxsize: int, loop: asyncio.AbstractEventLoop) -> None:
        self._owner = owner
        self._maxsize = maxsize
        self._loop = loop
        self._lock = threading.Lock()
        self._queue: deque[Message] = deque()
        self._wakeup = asyncio.Event()
        self._closed = False
        self._missed = 0
        self.dropped = 0
        """Messages this client lost because its queue was full."""

    def offer(self, message: Message) -> bool:
        """Queue a message (any thread). False when it was dropped."""
        with self._lock:
            if self._closed:
                return False
            if len(self._queue) >= self._maxsize:
                self.dropped += 1
                self._missed += 1
                return False
            self._queue.append(message)
        self._wake()
        return True

    def _wake(self) -> None:
        try:
            self._loop.call_soon_threadsafe(self._wakeup.set)
        except RuntimeError:  # the client's loop has ended: it will never read again
            self.close()

    async def next(self, timeout: float) -> Message | None:
        """The next message, or None after ``timeout`` seconds without one; raises BroadcasterClosed."""
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            if self._closed:
                raise BroadcasterClosed
        # set() only ever runs on this loop, so clearing here cannot lose a wake-up
        self._wakeup.clear()
        try:
            await asyncio.wait_for(self._wakeup.wait(), timeout)
        except TimeoutError:
            return None
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            if self._closed:
                raise BroadcasterClosed
        return None

    def take_missed(self) -> int:
        """Messages dropped since the last call (to tell the client)."""
        with self._lock:
            missed, self._missed = self._missed, 0
            return missed

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._owner._forget(self)
        with contextlib.suppress(RuntimeError):  # the loop has ended: nobody waits
            self._loop.call_soon_threadsafe(self._wakeup.set)


class EventBroadcaster:
    """Thread-safe publisher; every subscriber gets every message (or a count of what it lost)."""

    def __init__(self, queue_size: int = 256) -> None:
        if queue_size < 1:
            raise ValueError(f"queue_size must be at least 1, got {queue_size}")
        self._queue_size = queue_size
        self._lock = threading.Lock()
        self._subscribers: set[Subscription] = set()
        self._closed = False
        self.published = 0
        self.dropped = 0

    def subscribe(self) -> Subscription:
        """A new client queue bound to the running event loop."""
        sub = Subscription(self, self._queue_size, asyncio.get_running_loop())
        with self._lock:
            if self._closed:
                raise BroadcasterClosed
            self._subscribers.add(sub)
        return sub

    def _forget(self, sub: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(sub)

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(self, message: Message) -> None:
        """Send to every client (any thread, never blocks). ``message["kind"]`` names it; default "event"."""
        with self._lock:
            subscribers = list(self._subscribers)
            self.published += 1
        lost = sum(not sub.offer(message) for sub in subscribers)
        if lost:
            with self._lock:
                self.dropped += lost

    def publish_event(self, event: Event, status: str | None = None) -> None:
        """Publish an engine event in the same JSON shape as ``GET /api/events/{id}``."""
        self.publish({"kind": "event", "event": event_out(event, status).model_dump(mode="json")})

    def close(self) -> None:
        """End every live stream (call before stopping the HTTP server so it need not wait for them)."""
        with self._lock:
            self._closed = True
            subscribers = list(self._subscribers)
        for sub in subscribers:
            sub.close()
