"""Real network streams produced by the ffmpeg CLI: RTSP published through a local relay (killed and
restarted to check reconnects) and RTMP served by ffmpeg itself."""

from __future__ import annotations

import itertools
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import av
import pytest

from gwanje.config.events import ClipConfig
from gwanje.core.frame import Frame
from gwanje.core.health import StreamState
from gwanje.events.clip import ClipRecorder
from gwanje.ingest import CameraReader
from tests.ingest.helpers import camera, collect, wait_until
from tests.ingest.rtsp_relay import RtspRelay

pytestmark = [
    pytest.mark.ffmpeg,
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg command line (apt-get install ffmpeg)"),
]


class Publisher:
    def __init__(self, clip: Path, url: str) -> None:
        self._cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-stream_loop", "-1"]
        self._cmd += ["-i", str(clip), "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", url]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self._cmd, stdin=subprocess.DEVNULL)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def relay() -> Iterator[RtspRelay]:
    server = RtspRelay()
    yield server
    server.close()


@pytest.fixture
def publisher(gop_clip: Path, relay: RtspRelay) -> Iterator[Publisher]:
    pub = Publisher(gop_clip, relay.url())
    yield pub
    pub.kill()


def test_rtsp_stream_reconnects_after_the_camera_comes_back(
    relay: RtspRelay, publisher: Publisher, readers: list[CameraReader]
) -> None:
    publisher.start()
    reader = CameraReader(
        camera(relay.url(), "rtsp", timeout_s=3, stall_after_s=1, reconnect_initial_s=0.2, reconnect_max_s=1)
    )
    readers.append(reader)
    reader.start()
    frames = collect(reader, until=lambda got: len(got) >= 5, timeout=30)
    assert len(frames) >= 5 and frames[0].image.shape == (240, 320, 3)
    assert reader.stats.state is StreamState.LIVE
    assert set(relay.reader_transports) == {"tcp"}

    publisher.kill()
    assert wait_until(lambda: reader.stats.state in (StreamState.STALLED, StreamState.OFFLINE), timeout=20)
    assert wait_until(lambda: reader.stats.state is StreamState.OFFLINE, timeout=20)
    reconnects_while_down = reader.stats.reconnects
    assert reader.stats.last_error and "rtsp://127.0.0.1" in reader.stats.last_error

    publisher.start()
    after = collect(reader, until=lambda got: len(got) >= 5, timeout=40)
    assert len(after) >= 5
    stats = reader.stats
    assert stats.state is StreamState.LIVE and stats.reconnects >= max(reconnects_while_down, 1)
    assert after[0].pts_s > frames[-1].pts_s  # pts keep increasing across the reconnect


def test_rtmp_stream_served_by_ffmpeg_is_decoded(gop_clip: Path, readers: list[CameraReader]) -> None:
    port = _free_port()
    url = f"rtmp://127.0.0.1:{port}/live/cam"
    cmd = ["ffmpeg", "-hide_banner", "-loglevel", "quiet", "-nostdin", "-re", "-stream_loop", "-1", "-i", str(gop_clip)]
    server = subprocess.Popen([*cmd, "-c", "copy", "-f", "flv", "-listen", "1", url], stdin=subprocess.DEVNULL)
    try:
        reader = CameraReader(camera(url, "rtmp", timeout_s=5, reconnect_initial_s=0.2, reconnect_max_s=0.5))
        readers.append(reader)
        reader.start()
        frames = collect(reader, until=lambda got: len(got) >= 3, timeout=30)
        assert len(frames) >= 3 and frames[0].image.shape == (240, 320, 3)
        assert reader.stats.state is StreamState.LIVE
    finally:
        server.kill()
        server.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_rtsp_over_udp_is_decoded(relay: RtspRelay, publisher: Publisher, readers: list[CameraReader]) -> None:
    publisher.start()
    reader = CameraReader(camera(relay.url(), "rtsp-udp", transport="udp", timeout_s=5, reconnect_initial_s=0.2))
    readers.append(reader)
    reader.start()
    frames = collect(reader, until=lambda got: len(got) >= 5, timeout=30)
    assert len(frames) >= 5 and frames[0].image.shape == (240, 320, 3)
    assert reader.stats.state is StreamState.LIVE
    assert relay.reader_transports and set(relay.reader_transports) == {"udp"}


def test_an_rtsp_cameras_clip_is_its_own_packets_at_its_full_rate(
    relay: RtspRelay, publisher: Publisher, readers: list[CameraReader], tmp_path: Path
) -> None:
    publisher.start()
    done: list[tuple[str, Path | None, BaseException | None]] = []
    recorder = ClipRecorder("rtsp", ClipConfig(pre_s=1.0, post_s=1.5, fps=5), on_done=lambda *a: done.append(a))
    reader = CameraReader(camera(relay.url(), "rtsp", timeout_s=5), packet_sink=recorder.push_packets)
    readers.append(reader)
    reader.start()
    started = False

    def feed(got: list[Frame]) -> bool:
        nonlocal started
        if got:
            recorder.push(got[-1])
        if not started and len(got) >= 12:  # 2.4 s of stream: the pre-roll is buffered
            assert recorder.remuxing, "an RTSP H.264 camera hands its packets on"
            started = recorder.start("ev", tmp_path / "ev.mp4")
        return started and not recorder.recording

    collect(reader, until=feed, timeout=40)
    recorder.close()
    assert wait_until(lambda: bool(done), timeout=20)
    assert done == [("ev", tmp_path / "ev.mp4", None)]
    with av.open(str(tmp_path / "ev.mp4")) as clip:
        stream = clip.streams.video[0]
        decoded = list(clip.decode(stream))
    assert (decoded[0].width, decoded[0].height) == (320, 240)
    times = [float(f.time or 0.0) for f in decoded]
    steps = sorted(b - a for a, b in itertools.pairwise(times))
    assert steps[len(steps) // 2] == pytest.approx(0.04, abs=0.005), "25 fps, every frame the camera sent"
    # Keyframes every 0.4 s: the clip starts on the one before the 1-s pre-roll and ends 1.5 s after the start.
    assert 2.5 <= times[-1] - times[0] + 0.04 <= 2.5 + 0.4 + 0.25
