"""Evidence clips: a ring buffer of the last ``pre_s`` seconds per camera, cut into an MP4 per event.

An H.264 camera's clips are its own packets, remuxed (``gwanje.events.packet_clip``: full frame rate and quality,
no encoding); the rest of this module is the fallback for sources that hand on no packets (the demo camera,
MJPEG, other codecs, ``clip.remux: false``), which records the analysed frames:

Frames are decimated to the clip frame rate by stream time (one frame per 1/fps slot), scaled
to at most ``max_width`` and kept as JPEG bytes, which bounds memory: at 1280x720, 10 fps and
5 s that is 50 JPEGs (measured with `gwanje bench clip-buffer`; see docs/events.md).
A recording is the pre-buffer plus the next ``post_s`` seconds; it is encoded to H.264 (libx264
ultrafast, yuv420p, faststart) on a background writer, written to a temporary file and renamed,
so a clip at ``path`` is always complete. A failed write (disk full, no permission) is reported
to ``on_done`` and logged; it never raises on the camera thread.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
from collections import deque
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from gwanje.config.events import ClipConfig
from gwanje.core.frame import Frame, Image
from gwanje.core.packets import EncodedPacket
from gwanje.events.packet_clip import DoneCallback, PacketClips, PacketRecording, remux_mp4
from gwanje.events.timeline import ContinuousTime

log = logging.getLogger(__name__)

SLOT_EPSILON = 1e-6


@dataclass(frozen=True)
class _Stored:
    slot: int
    jpeg: bytes


@dataclass
class _Recording:
    event_id: str
    path: Path
    end_slot: int | None
    """First slot after the clip; None until a frame arrives (a start before any frame)."""
    on_done: DoneCallback | None
    frames: list[_Stored] = field(default_factory=list)
    last_slot: int | None = None
    """The clip's last slot: ``end_slot - 1`` when it completed, else its last frame's."""


def clip_size(width: int, height: int, max_width: int) -> tuple[int, int]:
    """Size of clip frames: at most ``max_width`` wide, same aspect, both sides even (yuv420p needs it)."""
    if width > max_width:
        height = round(height * max_width / width)
        width = max_width
    return max(2, width - width % 2), max(2, height - height % 2)


class ClipRecorder:
    """Pre/post-event clips of one camera. ``push`` and ``start`` are called from the camera's thread.

    ``push`` may get every decoded frame or only the analysed ones: frames are decimated to the
    clip rate, and a slower input is filled by repeating frames, so clips always play at
    ``clip.fps`` and last ``pre_s + post_s`` (less when the stream had not run that long).
    """

    def __init__(
        self,
        camera_id: str,
        clip: ClipConfig,
        on_done: DoneCallback | None = None,
        executor: Executor | None = None,
        jpeg_quality: int = 80,
        record_stream: bool = False,
    ) -> None:
        """``record_stream``: the packets come from a stream of their own (``SourceConfig.record_url``), not from
        the analysed one."""
        self.camera_id = camera_id
        self.clip = clip
        self.on_done = on_done
        self.jpeg_quality = jpeg_quality
        self._own_executor = executor is None
        self._executor = executor or ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"clip-{camera_id}")
        self._pre_slots = round(clip.pre_s * clip.fps)
        self._post_slots = max(1, round(clip.post_s * clip.fps))
        self._buffer: deque[_Stored] = deque()
        self._recordings: list[_Recording] = []
        self._timeline = ContinuousTime(camera_id)
        self._last_slot: int | None = None
        self._lock = threading.Lock()
        self._packets = PacketClips(camera_id, clip.pre_s, clip.post_s) if clip.remux else None
        self._analysed_at: tuple[float, int] | None = None
        """(pts_s, segment) of the newest frame pushed: where a packet clip is centred."""
        self._record_stream = record_stream

    @property
    def buffer_bytes(self) -> int:
        """Bytes held in the pre-event buffers now (JPEG frames and compressed packets)."""
        packet_bytes = self._packets.buffer_bytes if self._packets is not None else 0
        with self._lock:
            return packet_bytes + sum(len(s.jpeg) for s in self._buffer)

    @property
    def buffered_packets(self) -> int:
        return self._packets.buffered_packets if self._packets is not None else 0

    @property
    def buffered_frames(self) -> int:
        with self._lock:
            return len(self._buffer)

    @property
    def recording(self) -> list[str]:
        """Event ids whose clips are still collecting frames or packets."""
        packet_ids = self._packets.recording_ids() if self._packets is not None else []
        with self._lock:
            return [r.event_id for r in self._recordings] + packet_ids

    @property
    def remuxing(self) -> bool:
        """True while the camera's packets flow: new clips are cut from them and no frame is JPEG-compressed."""
        return self._packets is not None and self._packets.flowing()

    def push_packets(self, packets: tuple[EncodedPacket, ...], segment: int) -> None:
        """Offer a frame's compressed packets (the reader's thread, ``gwanje.ingest.reader.PacketSink``)."""
        if self._packets is None or not self.clip.enabled:
            return
        for rec in self._packets.push(packets, segment):
            self._submit(rec)

    def push(self, frame: Frame) -> None:
        """Offer one analysed frame; kept when it is the first of its 1/fps slot (unless packets are recorded)."""
        if not self.clip.enabled:
            return
        self._analysed_at = (frame.pts_s, frame.segment)
        if self.remuxing:
            with self._lock:
                if not self._recordings:
                    self._buffer.clear()
                    self._last_slot = None
                    return
        slot = math.floor(self._timeline(frame.pts_s, frame.segment) * self.clip.fps + SLOT_EPSILON)
        if slot == self._last_slot:
            return
        self._last_slot = slot
        stored = _Stored(slot, self._compress(frame.image))
        finished: list[_Recording] = []
        with self._lock:
            self._buffer.append(stored)
            while self._buffer and self._buffer[0].slot < slot - self._pre_slots:
                self._buffer.popleft()
            for rec in self._recordings:
                if rec.end_slot is None:
                    rec.end_slot = slot + self._post_slots
                if slot >= rec.end_slot:
                    rec.last_slot = rec.end_slot - 1
                    finished.append(rec)
                else:
                    rec.frames.append(stored)
            self._recordings = [r for r in self._recordings if r not in finished]
        for rec in finished:
            self._submit(rec)

    def start(self, event_id: str, path: Path, on_done: DoneCallback | None = None) -> bool:
        """Begin the clip of an event: the buffered ``pre_s`` seconds plus the next ``post_s`` seconds.

        Returns False (and calls nothing) when clips are disabled or the event is already recording.
        """
        callback = on_done or self.on_done
        if not self.clip.enabled:
            return False
        anchor = self._analysed_at
        if self._packets is not None and anchor is not None and self.remuxing:
            with self._lock:
                if any(r.event_id == event_id for r in self._recordings):
                    return False
            at_pts_s, segment = anchor
            started = self._packets.start(
                event_id, Path(path), callback, at_pts_s, None if self._record_stream else segment
            )
            return started is not None
        with self._lock:
            if any(r.event_id == event_id for r in self._recordings):
                return False
            now = self._last_slot
            end_slot = None if now is None else now + self._post_slots
            rec = _Recording(event_id, Path(path), end_slot=end_slot, on_done=callback)
            rec.frames = [] if now is None else [s for s in self._buffer if s.slot >= now - self._pre_slots]
            self._recordings.append(rec)
        return True

    def close(self, wait: bool = True) -> None:
        """Write the clips in progress with the frames they have (end of a file, shutdown)."""
        with self._lock:
            pending: list[_Recording | PacketRecording] = list(self._recordings)
            self._recordings = []
        if self._packets is not None:
            pending.extend(self._packets.drain())
        for rec in pending:
            self._submit(rec)
        if self._own_executor:
            self._executor.shutdown(wait=wait)

    def _compress(self, image: Image) -> bytes:
        height, width = image.shape[:2]
        size = clip_size(width, height, self.clip.max_width)
        if size != (width, height):
            image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            raise ValueError(f"camera {self.camera_id}: JPEG encoding of a clip frame of shape {image.shape} failed")
        return bytes(encoded.tobytes())

    def _submit(self, rec: _Recording | PacketRecording) -> None:
        try:
            self._executor.submit(self._write, rec)
        except RuntimeError as exc:  # the executor was shut down
            self._report(rec, None, exc)

    def _write(self, rec: _Recording | PacketRecording) -> None:
        tmp = rec.path.with_name(rec.path.name + ".part")
        try:
            if isinstance(rec, PacketRecording):
                if not rec.packets:
                    raise ValueError(f"no packets were received for the clip of event {rec.event_id}")
                rec.path.parent.mkdir(parents=True, exist_ok=True)
                remux_mp4(tmp, rec.packets, rec.end_s)
            else:
                if not rec.frames:
                    raise ValueError(f"no frames were received for the clip of event {rec.event_id}")
                rec.path.parent.mkdir(parents=True, exist_ok=True)
                last_slot = rec.last_slot if rec.last_slot is not None else rec.frames[-1].slot
                encode_mp4(tmp, rec.frames, self.clip.fps, last_slot)
            tmp.replace(rec.path)
        except Exception as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            log.warning(
                "camera %s: clip of event %s not written to %s: %s", self.camera_id, rec.event_id, rec.path, exc
            )
            self._report(rec, None, exc)
            return
        log.debug("camera %s: clip of event %s written to %s", self.camera_id, rec.event_id, rec.path)
        self._report(rec, rec.path, None)

    def _report(self, rec: _Recording | PacketRecording, path: Path | None, error: BaseException | None) -> None:
        if rec.on_done is None:
            return
        try:
            rec.on_done(rec.event_id, path, error)
        except Exception:
            log.exception("camera %s: the clip callback of event %s failed", self.camera_id, rec.event_id)


def _decode_jpeg(data: bytes) -> Image:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError("a buffered clip frame is not a decodable JPEG")
    return np.asarray(image, np.uint8)


def encode_mp4(path: Path, frames: list[_Stored], fps: float, last_slot: int) -> None:
    """Encode JPEG frames as constant-rate H.264 in MP4 from the first frame's slot to ``last_slot``.

    A slot without a frame repeats the frame before it.
    """
    first = _decode_jpeg(frames[0].jpeg)
    height, width = first.shape[:2]
    by_slot = {s.slot: s for s in frames}
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "26"}
        current = frames[0]
        image = first
        for slot in range(frames[0].slot, max(last_slot, frames[-1].slot) + 1):
            if slot in by_slot and by_slot[slot] is not current:
                current = by_slot[slot]
                image = _decode_jpeg(current.jpeg)
                if image.shape[:2] != (height, width):  # the camera changed resolution mid-clip
                    image = np.asarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA), np.uint8)
            video_frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            video_frame.pts = slot - frames[0].slot
            for packet in stream.encode(video_frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
