"""Public entry points for sources: open a camera source, or read a video file for offline analysis."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from gwanje.config.camera import SourceConfig
from gwanje.core.frame import Frame
from gwanje.ingest.av_source import AvSource
from gwanje.ingest.base import DecodedFrame, FrameSource
from gwanje.ingest.demo import DemoSource
from gwanje.ingest.files import open_video_file
from gwanje.ingest.timing import Decimator, Segments
from gwanje.ingest.urls import SourceKind, resolve_source

__all__ = ["DecodedFrame", "FrameSource", "iter_file_frames", "open_source", "probe_duration", "source_frames"]


def open_source(cfg: SourceConfig) -> FrameSource:
    """Open the source described by ``cfg`` (URL forms: see ``SourceConfig`` and docs/ingest.md).

    Raises ``SourceUnavailable`` (retry later) or ``SourceFormatError`` (not usable video).
    """
    target = resolve_source(cfg)
    if target.kind is SourceKind.DEMO:
        return DemoSource(target, realtime=cfg.realtime)
    return AvSource(target, cfg)


def iter_file_frames(path: str | Path, analysis_fps: float, camera_id: str = "file") -> Iterator[Frame]:
    """Decode ``path`` as fast as possible and yield frames kept at ``analysis_fps`` by pts.

    ``pts_s`` is the media time; ``wall_time`` is the start of the analysis plus the media time, so a
    file gives the same events whatever the machine's speed. No frame is dropped for being late.
    Raises ``SourceFormatError`` when the file is not video, ``SourceUnavailable`` when it cannot be read.
    Corrupt packets are skipped (the count is not reported here; use ``CameraReader`` for counters).
    """
    with open_video_file(path) as source:
        yield from source_frames(source, analysis_fps, camera_id)


def source_frames(source: Iterable[DecodedFrame], analysis_fps: float, camera_id: str = "file") -> Iterator[Frame]:
    """Frames of an opened ``source`` kept at ``analysis_fps`` by pts, numbered and split into segments
    (``Frame.segment``) like the live reader's, as fast as they decode."""
    decimator = Decimator(analysis_fps)
    segments = Segments()
    start_wall = time.time()
    seq = 0
    for decoded in source:
        segment = segments.mark(decoded.pts_s, decoded.restart)
        if decimator.keep(decoded.pts_s):
            yield Frame(camera_id, seq, decoded.pts_s, start_wall + decoded.pts_s, decoded.image, segment)
            seq += 1


def probe_duration(path: str | Path) -> float | None:
    """Length of the video in seconds, or None when the container does not say (for a progress bar).

    Raises ``SourceFormatError`` / ``SourceUnavailable`` like ``iter_file_frames``.
    """
    with open_video_file(path) as source:
        return source.duration_s()
