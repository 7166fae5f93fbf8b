"""The FrameSource interface: something that yields decoded BGR images with their stream time.

Implementations: ``AvSource`` (PyAV/FFmpeg) and ``DemoSource``; open one with ``gwanje.ingest.source.open_source``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Self

from gwanje.core.frame import Image
from gwanje.core.packets import EncodedPacket
from gwanje.ingest.urls import SourceKind, SourceTarget


class DecodedFrame:
    """One decoded picture and its presentation time in seconds, as the source reports it.

    ``restart`` marks a frame where the picture jumps back although its pts go on (a looped file starting
    over): the reader starts a new stream segment there (``Frame.segment``).

    ``image`` is the BGR picture. A source may hand it over *deferred* (``DecodedFrame.deferred``): made on first
    use, so that the frames the reader drops (a 25 fps camera analysed at 5 fps drops four in five) are never
    converted: converting a decoded 720p picture to BGR costs ≈ 0.7 ms, a quarter of decoding it.

    ``packets`` are the compressed packets demuxed since the frame before (only from a source asked to keep them,
    ``FrameSource.keep_packets``), with times on the same axis as ``pts_s``.

    Example:
        >>> import numpy as np
        >>> frame = DecodedFrame.deferred(lambda: np.zeros((2, 3, 3), np.uint8), (3, 2), 0.04)
        >>> (frame.width, frame.height), frame.image.shape
        ((3, 2), (2, 3, 3))
    """

    __slots__ = ("_convert", "_image", "height", "packets", "pts_s", "restart", "width")

    def __init__(self, image: Image, pts_s: float, restart: bool = False) -> None:
        self._image: Image | None = image
        self._convert: Callable[[], Image] | None = None
        self.height, self.width = int(image.shape[0]), int(image.shape[1])
        self.pts_s = pts_s
        self.restart = restart
        self.packets: tuple[EncodedPacket, ...] = ()

    @classmethod
    def deferred(
        cls, convert: Callable[[], Image], size: tuple[int, int], pts_s: float, restart: bool = False
    ) -> DecodedFrame:
        """A frame whose picture ``convert()`` makes when first asked for; ``size`` = (width, height)."""
        frame = cls.__new__(cls)
        frame._image, frame._convert = None, convert
        frame.width, frame.height = size
        frame.pts_s, frame.restart = pts_s, restart
        frame.packets = ()
        return frame

    @property
    def image(self) -> Image:
        if self._image is None:
            assert self._convert is not None
            self._image, self._convert = self._convert(), None
        return self._image


class FrameSource(ABC):
    """An opened source. Iterate it for frames; the iteration ends when the stream or file ends.

    Opening (the constructor) raises ``SourceUnavailable`` (cannot connect, retry later) or
    ``SourceFormatError`` (opened, but not usable video). Iterating raises ``SourceUnavailable``
    when a live stream breaks. Corrupt packets and frames are skipped and counted in
    ``corrupt_frames``; they never end the iteration on their own.
    """

    def __init__(self, target: SourceTarget) -> None:
        self.target = target
        self.corrupt_frames = 0
        self.keep_packets = False
        """Set before iterating to have H.264 packets handed on with the frames (``DecodedFrame.packets``), for
        clips without re-encoding; a source that cannot (another codec, a generated picture) ignores it."""
        self.decode_frames = True
        """False (with ``keep_packets``): a record stream, nothing decoded; one frame per kept packet, with the
        packet and no picture. A source that cannot hand on packets then refuses to iterate."""

    @property
    def kind(self) -> SourceKind:
        return self.target.kind

    @property
    def display(self) -> str:
        """Source URL with credentials masked."""
        return self.target.display

    @property
    def paced(self) -> bool:
        """True when frames come as fast as they are decoded and the reader must pace them to their pts."""
        return False

    @property
    def finite(self) -> bool:
        """True when the end of the iteration means 'finished' (a file not looped) rather than a disconnect."""
        return False

    @abstractmethod
    def __iter__(self) -> Iterator[DecodedFrame]: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
