"""Clips cut from the camera's own H.264 packets: real files encoded with x264, read by the service's reader,
written by remuxing and decoded back with PyAV."""

from __future__ import annotations

import io
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from gwanje.config.camera import CameraConfig, SourceConfig
from gwanje.config.events import ClipConfig
from gwanje.core.frame import Frame
from gwanje.core.packets import EncodedPacket
from gwanje.events.clip import ClipRecorder
from gwanje.events.packet_clip import LAG_MARGIN_S, PacketClips, remux_mp4
from gwanje.ingest.reader import CameraReader
from gwanje.ingest.source import open_source
from tests.events.clip_support import Done

WAIT = 30.0
FPS = 25


def _camera_file(path: Path, seconds: float, gop_s: float, size: tuple[int, int] = (320, 240)) -> Path:
    """An H.264 recording like a camera's: 25 fps, a keyframe every ``gop_s``, no B-frames, a moving bar."""
    width, height = size
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = round(gop_s * FPS)
        stream.options = {"preset": "ultrafast", "bf": "0", "sc_threshold": "0"}
        rng = np.random.default_rng(3)
        for i in range(round(seconds * FPS)):
            image = np.full((height, width, 3), 60, np.uint8) + rng.integers(0, 12, (height, width, 3), np.uint8)
            x = (i * 4) % (width - 30)
            image[height // 3 : height // 3 + 30, x : x + 30] = 250
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _packets(path: Path) -> list[EncodedPacket]:
    with open_source(SourceConfig(url=str(path), loop=False, realtime=False)) as source:
        source.keep_packets = True
        return [p for frame in source for p in frame.packets]


def _decode(path: Path) -> tuple[list[float], tuple[int, int], float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        rate = float(stream.average_rate or 0)
        return [float(f.time or 0.0) for f in frames], (frames[0].width, frames[0].height), rate


def _play(source: Path, recorder: ClipRecorder, on_frame: Callable[[Frame], None]) -> None:
    """Run the service's reader over ``source`` with the recorder as its packet sink, every analysed frame pushed
    to the recorder and then given to ``on_frame``; the recorder is closed at the end."""
    camera = CameraConfig(
        id="cam", source=SourceConfig(url=str(source), loop=False, realtime=False, wait_for_analysis=True)
    )
    reader = CameraReader(camera, packet_sink=recorder.push_packets)
    reader.start()
    try:
        while not reader.finished:
            frame = reader.get(timeout=1.0)
            if frame is not None:
                recorder.push(frame)
                on_frame(frame)
    finally:
        reader.stop()
    recorder.close()


def test_a_clip_through_the_reader_is_the_cameras_own_packets_from_the_keyframe_before_the_pre_roll(
    tmp_path: Path,
) -> None:
    source = _camera_file(tmp_path / "cam.mp4", seconds=12.0, gop_s=2.0)
    done = Done()
    recorder = ClipRecorder("cam", ClipConfig(pre_s=3.0, post_s=4.0, fps=10, max_width=160), on_done=done)
    starts: list[float] = []

    def on_frame(frame: Frame) -> None:
        if not starts and frame.pts_s >= 5.1:
            assert recorder.remuxing, "an H.264 file hands its packets on"
            assert recorder.buffered_frames == 0, "no analysed frame is JPEG-compressed while packets flow"
            assert recorder.start("ev1", tmp_path / "clips" / "ev1.mp4")
            starts.append(frame.pts_s)

    _play(source, recorder, on_frame)
    assert done.event.wait(WAIT)
    assert done.calls == [("ev1", tmp_path / "clips" / "ev1.mp4", None)]
    assert len(starts) == 1
    started_at = starts[0]
    times, size, rate = _decode(tmp_path / "clips" / "ev1.mp4")
    # Keyframes at 0, 2, 4 ... s: the pre-roll from 5.2 - 3 = 2.2 s starts on the keyframe at 2 s.
    expected_first = 2.0 * int((started_at - 3.0) // 2.0)
    assert size == (320, 240), "the camera's resolution, not max_width"
    assert rate == pytest.approx(FPS), "the camera's frame rate, not clip.fps"
    assert times[0] == pytest.approx(0.0)
    frames_expected = round((started_at + 4.0 - expected_first) * FPS)
    assert abs(len(times) - frames_expected) <= 1
    assert len(times) == len(set(times)), "every frame once"


def test_the_buffer_keeps_pre_roll_margin_and_one_group_of_pictures_only(tmp_path: Path) -> None:
    packets = _packets(_camera_file(tmp_path / "cam.mp4", seconds=30.0, gop_s=2.0))
    clips = PacketClips("cam", pre_s=5.0, post_s=10.0)
    for packet in packets:
        clips.push((packet,), 0)
    assert clips.flowing()
    kept = clips.buffered_packets / FPS
    assert 5.0 + LAG_MARGIN_S <= kept <= 5.0 + LAG_MARGIN_S + 2.0 + 0.05, f"{kept:.2f} s buffered"
    assert clips.buffer_bytes == sum(len(p.data) for p in packets[-clips.buffered_packets :])


def test_a_new_segment_ends_the_clips_in_progress_with_what_they_have(tmp_path: Path) -> None:
    packets = _packets(_camera_file(tmp_path / "cam.mp4", seconds=8.0, gop_s=1.0))
    clips = PacketClips("cam", pre_s=1.0, post_s=5.0)
    for packet in packets[:100]:
        assert clips.push((packet,), 0) == []
    rec = clips.start("ev1", tmp_path / "ev1.mp4", None, at_pts_s=packets[99].pts_s, segment=0)
    assert rec is not None
    for packet in packets[100:110]:
        assert clips.push((packet,), 0) == []
    finished = clips.push((packets[125],), 1)  # a reconnect: new segment
    assert [r.event_id for r in finished] == ["ev1"]
    assert clips.buffered_packets == 1, "the old segment's packets are gone; the new one starts on a keyframe"
    remux_mp4(rec.path, rec.packets, rec.end_s)
    times, _, _ = _decode(rec.path)
    # Pre-roll from 3.96 - 1 = 2.96 s: the keyframe at 2 s (packet 50) .. packet 109, the last before the break.
    assert len(times) == len(rec.packets) == 60


def test_a_clip_completes_when_the_packets_pass_its_end(tmp_path: Path) -> None:
    packets = _packets(_camera_file(tmp_path / "cam.mp4", seconds=6.0, gop_s=1.0))
    clips = PacketClips("cam", pre_s=1.0, post_s=2.0)
    for packet in packets[:50]:
        clips.push((packet,), 0)
    rec = clips.start("ev1", tmp_path / "ev1.mp4", None, at_pts_s=packets[49].pts_s, segment=0)
    assert rec is not None
    finished = []
    for packet in packets[50:]:
        finished += clips.push((packet,), 0)
        if finished:
            assert packet.dts_s >= rec.end_s
            break
    assert [r.event_id for r in finished] == ["ev1"]
    assert rec.packets[0].keyframe and rec.packets[0].dts_s == pytest.approx(0.0)
    # From the keyframe at 0 s (before 1.96 - 1 s) to the last packet before 1.96 + 2 s: 0.00 .. 3.92 s.
    assert remux_mp4(rec.path, rec.packets, rec.end_s) == 99


def test_rare_keyframes_fall_back_to_re_encoded_analysed_frames(tmp_path: Path) -> None:
    source = _camera_file(tmp_path / "cam.mp4", seconds=42.0, gop_s=60.0, size=(160, 120))
    done = Done()
    recorder = ClipRecorder("cam", ClipConfig(pre_s=2.0, post_s=1.0, fps=5), on_done=done)
    started: list[bool] = []

    def on_frame(frame: Frame) -> None:
        if frame.pts_s >= 40.0 and not started:
            assert not recorder.remuxing, "one keyframe in 40 s: the buffer would grow without bound"
            started.append(recorder.start("ev1", tmp_path / "ev1.mp4"))

    _play(source, recorder, on_frame)
    assert started == [True]
    assert done.event.wait(WAIT) and done.calls[0][2] is None
    times, _, rate = _decode(tmp_path / "ev1.mp4")
    assert rate == pytest.approx(5.0), "re-encoded at clip.fps"
    assert len(times) == pytest.approx(5 * 3.0, abs=2), "pre_s + post_s at 5 fps"


def test_remux_makes_decode_times_strictly_increasing(tmp_path: Path) -> None:
    packets = _packets(_camera_file(tmp_path / "cam.mp4", seconds=2.0, gop_s=1.0))
    # A camera whose clock repeats a timestamp (seen on cheap RTSP cameras) must still give a playable file.
    bent = [packets[0], *[p.shifted(-0.04) if i == 5 else p for i, p in enumerate(packets[1:], start=1)]]
    assert bent[5].dts_s == pytest.approx(bent[4].dts_s)
    assert remux_mp4(tmp_path / "bent.mp4", bent, end_s=10.0) == len(packets)
    times, _, _ = _decode(tmp_path / "bent.mp4")
    assert len(times) == len(packets)


def test_remux_clip_of_nothing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no packets"):
        remux_mp4(tmp_path / "x.mp4", [], end_s=1.0)


def test_a_failing_packet_sink_leaves_the_camera_running(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    source = _camera_file(tmp_path / "cam.mp4", seconds=3.0, gop_s=1.0, size=(160, 120))
    calls = []

    def broken(packets: tuple[EncodedPacket, ...], segment: int) -> None:
        calls.append(len(packets))
        raise RuntimeError("disk gone")

    camera = CameraConfig(
        id="cam", source=SourceConfig(url=str(source), loop=False, realtime=False, wait_for_analysis=True)
    )
    reader = CameraReader(camera, packet_sink=broken)
    reader.start()
    got = 0
    try:
        while not reader.finished:
            if reader.get(timeout=1.0) is not None:
                got += 1
    finally:
        reader.stop()
    assert calls == [1], "called once, then no more"
    assert got == 15, "every analysis frame of the 3-s file still came"
    assert "packet sink failed" in caplog.text


def test_the_stream_header_carries_the_codec_parameters(tmp_path: Path) -> None:
    packets = _packets(_camera_file(tmp_path / "cam.mp4", seconds=1.0, gop_s=1.0))
    header = packets[0].header
    assert packets[0].keyframe and all(p.header is header for p in packets)
    assert isinstance(header.time_base, Fraction)
    with av.open(io.BytesIO(header.template), format="matroska") as template:  # what remux_mp4 copies from
        stream = template.streams.video[0]
        assert (stream.codec_context.name, stream.width, stream.height) == ("h264", 320, 240)
