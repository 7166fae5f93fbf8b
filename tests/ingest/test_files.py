"""ingest.files: the one path offline readers (analyze, eval, training) take from a file to analysed frames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt
import pytest

from gwanje.core.errors import SourceFormatError
from gwanje.ingest import av_source
from gwanje.ingest.files import analysed, decoded_frames, read_image
from gwanje.ingest.source import iter_file_frames


@dataclass(frozen=True)
class _At:
    pts_s: float


def test_analysed_keeps_what_the_decimator_keeps_and_can_join_late() -> None:
    # 12 fps to 5 fps: each kept frame is the first at or after 0.2 s past the previous one, never the nearest
    frames = [_At(i / 12) for i in range(13)]
    assert [round(f.pts_s * 12) for f in analysed(frames, 5.0)] == [0, 3, 5, 8, 10, 12]
    # joining 0.1 s in: the decimator starts at the first frame from there (2/12 s)
    assert [round(f.pts_s * 12) for f in analysed(frames, 5.0, start_s=0.1)] == [2, 5, 7, 10, 12]


def test_frames_before_the_first_are_kept_when_analysis_starts_at_once() -> None:
    # a stream whose time goes back (a restarted encoder): the decimator restarts, nothing is dropped for it
    frames = [_At(5.0), _At(5.2), _At(0.0), _At(0.2)]
    assert [f.pts_s for f in analysed(frames, 5.0)] == [5.0, 5.2, 0.0, 0.2]


def test_iter_file_frames_is_decoded_frames_through_analysed(tiny_clip: Path) -> None:
    every = list(decoded_frames(tiny_clip))
    assert len(every) == 50
    kept = list(analysed(every, 5.0))
    frames = list(iter_file_frames(tiny_clip, 5.0))
    assert [f.pts_s for f in frames] == [d.pts_s for d in kept]
    assert all(np.array_equal(f.image, d.image) for f, d in zip(frames, kept, strict=True))


def test_read_image_gives_a_bgr_frame_or_a_format_error(tmp_path: Path) -> None:
    picture = np.zeros((4, 6, 3), np.uint8)
    picture[..., 2] = 255  # red in BGR
    cv2.imwrite(str(tmp_path / "red.png"), picture)
    image = read_image(tmp_path / "red.png")
    assert image.shape == (4, 6, 3) and image.dtype == np.uint8 and image[0, 0].tolist() == [0, 0, 255]
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(SourceFormatError, match="not a readable image"):
        read_image(tmp_path / "notes.png")


def test_only_the_frames_kept_for_analysis_are_converted_to_bgr(
    tiny_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decoder hands pictures over deferred: a 25 fps file analysed at 5 fps converts 10 of its 50 frames."""
    converted: list[tuple[int, int]] = []
    to_bgr = av_source._bgr

    def counted(picture: av.VideoFrame) -> npt.NDArray[np.uint8]:
        converted.append((picture.width, picture.height))
        return to_bgr(picture)

    monkeypatch.setattr(av_source, "_bgr", counted)
    frames = list(iter_file_frames(tiny_clip, analysis_fps=5))
    assert len(frames) == 10 and len(converted) == 10
    assert all(f.image.shape == (240, 320, 3) for f in frames) and set(converted) == {(320, 240)}
