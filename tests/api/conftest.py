"""A real API over a real SQLite database in tmp_path, with three tokens (one per role)."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gwanje.api import ApiContext, create_app
from gwanje.api.masking import SnapshotMasker
from gwanje.config import parse_config
from gwanje.core.health import StreamState, StreamStats
from gwanje.store import MediaStore, Store


def _nobody(_image: Any) -> list[tuple[float, float, float, float]]:
    return []


def context_finding_nobody(config: Any, store: Store, **sources: Any) -> ApiContext:
    """An ``ApiContext`` over ``store`` (``sources``: camera status, snapshots, frames) whose masker's person detector
    finds nobody: snapshots, streams and pages are served masked without loading the person model."""
    ctx = ApiContext.create(config, store, MediaStore.for_config(config.store), **sources)
    return dataclasses.replace(ctx, masker=SnapshotMasker(lambda: _nobody))


TOKENS = {
    "admin": ("alice-admin", "admin-token-0123456789"),
    "operator": ("olivia-operator", "operator-token-0123456789"),
    "viewer": ("victor-viewer", "viewer-token-0123456789"),
}


def live_jpeg() -> bytes:
    image = np.zeros((72, 128, 3), np.uint8)
    cv2.rectangle(image, (10, 10), (60, 50), (0, 0, 255), -1)
    ok, buf = cv2.imencode(".jpg", image)
    assert ok
    return bytes(buf.tobytes())


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    ctx: ApiContext
    store: Store
    media: MediaStore
    deliveries: dict[str, list[dict[str, Any]]]

    def headers(self, role: str = "viewer") -> dict[str, str]:
        return {"Authorization": f"Bearer {TOKENS[role][1]}"}

    def name(self, role: str) -> str:
        return TOKENS[role][0]


def make_config(data_dir: Path, **api: Any) -> Any:
    return parse_config(
        {
            "store": {"data_dir": str(data_dir)},
            "api": {"tokens": [{"name": n, "token": t, "role": r} for r, (n, t) in TOKENS.items()], **api},
            "cameras": [
                {"id": "gate", "name": "Front gate", "source": {"url": "rtsp://admin:hunter2@10.0.0.5/ch1"}},
                {"id": "lobby", "source": {"url": "demo:"}},
                {"id": "yard", "enabled": False, "source": {"url": "demo:"}},
            ],
        }
    )


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    config = make_config(tmp_path / "data")
    store = Store.open(config.store)
    media = MediaStore.for_config(config.store)
    deliveries: dict[str, list[dict[str, Any]]] = {}
    stats = [
        StreamStats(
            "gate",
            StreamState.LIVE,
            decoded_fps=25.0,
            analyzed_fps=5.0,
            frames_decoded=1500,
            reconnects=2,
            stage_cpu_s={"motion gate": 0.5, "rule fire_smoke": 1.25},
        ),
        StreamStats("lobby", StreamState.OFFLINE, last_error="connection refused"),
    ]
    jpeg = live_jpeg()
    ctx = ApiContext.create(
        config,
        store,
        media,
        camera_status=lambda: list(stats),
        latest_snapshot=lambda cam: jpeg if cam == "gate" else None,
        delivery_status=lambda event_id: deliveries.get(event_id, []),
    )
    app = create_app(ctx)
    with TestClient(app) as client:
        yield Api(app, client, ctx, store, media, deliveries)
    store.close()


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run the app in a real uvicorn on a free port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:  # readiness wait, not a timing assertion
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        app.state.ctx.close_streams()
        server.should_exit = True
        thread.join(10)
        sock.close()
