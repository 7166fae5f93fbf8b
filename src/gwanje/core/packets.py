"""A camera's compressed video packets, as demuxed, for clips recorded without re-encoding.

The reader hands them on beside the decoded frames; the clip recorder keeps the last seconds of them and writes an
event's clip by remuxing them into MP4: the camera's own frame rate, resolution and quality, and no encoder.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, eq=False)
class StreamHeader:
    """What a muxer needs to take a stream's packets without decoding them: its codec parameters.

    ``template`` is a small Matroska file (the stream's header and its first keyframe) that PyAV opens to copy the
    codec parameters (SPS/PPS) into a new file; PyAV has no other way to carry them between containers. One
    header per opened source; the reader starts a new stream segment on every open, and a clip never spans two.
    """

    time_base: Fraction
    template: bytes


@dataclass(frozen=True)
class EncodedPacket:
    """One compressed packet with its times in seconds on the reader's timeline (that of ``Frame.pts_s``)."""

    data: bytes
    pts_s: float
    dts_s: float
    keyframe: bool
    header: StreamHeader

    def shifted(self, by_s: float) -> EncodedPacket:
        """The same packet ``by_s`` seconds later (the reader moves a live stream's times onto its own clock)."""
        if by_s == 0.0:
            return self
        return dataclasses.replace(self, pts_s=self.pts_s + by_s, dts_s=self.dts_s + by_s)
