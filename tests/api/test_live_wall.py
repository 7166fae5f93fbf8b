"""The live wall's stream: several cameras' masked frames over one response, each tagged with its camera, from the
same shared producer per camera; camera groups respected, audited once per camera, producers stopped when the viewer
leaves; and the latency of real served cameras."""

from __future__ import annotations

import itertools
import statistics
import time
from pathlib import Path

import httpx
import pytest

from gwanje.api import create_app
from gwanje.api.auth import SESSION_COOKIE
from gwanje.cli.serve import api_context
from gwanje.config import parse_config
from gwanje.store import Store
from tests.api.conftest import TOKENS, context_finding_nobody, live_jpeg, make_config, serve
from tests.support.mjpeg import Part, parts
from tests.support.waiting import wait_for

PASSWORD = "correct horse battery"


def _headers(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role][1]}"}


def _read(response: httpx.Response, count: int) -> list[Part]:
    return list(itertools.islice(parts(response), count))


def test_one_stream_carries_each_visible_camera_masked_and_audited(tmp_path: Path) -> None:
    config = make_config(tmp_path / "data", mode="production")
    store = Store.open(config.store)
    frames = {camera: live_jpeg() + camera.encode() for camera in ("gate", "lobby")}  # JPEG readers ignore the tail

    def latest_frame(camera: str) -> tuple[float, bytes] | None:
        return (time.time(), frames[camera]) if camera in frames else None

    ctx = context_finding_nobody(config, store, latest_frame=latest_frame)
    ctx.accounts.create_user("ollie", "operator", PASSWORD, actor="test", client=None)
    ctx.accounts.create_user("root", "admin", PASSWORD, actor="test", client=None)
    store.groups.save_group("front", ["gate"], ["ollie"])
    cookie = {}
    for user in ("ollie", "root"):
        token = ctx.accounts.login(user, PASSWORD, "127.0.0.1").session_token
        assert token is not None
        cookie[user] = {"Cookie": f"{SESSION_COOKIE}={token}"}
    query = "/api/live/frames?camera=gate&camera=lobby&camera=nowhere"
    try:
        with serve(create_app(ctx)) as url, httpx.Client(base_url=url, timeout=10) as client:
            with client.stream("GET", query, headers=_headers("viewer")) as response:
                assert response.status_code == 200
                assert response.headers["content-type"] == "multipart/mixed; boundary=gwanje-frame"
                reading = parts(response)  # kept open: closing it drops the connection
                got = [next(reading) for _ in range(12)]
                assert ctx.live.watched == 2  # one producer per camera
            assert {p.camera for p in got} == {"gate", "lobby"}
            for part in got:
                assert part.camera is not None and part.jpeg == ctx.masker.mask_live_jpeg(frames[part.camera], "gate")
                assert part.jpeg != frames[part.camera]  # re-encoded by the mask, never the raw frame
            # the viewer left: both producers stop
            wait_for(lambda: ctx.live.watched == 0, 5, "the producers to stop after the viewer left")

            # a web session works too, and a user limited to gate by camera groups gets gate only
            with client.stream("GET", query, headers=cookie["ollie"]) as response:
                assert response.status_code == 200
                assert {p.camera for p in _read(response, 6)} == {"gate"}
            assert client.get("/api/live/frames?camera=lobby", headers=cookie["ollie"]).status_code == 404
            with client.stream("GET", "/api/live/frames", headers=cookie["root"]) as response:  # every camera
                assert {p.camera for p in _read(response, 8)} == {"gate", "lobby"}
            assert client.get(query).status_code == 401
            assert client.get(f"{query}&token=wrong-token-000000").status_code == 401
            with client.stream(
                "GET", f"{query}&token={TOKENS['viewer'][1]}"
            ) as response:  # for clients without headers
                assert response.status_code == 200
        views = sorted((a.actor, a.target) for a in store.list_audit() if a.action == "view_live")
        viewer = TOKENS["viewer"][0]
        assert views == [
            ("ollie", "camera:gate"),
            ("root", "camera:gate"),
            ("root", "camera:lobby"),
            (viewer, "camera:gate"),
            (viewer, "camera:lobby"),
        ]
    finally:
        store.close()


@pytest.mark.slow
def test_served_cameras_reach_the_wall_within_a_second(tmp_path: Path) -> None:
    """The whole path for two cameras over one stream: the demo camera decoded in real time twice, analysed, each
    frame masked with the real person detector and streamed by a real server; latency = arrival minus decode time."""
    from gwanje.runtime.service import Service

    config = parse_config(
        {
            "store": {"data_dir": str(tmp_path / "data")},
            "api": {"tokens": [{"name": "desk", "token": TOKENS["viewer"][1], "role": "viewer"}]},
            "cameras": [
                {"id": camera, "source": {"url": "demo:"}, "detectors": [], "analysis_fps": 5}
                for camera in ("demo-1", "demo-2")
            ],
        }
    )
    service = Service(config)
    service.start()
    try:
        for camera in ("demo-1", "demo-2"):
            wait_for(lambda c=camera: service.latest_frame(c) is not None, 20, f"{camera}'s first frame")
        with (
            serve(create_app(api_context(service))) as url,
            httpx.Client(base_url=url, timeout=10) as client,
            client.stream(
                "GET", "/api/live/frames?camera=demo-1&camera=demo-2", headers=_headers("viewer")
            ) as response,
        ):
            received = _read(response, 50)
    finally:
        service.stop()
    settled = received[10:]  # after the person detector has loaded
    latencies = [p.latency_s for p in settled]
    summary = []
    for camera in ("demo-1", "demo-2"):
        mine = [p for p in settled if p.camera == camera]
        rate = (len(mine) - 1) / (mine[-1].frame_time - mine[0].frame_time)
        summary.append(f"{camera} {len(mine)} frames at {rate:.1f} frames/s")
        assert rate <= 5.5  # the preview rate
        assert all(b.frame_time > a.frame_time for a, b in itertools.pairwise(mine))
    print(
        f"\n/api/live/frames latency over {len(latencies)} frames of 2 cameras: median "
        f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; " + ", ".join(summary)
    )
    assert max(latencies) <= 1.0
