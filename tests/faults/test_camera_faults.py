"""Fault: cameras that misbehave — corrupt packets (ffmpeg's ``noise`` bitstream filter on a real RTSP
stream), a stalled RTSP source (its publisher frozen with SIGSTOP, then resumed), a stream whose resolution
changes mid-way (320x240 then 640x360 in one MPEG-TS, looped). Each recovers or reports what is wrong;
a healthy camera beside them never stops delivering frames."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gwanje.config import parse_config
from gwanje.core.health import StreamState, StreamStats
from gwanje.runtime.service import Service
from tests.ingest.rtsp_relay import RtspRelay
from tests.support.media import moving_box_frames, write_clip
from tests.support.waiting import wait_for

pytestmark = [
    pytest.mark.ffmpeg,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg command line (apt-get install ffmpeg)"),
]

FFMPEG = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]


def _test_ts(path: Path, size: str, seconds: int) -> Path:
    args = ["-f", "lavfi", "-i", f"testsrc=size={size}:rate=10", "-t", str(seconds), "-c:v", "libx264", "-g", "10"]
    subprocess.run([*FFMPEG, *args, "-pix_fmt", "yuv420p", "-f", "mpegts", str(path)], check=True, timeout=60)
    return path


def _publish(clip: Path, url: str, *bsf: str) -> subprocess.Popen[bytes]:
    cmd = [*FFMPEG, "-loglevel", "fatal", "-re", "-stream_loop", "-1", "-i", str(clip), "-c", "copy", *bsf]
    return subprocess.Popen([*cmd, "-f", "rtsp", "-rtsp_transport", "tcp", url], stdin=subprocess.DEVNULL)


@pytest.fixture
def relay() -> Iterator[RtspRelay]:
    server = RtspRelay()
    yield server
    server.close()


def _stats(service: Service, camera_id: str) -> StreamStats:
    return next(s for s in service.camera_status() if s.camera_id == camera_id)


@pytest.mark.slow
def test_corrupt_stalled_and_resizing_cameras_recover_or_report_and_spare_the_others(
    relay: RtspRelay, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    healthy = write_clip(tmp_path / "healthy.mp4", moving_box_frames(50), fps=10)
    small = _test_ts(tmp_path / "small.ts", "320x240", 2)
    large = _test_ts(tmp_path / "large.ts", "640x360", 2)
    resizing = tmp_path / "resizing.ts"
    resizing.write_bytes(small.read_bytes() + large.read_bytes())
    rtsp_clip = _test_ts(tmp_path / "rtsp.ts", "320x240", 4)

    fast = {"timeout_s": 2, "stall_after_s": 0.7, "reconnect_initial_s": 0.2, "reconnect_max_s": 0.5}
    cams = [
        {"id": "healthy", "source": {"url": str(healthy), "loop": True}},
        {"id": "resizing", "source": {"url": str(resizing), "loop": True}},
        {"id": "corrupt", "source": {"url": relay.url("corrupt"), **fast}},
        {"id": "stalls", "source": {"url": relay.url("stalls"), **fast}},
    ]
    for cam in cams:
        cam |= {"detectors": ["fire_smoke"], "analysis_fps": 2}
    config = parse_config({"cameras": cams, "store": {"data_dir": str(tmp_path / "data")}})
    corrupt = _publish(rtsp_clip, relay.url("corrupt"), "-bsf:v", "noise=amount=2000")
    stalls = _publish(rtsp_clip, relay.url("stalls"))
    service = Service(config)
    service.start()
    try:
        wait_for(lambda: all(_stats(service, c["id"]).frames_decoded > 5 for c in cams), 30, "frames from every camera")
        wait_for(lambda: _stats(service, "resizing").width == 640, 20, "the resolution change")
        wait_for(lambda: _stats(service, "resizing").width == 320, 20, "the loop back to the first resolution")

        healthy_before = _stats(service, "healthy").frames_decoded
        os.kill(stalls.pid, signal.SIGSTOP)  # the source stops sending, the connection stays open
        wait_for(lambda: _stats(service, "stalls").state is not StreamState.LIVE, 20, "the stall to be reported")
        stalled = _stats(service, "stalls")
        assert stalled.state in (StreamState.STALLED, StreamState.OFFLINE)
        assert _stats(service, "healthy").frames_decoded > healthy_before, "the healthy camera went on"
        os.kill(stalls.pid, signal.SIGCONT)
        before = _stats(service, "stalls").frames_decoded
        wait_for(lambda: _stats(service, "stalls").frames_decoded > before + 3, 40, "the stalled camera to recover")
        wait_for(lambda: _stats(service, "stalls").state is StreamState.LIVE, 20, "the stalled camera live again")

        wait_for(lambda: _stats(service, "corrupt").corrupt_frames > 0, 20, "corrupt packets counted")
        corrupt_stats = _stats(service, "corrupt")
        assert corrupt_stats.frames_decoded > 5, "a camera with corrupt packets still delivers its good frames"
        assert _stats(service, "healthy").state is StreamState.LIVE
        seen = _stats(service, "healthy").last_frame_time or 0.0
        wait_for(lambda: (_stats(service, "healthy").last_frame_time or 0.0) > seen, 10, "healthy frames still coming")
        alive = {t.name for t in threading.enumerate()}
        assert {f"camera-{c['id']}" for c in cams} <= alive
        assert "Traceback" not in caplog.text
    finally:
        service.stop()
        for proc in (corrupt, stalls):
            os.kill(proc.pid, signal.SIGCONT)
            proc.kill()
            proc.wait(10)
