"""The FrameSource interface: something that yields decoded BGR images with their stream time.

Implementations: ``AvSource`` (PyAV/FFmpeg) and ``DemoSource``; open one with ``gwanje.ingest.source.open_source``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from gwanje.core.frame import Image
from gwanje.ingest.urls import SourceKind, SourceTarget


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    """One decoded image and its presentation time in seconds, as the source reports it.

    ``restart`` marks a frame where the picture jumps back although its pts go on (a looped file starting
    over): the reader starts a new stream segment there (``Frame.segment``).
    """

    image: Image
    pts_s: float
    restart: bool = False


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
