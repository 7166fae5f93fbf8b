"""ClipRecorder writes real MP4s (decoded back with PyAV) off the camera thread and reports failures."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from gwanje.config.events import ClipConfig
from gwanje.core.frame import Frame
from gwanje.events.clip import ClipRecorder, clip_size
from tests.events.clip_support import Done

WAIT = 30.0


def _frames(
    n: int, fps: float, width: int = 320, height: int = 240, pts0: float = 0.0, segment: int = 0
) -> list[Frame]:
    rng = np.random.default_rng(1)
    out = []
    for i in range(n):
        img = np.full((height, width, 3), 40, np.uint8)
        img += rng.integers(0, 20, img.shape, dtype=np.uint8)
        x = (i * 5) % (width - 40)
        img[100:140, x : x + 40] = 255
        out.append(Frame("cam", i, pts0 + i / fps, 0.0, img, segment))
    return out


def _probe(path: Path) -> tuple[int, float, tuple[int, int]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        decoded = list(container.decode(stream))
        assert stream.codec_context.name == "h264"
        duration = float(stream.duration * stream.time_base)
        return len(decoded), duration, (decoded[0].width, decoded[0].height)


@pytest.mark.parametrize("input_fps", [25.0, 5.0])
def test_clip_is_pre_plus_post_at_the_clip_rate(tmp_path: Path, input_fps: float) -> None:
    done = Done()
    recorder = ClipRecorder("cam", ClipConfig(pre_s=1.0, post_s=2.0, fps=10), on_done=done)
    frames = _frames(int(5 * input_fps), input_fps)
    start_at = int(2 * input_fps)
    for frame in frames:
        recorder.push(frame)
        if frame.seq == start_at:
            assert recorder.start("ev1", tmp_path / "clips" / "ev1.mp4")
    assert done.event.wait(WAIT)
    recorder.close()
    ((event_id, path, error),) = done.calls
    assert (event_id, error) == ("ev1", None)
    assert path == tmp_path / "clips" / "ev1.mp4"
    count, duration, size = _probe(path)
    assert count == 30
    assert duration == pytest.approx(3.0, abs=0.11)
    assert size == (320, 240)
    data = path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # faststart: playable while downloading
    assert not (tmp_path / "clips" / "ev1.mp4.part").exists()


def test_buffer_is_bounded_and_downscaled(tmp_path: Path) -> None:
    recorder = ClipRecorder("cam", ClipConfig(pre_s=1.0, post_s=1.0, fps=10, max_width=160))
    for frame in _frames(100, 25.0):
        recorder.push(frame)
    assert recorder.buffered_frames == 11  # the current slot plus 1 s of history
    assert 0 < recorder.buffer_bytes < 11 * 160 * 120 * 3
    done = Done()
    recorder.start("e", tmp_path / "e.mp4", on_done=done)
    recorder.close()
    assert done.event.wait(WAIT)
    count, _, size = _probe(tmp_path / "e.mp4")
    assert size == (160, 120)
    assert count == 11  # closed early: the pre-buffer only


def test_clip_size_is_even_and_bounded() -> None:
    assert clip_size(1920, 1080, 1280) == (1280, 720)
    assert clip_size(641, 481, 1280) == (640, 480)
    assert clip_size(1000, 333, 500) == (500, 166)


def test_failed_write_is_reported_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the clip folder should be")
    done = Done()
    recorder = ClipRecorder("cam", ClipConfig(pre_s=0.5, post_s=0.5, fps=10), on_done=done)
    frames = _frames(30, 10.0)
    for frame in frames[:10]:
        recorder.push(frame)
    recorder.start("bad", blocker / "clip.mp4")
    for frame in frames[10:]:
        recorder.push(frame)
    assert done.event.wait(WAIT)
    recorder.close()
    ((event_id, path, error),) = done.calls
    assert event_id == "bad" and path is None
    assert isinstance(error, OSError)


def test_same_event_twice_and_disabled_clips(tmp_path: Path) -> None:
    recorder = ClipRecorder("cam", ClipConfig(pre_s=1, post_s=1))
    recorder.push(_frames(1, 10.0)[0])
    assert recorder.start("e", tmp_path / "e.mp4")
    assert not recorder.start("e", tmp_path / "e.mp4")
    assert recorder.recording == ["e"]
    recorder.close()
    off = ClipRecorder("cam", ClipConfig(enabled=False))
    off.push(_frames(1, 10.0)[0])
    assert off.buffered_frames == 0
    assert not off.start("e", tmp_path / "f.mp4")
    off.close()


def test_reconnect_with_pts_restart_keeps_recording(tmp_path: Path) -> None:
    done = Done()
    recorder = ClipRecorder("cam", ClipConfig(pre_s=0.5, post_s=1.0, fps=10), on_done=done)
    for frame in _frames(10, 10.0, pts0=100.0):
        recorder.push(frame)
    recorder.start("e", tmp_path / "e.mp4")
    for frame in _frames(20, 10.0, segment=1):  # reconnected: pts start again at 0
        recorder.push(frame)
    assert done.event.wait(WAIT)
    recorder.close()
    count, duration, _ = _probe(tmp_path / "e.mp4")
    assert count == 15 and duration == pytest.approx(1.5, abs=0.11)


def test_start_before_any_frame_records_the_next_post_seconds(tmp_path: Path) -> None:
    done = Done()
    recorder = ClipRecorder("cam", ClipConfig(pre_s=2.0, post_s=1.0, fps=10), on_done=done)
    recorder.start("early", tmp_path / "early.mp4")
    for frame in _frames(30, 10.0, pts0=50.0):
        recorder.push(frame)
    assert done.event.wait(WAIT)
    recorder.close()
    count, duration, _ = _probe(tmp_path / "early.mp4")
    assert count == 10 and duration == pytest.approx(1.0, abs=0.11)
