"""FrameSource backed by PyAV (FFmpeg): RTSP(S), RTMP, HTTP(S)/MJPEG, files and local devices."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from fractions import Fraction
from functools import partial
from typing import cast

import av
import av.error

from gwanje.config.camera import SourceConfig
from gwanje.core.errors import SourceFormatError, SourceUnavailable
from gwanje.core.frame import Image
from gwanje.core.packets import EncodedPacket, StreamHeader
from gwanje.core.secrets import redact
from gwanje.ingest.base import DecodedFrame, FrameSource
from gwanje.ingest.urls import SourceKind, SourceTarget

log = logging.getLogger(__name__)

_MAX_DEMUX_ERRORS_IN_A_ROW = 25
"""A damaged file is read past this many consecutive unreadable spots before it is treated as ended."""

_FALLBACK_FPS = 25.0

_UNTIMED_FORMATS = frozenset({"mpjpeg", "mjpeg", "jpeg_pipe", "image2pipe", "h264", "hevc"})
"""Demuxers that invent pts at a guessed 25 fps (MJPEG over HTTP, raw elementary streams): on a live source
their frames are timed by arrival instead, or decimation would follow the guess, not the camera."""

_REMUXABLE_CODECS = frozenset({"h264"})
"""Codecs whose packets an MP4 clip can take as they are and every browser plays."""

_TEXT_FORMATS = frozenset({"tty"})
_TEXT_CODECS = frozenset({"ansi", "bintext", "xbin", "idf"})


class AvSource(FrameSource):
    """Opens the container in the constructor; iterating demuxes and decodes the first video stream."""

    def __init__(self, target: SourceTarget, cfg: SourceConfig) -> None:
        super().__init__(target)
        is_file = target.kind is SourceKind.FILE
        self._loop = is_file and cfg.loop
        self._paced = is_file and cfg.realtime
        self._timeout_s = cfg.timeout_s
        started = time.monotonic()
        try:
            self._container = av.open(
                target.url, format=target.format, options=target.options, timeout=(cfg.timeout_s, cfg.timeout_s)
            )
        except Exception as exc:
            timed_out = time.monotonic() - started >= 0.9 * cfg.timeout_s
            raise self._open_error(exc, timed_out) from None
        if not self._container.streams.video:
            found = [s.type for s in self._container.streams] or "none"
            self._container.close()
            raise SourceFormatError(
                f"{self.display}: no video stream (streams found: {found}); point the camera at a video URL or file"
            )
        self._stream = self._container.streams.video[0]
        if self._container.format.name in _TEXT_FORMATS or self._stream.codec_context.name in _TEXT_CODECS:
            self._container.close()
            raise SourceFormatError(
                f"{self.display}: this is a text file, not a video (FFmpeg would render it as ANSI art); "
                "check the path points to a video file"
            )
        self._stream.codec_context.thread_count = cfg.decode_threads
        if cfg.decode_threads != 1:
            self._stream.thread_type = "AUTO"
        rate = self._stream.average_rate or self._stream.guessed_rate
        self._interval = 1.0 / float(rate) if rate else 1.0 / _FALLBACK_FPS
        self._arrival_pts = target.kind.is_live and self._container.format.name in _UNTIMED_FORMATS
        self._remuxable = self._stream.codec_context.name in _REMUXABLE_CODECS and not self._arrival_pts
        self._header: StreamHeader | None = None
        self._packets: list[EncodedPacket] = []

    @property
    def paced(self) -> bool:
        return self._paced

    @property
    def finite(self) -> bool:
        return self.kind is SourceKind.FILE and not self._loop

    def duration_s(self) -> float | None:
        """Length of a file in seconds, when the container says so."""
        if self._stream.duration is not None and self._stream.time_base is not None:
            return float(self._stream.duration * self._stream.time_base)
        if self._container.duration is not None:
            return float(self._container.duration) / 1_000_000
        return None

    def close(self) -> None:
        self._container.close()

    def __iter__(self) -> Iterator[DecodedFrame]:
        """Frames in decode order; a looped file continues with pts that keep increasing, its first frame
        of each new pass marked ``restart``. Without ``decode_frames``, one picture-less frame per kept packet."""
        if not self.decode_frames and not (self.keep_packets and self._remuxable):
            raise SourceFormatError(
                f"{self.display}: a record stream must be H.264 with timestamps (its packets go into clips as they "
                f"are; this one is {self._stream.codec_context.name}); point record_url at the camera's H.264 stream"
            )
        shift = 0.0
        last_out: float | None = None
        first_pass = True
        while True:
            pass_first: float | None = None
            for picture, raw_pts in self._decode_pass(rewind=not first_pass):
                restart = False
                if pass_first is None:
                    pass_first = raw_pts
                    if not first_pass and last_out is not None:
                        shift = last_out + self._interval - raw_pts
                        restart = True
                last_out = raw_pts + shift
                if picture is None:
                    size, convert = (self._stream.width, self._stream.height), partial(_not_decoded, self.display)
                else:
                    size, convert = (picture.width, picture.height), partial(_bgr, picture)
                decoded = DecodedFrame.deferred(convert, size, last_out, restart)
                if self._packets:
                    decoded.packets = tuple(p.shifted(shift) for p in self._packets)
                    self._packets = []
                yield decoded
            if not self._loop:
                return
            if pass_first is None:
                raise SourceFormatError(f"{self.display}: the file has no decodable video frame; cannot loop it")
            first_pass = False

    def _decode_pass(self, rewind: bool) -> Iterator[tuple[av.VideoFrame | None, float]]:
        if rewind:
            self._container.seek(0)
            self._packets = []
        errors_in_row = 0
        previous_pts: float | None = None
        arrival_origin = time.monotonic()
        while True:
            try:
                for packet in self._container.demux(self._stream):
                    errors_in_row = 0
                    if self.keep_packets and self._remuxable:
                        kept = len(self._packets)
                        self._keep(packet)
                        if not self.decode_frames:
                            if len(self._packets) > kept:
                                yield None, self._packets[-1].dts_s
                            continue
                    for frame in self._decode(packet):
                        pts = time.monotonic() - arrival_origin if self._arrival_pts else frame.time
                        if pts is None:
                            pts = (previous_pts + self._interval) if previous_pts is not None else 0.0
                        previous_pts = pts
                        yield frame, float(pts)
                return
            except (av.error.FFmpegError, OSError) as exc:
                if self.kind is not SourceKind.FILE:
                    raise self._read_error(exc) from None
                # A damaged spot in a file: count it and read on from where the demuxer stands.
                self.corrupt_frames += 1
                errors_in_row += 1
                if errors_in_row >= _MAX_DEMUX_ERRORS_IN_A_ROW:
                    log.warning("%s: stopped reading after %d unreadable spots in a row", self.display, errors_in_row)
                    return

    def _keep(self, packet: av.Packet[av.VideoStream]) -> None:
        """Hold a copy of the compressed packet for ``DecodedFrame.packets`` (from the first keyframe on)."""
        if packet.size == 0 or packet.is_corrupt or packet.pts is None or packet.dts is None:
            return
        if self._header is None:
            if not packet.is_keyframe:
                return
            self._header = self._stream_header(packet)
            if self._header is None:
                self._remuxable = False
                return
        base = packet.time_base or self._stream.time_base
        if base is None:
            return
        self._packets.append(
            EncodedPacket(
                bytes(packet), float(packet.pts * base), float(packet.dts * base), packet.is_keyframe, self._header
            )
        )

    def _stream_header(self, keyframe: av.Packet[av.VideoStream]) -> StreamHeader | None:
        """The codec parameters as a one-packet Matroska file (see ``StreamHeader``); None when FFmpeg refuses."""
        base = self._stream.time_base or Fraction(1, 90_000)
        buffer = io.BytesIO()
        try:
            with av.open(buffer, mode="w", format="matroska") as out:
                stream = out.add_stream_from_template(self._stream)
                copy = av.Packet(bytes(keyframe))
                copy.pts = copy.dts = 0
                copy.time_base, copy.stream, copy.is_keyframe = base, stream, True
                out.mux(copy)
        except (av.error.FFmpegError, ValueError) as exc:
            log.info("%s: clips will be re-encoded (the stream's packets cannot be remuxed: %s)", self.display, exc)
            return None
        return StreamHeader(base, buffer.getvalue())

    def _decode(self, packet: av.Packet[av.VideoStream]) -> list[av.VideoFrame]:
        if packet.is_corrupt:
            self.corrupt_frames += 1
            return []
        try:
            frames = packet.decode()
        except av.error.EOFError:
            return []
        except (av.error.FFmpegError, ValueError):
            self.corrupt_frames += 1
            return []
        good: list[av.VideoFrame] = []
        for frame in frames:
            if not isinstance(frame, av.VideoFrame):
                continue
            if frame.is_corrupt:
                self.corrupt_frames += 1
            else:
                good.append(frame)
        return good

    def _message(self, exc: BaseException) -> str:
        return redact(str(exc) or type(exc).__name__, self.target.url)

    def _open_error(self, exc: BaseException, timed_out: bool) -> Exception:
        where = self.display
        detail = self._message(exc)
        if timed_out or isinstance(exc, av.error.ExitError | av.error.TimeoutError | TimeoutError):
            # FFmpeg reports some timeouts as other errors (RTSP: "invalid data"); the clock says what happened.
            return SourceUnavailable(f"{where}: no answer within {self._timeout_s:g} s")
        if isinstance(exc, av.error.InvalidDataError):
            return SourceFormatError(
                f"{where}: not a video FFmpeg can read ({detail}); check that it points to a video file or stream"
            )
        if isinstance(
            exc, av.error.ProtocolNotFoundError | av.error.DemuxerNotFoundError | av.error.OptionNotFoundError
        ):
            return SourceFormatError(f"{where}: unsupported URL form or format ({detail}); see docs/ingest.md")
        if isinstance(exc, av.error.FileNotFoundError | FileNotFoundError):
            return SourceUnavailable(f"{where}: file or device not found")
        if isinstance(exc, av.error.HTTPUnauthorizedError | av.error.HTTPForbiddenError):
            return SourceUnavailable(f"{where}: access refused ({detail}); check the user and password variables")
        if isinstance(exc, av.error.FFmpegError | OSError):
            return SourceUnavailable(f"{where}: cannot open ({detail})")
        return SourceUnavailable(f"{where}: unexpected error while opening ({type(exc).__name__}: {detail})")

    def _read_error(self, exc: BaseException) -> SourceUnavailable:
        if isinstance(exc, av.error.ExitError | av.error.TimeoutError | TimeoutError):
            return SourceUnavailable(f"{self.display}: no data for {self._timeout_s:g} s")
        if isinstance(exc, av.error.EOFError):
            return SourceUnavailable(f"{self.display}: the stream ended")
        return SourceUnavailable(f"{self.display}: read failed ({self._message(exc)})")


def _bgr(picture: av.VideoFrame) -> Image:
    return cast(Image, picture.to_ndarray(format="bgr24"))


def _not_decoded(display: str) -> Image:
    raise RuntimeError(f"{display}: a record stream's frames are not decoded; only their packets are kept")
