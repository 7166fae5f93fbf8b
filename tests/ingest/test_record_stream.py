"""A record stream (``CameraReader(frames=False)``): packets handed on, nothing decoded, no frame buffered."""

from __future__ import annotations

from pathlib import Path

import pytest

from gwanje.core.health import StreamState
from gwanje.core.packets import EncodedPacket
from gwanje.ingest import CameraReader
from tests.ingest.helpers import camera, wait_until
from tests.support.media import moving_box_frames, write_clip


class Packets:
    def __init__(self) -> None:
        self.got: list[EncodedPacket] = []

    def __call__(self, packets: tuple[EncodedPacket, ...], segment: int) -> None:
        self.got.extend(packets)


def _reader(url: str, sink: Packets) -> CameraReader:
    return CameraReader(camera(url, "rec", realtime=False, reconnect_max_s=60), packet_sink=sink, frames=False)


def test_a_record_stream_hands_on_every_packet_and_decodes_nothing(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "main.mp4", moving_box_frames(50), fps=25, gop=10)
    sink = Packets()
    reader = _reader(str(clip), sink)
    reader.start()
    try:
        assert wait_until(lambda: reader.ended, timeout=20)
        assert reader.get(timeout=0.2) is None, "no frame is buffered for analysis"
        stats = reader.stats
    finally:
        reader.stop()
    assert len(sink.got) == 50 and sink.got[0].keyframe
    assert sum(p.keyframe for p in sink.got) == 5
    assert [p.dts_s for p in sink.got] == sorted(p.dts_s for p in sink.got)
    assert stats.frames_decoded == 50 and stats.frames_analyzed == 0
    assert (stats.width, stats.height) == (320, 240), "the stream's size, read from its header"


@pytest.mark.parametrize(("kind", "reason"), [("mpeg4", "must be H.264"), ("demo", "not a record stream")])
def test_a_stream_that_cannot_be_recorded_says_so(tmp_path: Path, kind: str, reason: str) -> None:
    url = "demo:" if kind == "demo" else str(write_clip(tmp_path / "main.mp4", moving_box_frames(10), codec=kind))
    sink = Packets()
    reader = _reader(url, sink)
    reader.start()
    try:
        assert wait_until(lambda: reader.stats.state is StreamState.OFFLINE, timeout=20)
        assert reason in (reader.stats.last_error or "")
    finally:
        reader.stop()
    assert sink.got == []


def test_a_record_reader_needs_a_packet_sink() -> None:
    with pytest.raises(ValueError, match="packet sink"):
        CameraReader(camera("demo:", "rec"), frames=False)


def test_a_record_reader_whose_sink_fails_stops(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    clip = write_clip(tmp_path / "main.mp4", moving_box_frames(50), fps=25, gop=10)

    def broken(packets: tuple[EncodedPacket, ...], segment: int) -> None:
        raise OSError("no space left on device")

    reader = CameraReader(camera(str(clip), "rec", realtime=True, loop=True), packet_sink=broken, frames=False)
    reader.start()
    try:
        assert wait_until(lambda: not reader.running, timeout=10), "nothing left to do: the thread ends"
    finally:
        reader.stop()
    assert "packet sink failed" in caplog.text
