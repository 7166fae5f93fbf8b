"""Real decoding of generated clips through open_source / iter_file_frames."""

from __future__ import annotations

import os
from itertools import islice, pairwise
from pathlib import Path

import av
import numpy as np
import pytest

from gwanje.config.camera import SourceConfig
from gwanje.core.errors import SourceFormatError, SourceUnavailable
from gwanje.ingest.source import iter_file_frames, open_source, probe_duration
from tests.ingest.helpers import write_faststart_clip


def test_file_decodes_every_frame_as_bgr_with_media_pts(tiny_clip: Path) -> None:
    with open_source(SourceConfig(url=str(tiny_clip), realtime=False)) as source:
        frames = list(source)
        assert source.finite and source.corrupt_frames == 0
    assert len(frames) == 50
    assert frames[0].image.shape == (240, 320, 3) and frames[0].image.dtype.name == "uint8"
    assert [round(f.pts_s, 3) for f in frames[:3]] == [0.0, 0.04, 0.08]
    # The box is white on a dark background: decoding really produced the picture.
    assert frames[10].image.max() > 200 and frames[10].image.min() < 60


def test_looped_file_keeps_going_with_increasing_pts(tiny_clip: Path) -> None:
    with open_source(SourceConfig(url=f"file://{tiny_clip}", loop=True, realtime=False)) as source:
        assert not source.finite
        pts = [f.pts_s for f in islice(source, 130)]
    assert len(pts) == 130
    assert all(b > a for a, b in pairwise(pts))
    assert abs(pts[50] - 2.0) < 1e-6  # the second pass continues one frame after the first ended


@pytest.mark.parametrize(
    ("name", "content"),
    [("notes.txt", b"this is a text file\n" * 200), ("random.mp4", os.urandom(20_000)), ("empty.mp4", b"")],
)
def test_a_file_that_is_not_video_is_a_clear_format_error(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceFormatError, match=name) as info:
        open_source(SourceConfig(url=str(path)))
    assert "video" in str(info.value)
    with pytest.raises(SourceFormatError):
        list(iter_file_frames(path, 5.0))


def test_an_audio_only_file_is_a_format_error_listing_its_streams(tmp_path: Path) -> None:
    path = tmp_path / "siren.wav"
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("pcm_s16le", rate=8000)
        samples = av.AudioFrame.from_ndarray(np.zeros((1, 8000), np.int16), format="s16", layout="mono")
        samples.sample_rate = 8000
        for packet in [*stream.encode(samples), *stream.encode()]:
            container.mux(packet)
    with pytest.raises(SourceFormatError, match=r"no video stream \(streams found: \['audio'\]\)"):
        open_source(SourceConfig(url=str(path)))


def test_a_missing_file_is_unavailable_not_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailable, match="not found"):
        open_source(SourceConfig(url=str(tmp_path / "nope.mp4")))


def test_a_file_cut_in_the_middle_decodes_what_it_can_and_counts_the_damage(tmp_path: Path) -> None:
    data = write_faststart_clip(tmp_path / "whole.mp4", frames=100).read_bytes()
    n = len(data)
    damaged = tmp_path / "cut.mp4"
    damaged.write_bytes(data[: n // 2] + data[n // 2 + n // 5 :])
    with open_source(SourceConfig(url=str(damaged), realtime=False)) as source:
        frames = list(source)
        corrupt = source.corrupt_frames
    assert 20 <= len(frames) < 100
    assert corrupt > 0


def test_iter_file_frames_decimates_by_pts_and_numbers_frames(tiny_clip: Path) -> None:
    frames = list(iter_file_frames(tiny_clip, analysis_fps=5.0, camera_id="lobby"))
    assert len(frames) == 10
    assert [f.seq for f in frames] == list(range(10))
    assert [round(f.pts_s, 2) for f in frames] == [round(0.2 * i, 2) for i in range(10)]
    assert {f.camera_id for f in frames} == {"lobby"}
    assert abs((frames[-1].wall_time - frames[0].wall_time) - 1.8) < 1e-6


def test_probe_duration_reports_the_length_for_a_progress_bar(tiny_clip: Path, tmp_path: Path) -> None:
    duration = probe_duration(tiny_clip)
    assert duration is not None and abs(duration - 2.0) < 0.05
    text = tmp_path / "x.txt"
    text.write_text("hello " * 500)
    with pytest.raises(SourceFormatError, match="text file"):
        probe_duration(text)


def test_unsupported_protocol_is_a_format_error_naming_the_masked_url() -> None:
    with pytest.raises(SourceFormatError) as info:
        open_source(SourceConfig(url="nosuchproto://user:pw1234@host/x"))
    assert "pw1234" not in str(info.value) and "user:***@host" in str(info.value)
