"""Evidence clips from the camera's own H.264 packets: full frame rate, full resolution, no re-encoding.

The reader hands every compressed packet on (``gwanje.ingest.reader.PacketSink``); :class:`PacketClips` keeps the
last ``pre_s`` seconds of them, plus the group of pictures the oldest needed frame depends on and a margin for
the analysis running behind the reader, and collects an event's packets until ``post_s`` seconds after it.
Writing the clip is a remux into MP4 (milliseconds); nothing is decoded or encoded, so a clip costs no CPU per
analysed frame. A clip starts on a keyframe, so its pre-roll is up to one keyframe interval longer than ``pre_s``.

When a stream's keyframes are too rare to bound the buffer (over ``MAX_KEYFRAME_GAP_S`` apart) the camera's
clips go back to re-encoded analysed frames (``ClipRecorder``), as do sources that hand on no packets.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import av

from gwanje.core.packets import EncodedPacket

log = logging.getLogger(__name__)

MAX_KEYFRAME_GAP_S = 30.0
"""Longest keyframe interval buffered; cameras with a 'smart codec' GOP beyond it get re-encoded clips."""

LAG_MARGIN_S = 3.0
"""Packets are kept this much beyond ``pre_s``: the event's frame was analysed a little after it was read."""

LIVE_WITHIN_S = 2.0
"""Packets count as flowing while the last one arrived within this many seconds (monotonic)."""

DoneCallback = Callable[[str, Path | None, BaseException | None], None]
"""Called on the writer thread as ``on_done(event_id, path or None, error or None)``."""


@dataclass
class PacketRecording:
    """One event's clip being collected from packets; ``end_s`` on the reader's timeline (``Frame.pts_s``)."""

    event_id: str
    path: Path
    end_s: float
    on_done: DoneCallback | None
    packets: list[EncodedPacket] = field(default_factory=list)


class PacketClips:
    """The packet ring buffer of one camera and the clips being collected from it.

    ``push`` runs on the reader's thread, ``start`` on the camera's analysis thread; both return the recordings
    that are complete, for the caller to write.
    """

    def __init__(self, camera_id: str, pre_s: float, post_s: float) -> None:
        self.camera_id = camera_id
        self.pre_s = pre_s
        self.post_s = post_s
        self._buffer: deque[EncodedPacket] = deque()
        self._keyframes: deque[float] = deque()
        """dts of the keyframes in the buffer, oldest first (the buffer always starts with one)."""
        self._bytes = 0
        self._segment: int | None = None
        self._recordings: list[PacketRecording] = []
        self._last_arrival: float | None = None
        self._gave_up = False
        self._lock = threading.Lock()

    @property
    def buffer_bytes(self) -> int:
        with self._lock:
            return self._bytes

    @property
    def buffered_packets(self) -> int:
        with self._lock:
            return len(self._buffer)

    def flowing(self) -> bool:
        """True while packets arrive and the buffer holds a keyframe to start a clip on."""
        with self._lock:
            return self._flowing()

    def push(self, packets: tuple[EncodedPacket, ...], segment: int) -> list[PacketRecording]:
        """Buffer a frame's packets; returns the recordings they completed (and those a new segment cut short)."""
        finished: list[PacketRecording] = []
        with self._lock:
            if self._gave_up:
                return finished
            self._last_arrival = time.monotonic()
            if segment != self._segment:
                # A reconnect or a restarted file: other times, maybe other codec parameters (each opened source
                # has its own StreamHeader, and the reader starts a new segment on every open). Clips end here.
                finished, self._recordings = self._recordings, []
                self._clear()
                self._segment = segment
            for packet in packets:
                if not self._buffer and not packet.keyframe:
                    continue
                self._buffer.append(packet)
                self._bytes += len(packet.data)
                if packet.keyframe:
                    self._keyframes.append(packet.dts_s)
                done = [r for r in self._recordings if packet.dts_s >= r.end_s]
                for rec in self._recordings:
                    if rec not in done:
                        rec.packets.append(packet)
                if done:
                    finished.extend(done)
                    self._recordings = [r for r in self._recordings if r not in done]
            self._trim()
        return finished

    def start(
        self, event_id: str, path: Path, on_done: DoneCallback | None, at_pts_s: float, segment: int | None
    ) -> PacketRecording | None:
        """Begin an event's clip around ``at_pts_s`` (the analysed frame's time); None when no packets flow.

        ``segment`` is the analysed frame's stream segment when the packets come from the same stream (a frame of
        an older segment is placed at the newest packet); None when they come from a record stream of their own,
        whose reader keeps the same clock (the time since the camera started) but counts its own segments."""
        with self._lock:
            if not self._flowing() or any(r.event_id == event_id for r in self._recordings):
                return None
            same_time = segment is None or segment == self._segment
            anchor = at_pts_s if same_time else self._buffer[-1].dts_s
            begin = anchor - self.pre_s
            first = 0
            for index, packet in enumerate(self._buffer):
                if packet.dts_s > begin:
                    break
                if packet.keyframe:
                    first = index
            rec = PacketRecording(event_id, path, anchor + self.post_s, on_done, list(self._buffer)[first:])
            self._recordings.append(rec)
            return rec

    def recording_ids(self) -> list[str]:
        with self._lock:
            return [r.event_id for r in self._recordings]

    def drain(self) -> list[PacketRecording]:
        """Every recording still collecting (the camera stops): written with the packets they have."""
        with self._lock:
            pending, self._recordings = self._recordings, []
            return pending

    def _flowing(self) -> bool:
        arrived = self._last_arrival
        return (
            not self._gave_up
            and bool(self._buffer)
            and arrived is not None
            and time.monotonic() - arrived <= LIVE_WITHIN_S
        )

    def _clear(self) -> None:
        self._buffer.clear()
        self._keyframes.clear()
        self._bytes = 0

    def _trim(self) -> None:
        """Drop whole groups of pictures no clip can need: before the newest keyframe that is old enough."""
        if not self._buffer:
            return
        newest = self._buffer[-1].dts_s
        keep_from = newest - self.pre_s - LAG_MARGIN_S
        while len(self._keyframes) >= 2 and self._keyframes[1] <= keep_from:
            self._keyframes.popleft()
            while self._buffer and not (self._buffer[0].keyframe and self._buffer[0].dts_s >= self._keyframes[0]):
                self._bytes -= len(self._buffer.popleft().data)
        if newest - self._buffer[0].dts_s > self.pre_s + LAG_MARGIN_S + MAX_KEYFRAME_GAP_S:
            log.warning(
                "camera %s: keyframes more than %.0f s apart; clips are re-encoded from analysed frames instead "
                "(set a shorter keyframe interval / GOP on the camera for full-rate clips)",
                self.camera_id,
                MAX_KEYFRAME_GAP_S,
            )
            self._gave_up = True
            self._clear()


def remux_mp4(path: Path, packets: list[EncodedPacket], end_s: float) -> int:
    """Write the packets before ``end_s`` (dts) as an MP4 file without decoding; returns the packets written.

    The packets are one segment's (``PacketClips``), so they share the first one's codec parameters. Times are
    rebased to the first packet; a dts that rounding or a broken stream would repeat is nudged on, since MP4 needs
    strictly increasing decode times.
    """
    kept = [p for p in packets if p.dts_s < end_s] or packets[:1]
    if not kept:
        raise ValueError("no packets were received for the clip")
    header = kept[0].header
    base = header.time_base
    origin = kept[0].dts_s
    with (
        av.open(io.BytesIO(header.template), format="matroska") as template,
        av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"}) as out,
    ):
        stream = out.add_stream_from_template(template.streams.video[0])
        stream.time_base = base
        last_dts: int | None = None
        for item in kept:
            dts = round((item.dts_s - origin) / base)
            if last_dts is not None and dts <= last_dts:
                dts = last_dts + 1
            packet = av.Packet(item.data)
            packet.dts, packet.pts = dts, max(dts, round((item.pts_s - origin) / base))
            packet.time_base, packet.stream, packet.is_keyframe = base, stream, item.keyframe
            out.mux(packet)
            last_dts = dts
    return len(kept)
