"""Ingest marks every stream break on the frames (``Frame.segment``): pts going back, a new connection,
a looped file starting over. Later stages restart on the mark instead of comparing times."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice, pairwise
from pathlib import Path

import numpy as np
import pytest

from gwanje.config.camera import SourceConfig
from gwanje.core.frame import Frame
from gwanje.ingest import CameraReader, open_source
from gwanje.ingest import reader as reader_module
from gwanje.ingest.base import DecodedFrame, FrameSource
from gwanje.ingest.source import source_frames
from gwanje.ingest.timing import Segments
from gwanje.ingest.urls import SourceKind, SourceTarget
from tests.ingest.helpers import camera, collect

IMAGE = np.zeros((8, 8, 3), np.uint8)


def test_segments_break_where_pts_go_back_at_a_restart_and_at_a_new_connection() -> None:
    segments = Segments()
    assert [segments.mark(p) for p in (0.0, 0.2, 0.4, 0.1, 0.3)] == [0, 0, 0, 1, 1]
    assert segments.mark(0.5, restart=True) == 2  # pts go on, but the picture started over
    segments.connected()
    assert [segments.mark(p) for p in (9.0, 9.2)] == [3, 3]
    first = Segments()
    first.connected()  # the first connection is no break
    assert first.mark(0.0) == 0


def _decoded(pts: list[float]) -> list[DecodedFrame]:
    return [DecodedFrame(IMAGE, p) for p in pts]


def test_a_file_whose_pts_go_back_gives_a_marked_frame() -> None:
    """The frames ``gwanje analyze`` and ``gwanje eval`` analyse (``iter_file_frames`` reads through it)."""
    frames = list(source_frames(_decoded([0.0, 0.2, 0.4, 0.6, 0.2, 0.4, 0.6]), analysis_fps=5.0))
    assert [round(f.pts_s, 1) for f in frames] == [0.0, 0.2, 0.4, 0.6, 0.2, 0.4, 0.6]
    assert [f.segment for f in frames] == [0, 0, 0, 0, 1, 1, 1]


def test_a_break_between_kept_frames_is_not_lost() -> None:
    # the frame where pts go back is dropped by decimation; the next kept frame still carries the new segment
    frames = list(source_frames(_decoded([0.0, 0.1, 0.2, 0.05, 0.15, 0.25]), analysis_fps=5.0))
    assert [f.segment for f in frames][-1] == 1 and frames[0].segment == 0


class _ScriptedSource(FrameSource):
    """Yields the frames of one connection, then ends like a dropped stream (or a file, with ``finite``)."""

    def __init__(self, pts: list[float], finite: bool) -> None:
        super().__init__(SourceTarget(SourceKind.RTSP, "rtsp://cam/1"))
        self._pts, self._finite = pts, finite

    @property
    def finite(self) -> bool:
        return self._finite

    def __iter__(self) -> Iterator[DecodedFrame]:
        yield from _decoded(self._pts)

    def close(self) -> None:
        pass


def _reader(monkeypatch: pytest.MonkeyPatch, connections: list[_ScriptedSource]) -> CameraReader:
    pending = iter(connections)
    monkeypatch.setattr(reader_module, "open_source", lambda _cfg: next(pending))
    cam = camera("rtsp://cam/1", analysis_fps=30.0, reconnect_initial_s=0.01, reconnect_max_s=0.01)
    return CameraReader(cam, buffer_size=100)


def test_the_live_reader_marks_a_reconnect_and_a_clock_jump_back(
    monkeypatch: pytest.MonkeyPatch, readers: list[CameraReader]
) -> None:
    reader = _reader(
        monkeypatch,
        [
            _ScriptedSource([100.0, 100.1, 100.2, 50.0, 50.1, 50.2], finite=False),  # the clock jumped back 50 s
            _ScriptedSource([7.0, 7.1, 7.2], finite=True),  # reconnected: a new clock
        ],
    )
    readers.append(reader)
    reader.start()
    frames = collect(reader, until=lambda _: reader.finished)
    segments = [f.segment for f in frames]
    # live pts are rebased to continue (the first frame after a break may fall to decimation)
    assert segments[:3] == [0, 0, 0] and sorted(segments) == segments and set(segments) == {0, 1, 2}
    assert all(b.pts_s > a.pts_s for a, b in pairwise(frames))  # live pts never go back
    assert reader.stats.reconnects == 1


def test_a_looped_file_starts_a_new_segment_at_each_pass(tiny_clip: Path, readers: list[CameraReader]) -> None:
    with open_source(SourceConfig(url=f"file://{tiny_clip}", loop=True, realtime=False)) as source:
        restarts = [i for i, f in enumerate(islice(source, 130)) if f.restart]
    assert restarts == [50, 100]  # the clip has 50 frames
    reader = CameraReader(camera(str(tiny_clip), loop=True, realtime=False), buffer_size=100)
    readers.append(reader)
    reader.start()
    frames: list[Frame] = collect(reader, until=lambda got: bool(got) and got[-1].pts_s > 2.5)
    first_of_second_pass = next(i for i, f in enumerate(frames) if f.pts_s >= 2.0 - 1e-6)
    assert {f.segment for f in frames[:first_of_second_pass]} == {0}
    assert {f.segment for f in frames[first_of_second_pass:]} == {1}
