"""CameraReader with real sources: files, the demo scene, MJPEG over HTTP and unreachable cameras."""

from __future__ import annotations

import itertools
import socket
import threading
from pathlib import Path

import pytest

from gwanje.config.camera import SourceConfig
from gwanje.core.clock import FakeClock
from gwanje.core.errors import SourceUnavailable
from gwanje.core.frame import Frame
from gwanje.core.health import StreamState
from gwanje.ingest import END_OF_FILE, CameraReader, open_source
from tests.ingest.helpers import camera, collect, wait_until, write_faststart_clip
from tests.ingest.mjpeg_server import MjpegServer


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_finished_file_ends_cleanly_after_every_analysis_frame(tiny_clip: Path, readers: list[CameraReader]) -> None:
    reader = CameraReader(camera(str(tiny_clip), realtime=False), buffer_size=100)
    readers.append(reader)
    reader.start()
    frames = collect(reader, until=lambda _: reader.finished)
    stats = reader.stats
    assert [round(f.pts_s, 2) for f in frames] == [round(0.2 * i, 2) for i in range(10)]
    assert [f.seq for f in frames] == list(range(10))
    assert stats.frames_decoded == 50 and stats.frames_skipped == 0
    assert stats.state is StreamState.OFFLINE and stats.last_error == END_OF_FILE
    assert reader.get(0.01) is None and wait_until(lambda: not reader.running)


def test_slow_consumer_gets_the_latest_frame_and_drops_are_counted(
    tiny_clip: Path, readers: list[CameraReader]
) -> None:
    reader = CameraReader(camera(str(tiny_clip), realtime=False))
    readers.append(reader)
    reader.start()
    # The consumer takes nothing until the file ended: the reader must not wait for it.
    assert wait_until(lambda: reader.stats.last_error == END_OF_FILE)
    frame = reader.get(1.0)
    assert frame is not None and round(frame.pts_s, 2) == 1.8  # the newest analysis frame
    assert reader.stats.frames_skipped == 9
    assert reader.finished


def test_looped_file_keeps_delivering_past_its_end(tiny_clip: Path, readers: list[CameraReader]) -> None:
    reader = CameraReader(camera(str(tiny_clip), loop=True, realtime=False))
    readers.append(reader)
    reader.start()
    frames = collect(reader, until=lambda got: bool(got) and got[-1].pts_s > 5.0)
    assert frames and frames[-1].pts_s > 5.0
    assert not reader.finished and reader.stats.state is StreamState.LIVE


def test_not_a_video_goes_offline_with_a_clear_error_and_no_retry_storm(
    tmp_path: Path, readers: list[CameraReader]
) -> None:
    path = tmp_path / "report.txt"
    path.write_text("not a video\n" * 100)
    reader = CameraReader(camera(str(path), camera_id="door", reconnect_initial_s=0.01, reconnect_max_s=60))
    readers.append(reader)
    reader.start()
    assert wait_until(lambda: reader.stats.state is StreamState.OFFLINE)
    error = reader.stats.last_error or ""
    assert "door" in error and "report.txt" in error and "not a video" in error
    assert reader.get(0.3) is None
    assert reader.stats.reconnects == 0  # the next try is reconnect_max_s away, not reconnect_initial_s
    assert not reader.finished


def test_unreachable_camera_is_offline_and_retries_while_another_keeps_delivering(
    tiny_clip: Path, readers: list[CameraReader]
) -> None:
    port = _closed_port()
    bad = CameraReader(
        camera(f"rtsp://admin:topsecret@127.0.0.1:{port}/live", "gate", reconnect_initial_s=0.05, reconnect_max_s=0.2)
    )
    good = CameraReader(camera(str(tiny_clip), "hall", loop=True, realtime=True))
    readers.extend([bad, good])
    bad.start()
    good.start()
    assert collect(good, until=lambda _: bad.stats.reconnects >= 3)
    assert collect(good, until=lambda _: good.stats.frames_decoded >= 40)
    stats = bad.stats
    assert stats.state is StreamState.OFFLINE and stats.frames_decoded == 0
    assert stats.last_error is not None and "gate" in stats.last_error and f"127.0.0.1:{port}" in stats.last_error
    assert "topsecret" not in stats.last_error and "admin:***@" in stats.last_error
    assert good.stats.state is StreamState.LIVE


def test_damaged_file_counts_corrupt_frames_and_finishes(tmp_path: Path, readers: list[CameraReader]) -> None:
    data = write_faststart_clip(tmp_path / "whole.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2] + data[len(data) // 2 + len(data) // 5 :])
    reader = CameraReader(camera(str(cut), realtime=False), buffer_size=100)
    readers.append(reader)
    reader.start()
    assert collect(reader, until=lambda _: reader.finished)
    stats = reader.stats
    assert stats.corrupt_frames > 0 and stats.frames_decoded > 0 and stats.last_error == END_OF_FILE


def test_demo_source_runs_through_the_reader_at_the_analysis_rate(readers: list[CameraReader]) -> None:
    reader = CameraReader(camera("demo:?seed=3", analysis_fps=5))
    readers.append(reader)
    reader.start()
    frames = collect(reader, until=lambda got: len(got) >= 4)
    assert len(frames) >= 4
    assert frames[0].image.shape == (360, 640, 3)
    steps = [round(b.pts_s - a.pts_s, 3) for a, b in itertools.pairwise(frames)]
    assert all(s >= 0.19 for s in steps)  # decimated by pts: never two frames within 1/analysis_fps
    reader.mark_analyzed()
    assert reader.stats.frames_analyzed == 1 and reader.stats.state is StreamState.LIVE


def test_disabled_camera_reports_disabled_and_starts_no_thread(tiny_clip: Path) -> None:
    cfg = camera(str(tiny_clip)).model_copy(update={"enabled": False})
    reader = CameraReader(cfg)
    reader.start()
    assert reader.stats.state is StreamState.DISABLED and not reader.running


def test_mjpeg_over_http_is_decoded_and_timed_by_arrival(readers: list[CameraReader]) -> None:
    server = MjpegServer(fps=10)  # FFmpeg's MJPEG demuxer would stamp these as 25 fps
    try:
        reader = CameraReader(camera(server.url(), "mjpeg", analysis_fps=5, timeout_s=5))
        readers.append(reader)
        reader.start()
        frames = collect(reader, until=lambda got: len(got) >= 8)
        assert len(frames) >= 8
        assert frames[0].image.shape == (240, 320, 3) and reader.stats.state is StreamState.LIVE
        # Stream time follows the clock, so analysis frames are 1/analysis_fps apart in real time too.
        media = frames[-1].pts_s - frames[1].pts_s
        real = frames[-1].wall_time - frames[1].wall_time
        assert 0.75 < media / real < 1.33
    finally:
        reader.stop(timeout=5.0)
        server.close()


def test_camera_that_hangs_goes_stalled_then_offline_and_recovers(readers: list[CameraReader]) -> None:
    server = MjpegServer(fps=20)
    try:
        reader = CameraReader(
            camera(
                server.url(),
                "hangs",
                timeout_s=1.5,
                stall_after_s=0.5,
                reconnect_initial_s=0.1,
                reconnect_max_s=0.3,
            )
        )
        readers.append(reader)
        reader.start()
        assert collect(reader, until=bool)
        server.paused.set()
        assert wait_until(lambda: reader.stats.state is StreamState.STALLED)
        assert wait_until(lambda: reader.stats.state is StreamState.OFFLINE)
        assert "no data" in (reader.stats.last_error or "")
        server.paused.clear()
        assert collect(reader, until=bool)
        assert reader.stats.state is StreamState.LIVE
        assert reader.stats.reconnects >= 1
    finally:
        reader.stop(timeout=5.0)
        server.close()


def test_injected_clock_stamps_wall_time(tiny_clip: Path, readers: list[CameraReader]) -> None:
    clock = FakeClock(start=1_000.0)
    reader = CameraReader(camera(str(tiny_clip), realtime=False), clock=clock, buffer_size=100)
    readers.append(reader)
    reader.start()
    frame = reader.get(5.0)
    assert frame is not None and frame.wall_time == 1_000.0


@pytest.mark.parametrize("size", [0, -1])
def test_buffer_size_must_be_positive(tiny_clip: Path, size: int) -> None:
    with pytest.raises(ValueError, match="buffer_size"):
        CameraReader(camera(str(tiny_clip)), buffer_size=size)


@pytest.mark.parametrize("scheme", ["rtsp", "http", "rtmp"])
def test_a_server_that_never_answers_fails_within_the_timeout(scheme: str) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)  # accepts connections (the kernel does) but never says a word
        url = f"{scheme}://viewer:pw9876@127.0.0.1:{server.getsockname()[1]}/live"
        outcome: list[BaseException] = []

        def attempt() -> None:
            try:
                open_source(SourceConfig(url=url, timeout_s=1.0)).close()
            except BaseException as exc:
                outcome.append(exc)

        worker = threading.Thread(target=attempt, daemon=True)
        worker.start()
        worker.join(20.0)  # generous: the point is that it does not hang
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], SourceUnavailable)
    assert "no answer within 1 s" in str(outcome[0]) and "pw9876" not in str(outcome[0])


def test_stop_requests_reach_every_reader_before_anyone_waits(readers: list[CameraReader]) -> None:
    group = [CameraReader(camera("demo:", f"demo-{i}")) for i in range(3)]
    readers.extend(group)
    for reader in group:
        reader.start()
    assert wait_until(lambda: all(r.stats.state is StreamState.LIVE for r in group))
    for reader in group:
        reader.request_stop()
    assert wait_until(lambda: not any(r.running for r in group))


def test_a_file_played_as_fast_as_possible_can_wait_for_the_analysis(
    tiny_clip: Path, readers: list[CameraReader]
) -> None:
    reader = CameraReader(camera(str(tiny_clip), realtime=False, wait_for_analysis=True))
    readers.append(reader)
    reader.start()
    # A consumer that takes nothing for a while, then each frame slowly: nothing is dropped, nothing stalls.
    threading.Event().wait(0.5)
    assert not reader.ended and reader.stats.frames_skipped == 0
    frames: list[Frame] = []
    while not reader.finished:
        frame = reader.get(2.0)
        if frame is not None:
            frames.append(frame)
            threading.Event().wait(0.02)
    assert [round(f.pts_s, 2) for f in frames] == [round(0.2 * i, 2) for i in range(10)]
    assert reader.stats.frames_skipped == 0 and reader.stats.frames_decoded == 50


def test_waiting_for_the_analysis_needs_playback_as_fast_as_possible() -> None:
    with pytest.raises(ValueError, match="set realtime: false"):
        SourceConfig(url="clip.mp4", wait_for_analysis=True)
