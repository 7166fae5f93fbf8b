"""MJPEG live video: frames prepared once per camera and frame whatever the number of viewers, masked unless an admin
unmasks with a reason, audited like snapshots; and the latency of a real served camera."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import statistics
import time
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from gwanje.api import ApiContext, create_app
from gwanje.api.live_video import LiveFrame, LiveVideo
from gwanje.api.masking import SnapshotMasker
from gwanje.cli.serve import api_context
from gwanje.config import parse_config
from gwanje.core.frame import Image
from gwanje.store import MediaStore, Store
from tests.api.conftest import TOKENS, live_jpeg, make_config, serve
from tests.support.mjpeg import parts
from tests.support.waiting import wait_for


def _headers(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[role][1]}"}


def test_viewers_share_one_producer_and_get_only_new_frames() -> None:
    clock = {"t": 1000.0}
    masked_calls: list[str] = []

    def latest(camera: str) -> tuple[float, bytes] | None:
        return (clock["t"], f"{camera}@{clock['t']}".encode()) if camera == "gate" else None

    def mask(jpeg: bytes, camera: str) -> bytes:
        masked_calls.append(camera)
        if jpeg.endswith(b"1002.0"):
            raise ValueError("cannot decode")  # such a frame is skipped, never sent unmasked
        return b"masked:" + jpeg

    async def watch(video: LiveVideo, masked: bool, count: int) -> list[LiveFrame]:
        got: list[LiveFrame] = []
        async for frame in video.frames("gate", masked):
            got.append(frame)
            if len(got) == count:
                break
        return got

    async def scenario() -> tuple[list[LiveFrame], list[LiveFrame], list[LiveFrame], LiveVideo]:
        video = LiveVideo(latest, mask, fps=50)

        async def tick() -> None:
            for _ in range(3):
                await asyncio.sleep(0.1)
                clock["t"] += 1.0

        first, second, raw, _ = await asyncio.gather(
            watch(video, True, 3), watch(video, True, 3), watch(video, False, 1), tick()
        )
        return first, second, raw, video

    first, second, raw, video = asyncio.run(scenario())
    assert [f.jpeg for f in first] == [b"masked:gate@1000.0", b"masked:gate@1001.0", b"masked:gate@1003.0"]
    assert first == second  # the very same frames
    assert raw[0].jpeg == b"gate@1000.0" and raw[0].wall_time == 1000.0
    # the masked stream took each camera frame once (4 frames, one refused) though two viewers watched at 50 ticks/s
    assert len(masked_calls) == 4
    assert video.frames_prepared == 3 + 1


def test_a_stream_ends_when_the_streams_close() -> None:
    video = LiveVideo(lambda _camera: None, lambda jpeg, _camera: jpeg, fps=20)

    async def scenario() -> list[LiveFrame]:
        asyncio.get_running_loop().call_later(0.2, video.close)
        return [frame async for frame in video.frames("gate", True)]

    started = time.monotonic()
    assert asyncio.run(scenario()) == []
    assert time.monotonic() - started < 2.0


def _everyone(image: Image) -> list[tuple[float, float, float, float]]:
    return [(0.0, 0.0, float(image.shape[1]), float(image.shape[0]))]


def test_the_stream_is_masked_audited_once_and_unmasked_only_by_admins_with_a_reason(tmp_path: Path) -> None:
    config = make_config(tmp_path / "data", live_view_audit_s=300)
    store = Store.open(config.store)
    raw = live_jpeg()
    ctx = ApiContext.create(config, store, MediaStore.for_config(config.store), latest_snapshot=lambda c: raw)
    ctx = dataclasses.replace(ctx, masker=SnapshotMasker(lambda: _everyone))
    try:
        with serve(create_app(ctx)) as url, httpx.Client(base_url=url, timeout=10) as client:
            with client.stream("GET", "/api/cameras/gate/live.mjpeg", headers=_headers("viewer")) as response:
                assert response.status_code == 200
                assert response.headers["content-type"] == "multipart/x-mixed-replace; boundary=gwanje-frame"
                received = []
                for part in parts(response):
                    received.append(part)
                    if len(received) == 3:
                        break
            image = cv2.imdecode(np.frombuffer(received[0].jpeg, np.uint8), cv2.IMREAD_COLOR)
            assert (
                image is not None
                and image.shape == (72, 128, 3)
                and received[0].jpeg == ctx.masker.mask_live_jpeg(raw, "gate")
            )
            assert image[12:48, 12:58, 2].mean() < 200  # the red box (a "person" here) is pixelated into its background

            refused = client.get("/api/cameras/gate/live.mjpeg?unmask=true&reason=x", headers=_headers("viewer"))
            assert refused.status_code == 403
            assert client.get("/api/cameras/gate/live.mjpeg?unmask=true", headers=_headers("admin")).status_code == 400
            assert client.get("/api/cameras/roof/live.mjpeg", headers=_headers("admin")).status_code == 404
            assert client.get("/api/cameras/gate/live.mjpeg").status_code == 401
            query = "unmask=true&reason=incident%2042"
            with client.stream("GET", f"/api/cameras/gate/live.mjpeg?{query}", headers=_headers("admin")) as response:
                assert next(parts(response)).jpeg == raw
        entries = [(a.actor, a.action, a.target, a.detail) for a in store.list_audit()]
        viewer, admin = TOKENS["viewer"][0], TOKENS["admin"][0]
        assert sorted(e for e in entries if e[1] in ("view_live", "unmask")) == sorted(
            [
                (viewer, "view_live", "camera:gate", None),
                (admin, "view_live", "camera:gate", None),
                (admin, "unmask", "camera:gate", "incident 42"),
            ]
        )
    finally:
        store.close()


@pytest.mark.slow
def test_a_served_camera_reaches_the_viewer_within_a_second(tmp_path: Path) -> None:
    """The whole path: the demo camera decoded in real time, analysed, its frame masked with the real person
    detector and streamed by a real server; latency = arrival minus the frame's decode time."""
    from gwanje.runtime.service import Service

    config = parse_config(
        {
            "store": {"data_dir": str(tmp_path / "data")},
            "api": {"tokens": [{"name": "desk", "token": TOKENS["viewer"][1], "role": "viewer"}]},
            "cameras": [{"id": "demo", "source": {"url": "demo:"}, "detectors": [], "analysis_fps": 5}],
        }
    )
    service = Service(config)
    service.start()
    try:
        wait_for(lambda: service.latest_frame("demo") is not None, 20, "the demo camera's first frame")
        with (
            serve(create_app(api_context(service))) as url,
            httpx.Client(base_url=url, timeout=10) as client,
            client.stream("GET", "/api/cameras/demo/live.mjpeg", headers=_headers("viewer")) as response,
        ):
            received = []
            for part in parts(response):
                received.append(part)
                if len(received) == 25:
                    break
    finally:
        service.stop()
    latencies = [p.latency_s for p in received[5:]]  # after the person detector has loaded
    span = received[-1].frame_time - received[5].frame_time
    print(
        f"\nlive.mjpeg latency over {len(latencies)} frames: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms; {(len(latencies) - 1) / span:.1f} frames/s"
    )
    assert max(latencies) <= 1.0
    assert (len(latencies) - 1) / span <= 5.5  # the preview rate
    assert all(b.frame_time > a.frame_time for a, b in itertools.pairwise(received))


def test_a_failing_frame_source_costs_ticks_not_the_stream(caplog: pytest.LogCaptureFixture) -> None:
    calls = {"n": 0}

    def latest(_camera: str) -> tuple[float, bytes] | None:
        calls["n"] += 1
        if calls["n"] <= 3:
            raise RuntimeError("decoder gone")
        return float(calls["n"]), b"jpeg"

    video = LiveVideo(latest, lambda jpeg, _camera: jpeg, fps=50)

    async def first() -> LiveFrame:
        async for frame in video.frames("gate", False):
            return frame
        raise AssertionError("the stream ended")

    frame = asyncio.run(first())
    assert frame.jpeg == b"jpeg" and calls["n"] >= 4
    assert sum("live frames not taken" in r.message for r in caplog.records) == 1  # said once, not every tick


def test_several_cameras_over_one_stream_take_turns_and_a_slow_reader_gets_only_the_newest() -> None:
    clock = {"t": 1000.0}

    def latest(camera: str) -> tuple[float, bytes] | None:
        return (clock["t"], f"{camera}@{clock['t']}".encode()) if camera in ("gate", "lobby") else None

    async def scenario() -> tuple[list[tuple[str, bytes]], int, int]:
        video = LiveVideo(latest, lambda jpeg, _camera: jpeg, fps=50)
        got: list[tuple[str, bytes]] = []
        watched = 0
        async with contextlib.aclosing(video.many(["gate", "lobby", "gate", "nowhere"], masked=False)) as frames:
            async for camera, frame in frames:
                got.append((camera, frame.jpeg))
                watched = max(watched, video.watched)
                if len(got) == 2:
                    for _ in range(3):  # the cameras move on by three frames while this reader is busy
                        clock["t"] += 1.0
                        await asyncio.sleep(0.1)
                if len(got) == 4:
                    break
        await asyncio.sleep(0.05)  # the stream closed: its cameras' producers stop (cancelled, a few loop turns)
        return got, watched, video.watched

    got, watched, after = asyncio.run(scenario())
    assert watched == 3  # one producer per camera asked for (a camera asked twice counts once)
    assert sorted(got[:2]) == [("gate", b"gate@1000.0"), ("lobby", b"lobby@1000.0")]
    assert sorted(got[2:]) == [("gate", b"gate@1003.0"), ("lobby", b"lobby@1003.0")]  # the newest, no backlog
    assert after == 0
