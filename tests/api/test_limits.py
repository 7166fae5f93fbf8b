"""Hostile bodies: refused before they are read (no token, too large), and 422 answers never echo them."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from gwanje.api import ApiContext, create_app
from gwanje.core.health import StreamStats
from gwanje.store import MediaStore, Store
from tests.api.conftest import Api, make_config, serve
from tests.store.factories import make_event

MB = 1024 * 1024
PAGE = 4096


def _rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE


class PeakRss:
    """The highest resident memory of this process (server threads included) while the block runs."""

    def __init__(self) -> None:
        self.start = _rss()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(0.005)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def growth(self) -> int:
        return self.peak - self.start


def stream_post(base: str, path: str, total: int, headers: dict[str, str]) -> tuple[int, int]:
    """POST ``total`` bytes in 64 KiB chunks (generated as sent, never held) until the server answers or hangs up.

    Returns (status, bytes sent); status 0 when no answer came."""
    url = urlsplit(base)
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    lines = [f"POST {path} HTTP/1.1", f"Host: {url.netloc}", "Transfer-Encoding: chunked"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    chunk = b"%x\r\n" % (64 * 1024) + b'{"note":"' + b"x" * (64 * 1024 - 9) + b"\r\n"
    sent = 0
    answer = b""
    try:
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            sock.sendall(chunk)
            sent += 64 * 1024
        else:
            sock.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    with contextlib.suppress(ConnectionResetError, TimeoutError):
        answer = sock.recv(65536)
    sock.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
    return status, sent


@pytest.mark.slow
@pytest.mark.parametrize(("role", "expected"), [(None, 401), ("operator", 413)])
def test_a_400_mb_post_costs_under_10_mb(api: Api, role: str | None, expected: int) -> None:
    event = make_event()
    api.store.save_event(event)
    headers = {"Content-Type": "application/json"} | (api.headers(role) if role else {})
    with serve(api.app) as base, PeakRss() as memory:
        status, sent = stream_post(base, f"/api/events/{event.id}/note", 400 * MB, headers)
    assert status == expected
    assert sent < 50 * MB, "the server should answer long before the body ends"
    assert memory.growth < 10 * MB, f"memory grew by {memory.growth / MB:.1f} MB"


def test_unauthenticated_post_is_refused_before_its_body_is_read(api: Api) -> None:
    event = make_event()
    api.store.save_event(event)
    for headers in ({}, {"Authorization": "Bearer not-a-valid-token-000"}):
        response = api.client.post(f"/api/events/{event.id}/note", headers=headers, content=b"{" * (2 * MB))
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def test_declared_length_over_the_limit_is_413(tmp_path: Path) -> None:
    config = make_config(tmp_path / "data", max_body_bytes=4096)
    store = Store.open(config.store)
    try:
        ctx = ApiContext.create(config, store, MediaStore.for_config(config.store))
        event = make_event()
        store.save_event(event)
        with TestClient(create_app(ctx)) as client:
            headers = {"Authorization": "Bearer operator-token-0123456789"}
            big = client.post(f"/api/events/{event.id}/note", headers=headers, json={"note": "x" * 5000})
            small = client.post(f"/api/events/{event.id}/note", headers=headers, json={"note": "fine"})
        assert big.status_code == 413
        assert "at most 4096 bytes" in big.json()["detail"]
        assert small.status_code == 200
    finally:
        store.close()


def test_validation_errors_do_not_echo_the_request(api: Api) -> None:
    event = make_event()
    api.store.save_event(event)
    secret = "s3cr3t-" + "x" * 5000
    response = api.client.post(
        f"/api/events/{event.id}/acknowledge", headers=api.headers("operator"), json={"note": secret}
    )
    assert response.status_code == 422
    assert "s3cr3t" not in response.text
    assert response.json()["detail"][0]["loc"] == ["body", "note"]
    bad_query = api.client.get("/api/events?limit=s3cr3t", headers=api.headers())
    assert bad_query.status_code == 422
    assert "s3cr3t" not in bad_query.text


def test_an_unexpected_failure_is_a_json_500_without_its_details(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_config(tmp_path / "data")
    store = Store.open(config.store)

    def broken() -> list[StreamStats]:
        raise RuntimeError("rtsp://admin:hunter2@10.0.0.5/ch1 exploded")

    try:
        ctx = ApiContext.create(config, store, MediaStore.for_config(config.store), camera_status=broken)
        with TestClient(create_app(ctx), raise_server_exceptions=False) as client:
            response = client.get("/api/cameras", headers={"Authorization": "Bearer viewer-token-0123456789"})
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["detail"].startswith("internal error")
        assert "hunter2" not in response.text
        assert "Traceback" not in response.text
        assert body["reference"] in caplog.text and "exploded" in caplog.text
        assert "hunter2" not in caplog.text  # the server log keeps the trace, not the password
    finally:
        store.close()
