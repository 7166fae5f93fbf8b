"""One reader thread per camera: connect, decode, decimate, keep the latest frame, reconnect, report health."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from gwanje.config.camera import CameraConfig
from gwanje.core.clock import Clock, RealClock
from gwanje.core.errors import SourceFormatError, SourceUnavailable
from gwanje.core.frame import Frame, Image
from gwanje.core.health import StreamState, StreamStats
from gwanje.core.packets import EncodedPacket
from gwanje.core.secrets import mask_url, redact
from gwanje.ingest.base import FrameSource
from gwanje.ingest.source import open_source
from gwanje.ingest.timing import Backoff, Decimator, Pacer, RateMeter, Segments

log = logging.getLogger(__name__)

END_OF_FILE = "end of file"
_LIVE_PTS_JUMP_BACK_S = 1.0

PacketSink = Callable[[tuple[EncodedPacket, ...], int], None]
"""Takes a frame's compressed packets (times on the reader's timeline) and the stream segment, on the reader's
thread: it must be quick and must not block."""


class CameraReader:
    """Reads one camera in its own daemon thread and hands the newest analysis frame to a consumer.

    * Frames are kept at ``camera.analysis_fps`` by pts. The buffer holds ``buffer_size`` frames; when the
      consumer is slower, the oldest is dropped and counted in ``frames_skipped``: the reader never waits,
      except for a file or demo source played as fast as possible with ``wait_for_analysis``, where it waits for
      room instead (every analysis frame of the recording is handled; nothing is decoded only to be dropped).
    * A failure makes the camera ``offline``; the reader retries with exponential backoff (with jitter),
      counting ``reconnects``. A source that is not video (``SourceFormatError``) is retried only every
      ``reconnect_max_s``, so a wrong URL does not cause a retry storm but a fixed file or camera is picked up.
    * No frame for ``stall_after_s`` while connected: ``stalled``. Each change is logged once; the URL in
      logs and ``last_error`` has its password masked.
    * A file that is not looped ends the reader: state ``offline``, ``last_error`` "end of file",
      ``finished`` becomes true once the consumer took the last frame.
    * Each reconnect, live clock jump back and looped-file restart starts a new ``Frame.segment``.
    * With a ``packet_sink``, every decoded frame's compressed packets (H.264 sources) go to it first, also those
      of the frames decimation drops: clips are cut from them without re-encoding. With ``frames=False`` as well
      the reader follows a *record stream*: nothing is decoded and no frame is buffered, only packets handed on.

    ``clock`` drives timestamps, stall detection and rates; waiting itself uses real time.
    """

    def __init__(
        self,
        camera: CameraConfig,
        clock: Clock | None = None,
        buffer_size: int = 1,
        packet_sink: PacketSink | None = None,
        frames: bool = True,
    ) -> None:
        if buffer_size < 1:
            raise ValueError(f"buffer_size must be at least 1, got {buffer_size}")
        self.camera = camera
        self._clock: Clock = clock or RealClock()
        self._source_cfg = camera.source
        self._display = mask_url(camera.source.url)
        self._buffer: deque[Frame] = deque()
        self._buffer_size = buffer_size
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stats = StreamStats(camera_id=camera.id)
        self._decoded_rate = RateMeter()
        self._analyzed_rate = RateMeter()
        self._last_frame_mono: float | None = None
        self._waiting = False
        self._eof = False
        self._seq = 0
        self._corrupt_before = 0
        self._last_pts = 0.0
        self._segments = Segments()
        self._outage = False
        self._start_mono = self._clock.monotonic()
        self._packet_sink = packet_sink
        self._frames = frames
        if not frames and packet_sink is None:
            raise ValueError("a reader without frames needs a packet sink")

    # ----------------------------------------------------------------- consumer side
    def start(self) -> None:
        """Start the reader thread (a disabled camera only reports state ``disabled``)."""
        if self._thread is not None:
            return
        if not self.camera.enabled:
            with self._cond:
                self._stats.state = StreamState.DISABLED
            return
        self._start_mono = self._clock.monotonic()
        self._thread = threading.Thread(target=self._run, name=f"reader-{self.camera.id}", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the thread to end without waiting: call it on every reader first, then ``stop()`` each, so that
        cameras blocked in a network read wait out their timeouts together rather than one after another."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the thread to end and wait for it (a network read can hold it up to ``timeout_s``)."""
        self.request_stop()
        thread = self._thread
        if thread is not None:
            thread.join(self._source_cfg.timeout_s + 2.0 if timeout is None else timeout)
            if thread.is_alive():
                log.warning("camera %s: reader thread still blocked in a read; it ends on its own", self.camera.id)

    def get(self, timeout: float) -> Frame | None:
        """The oldest buffered frame (with size 1: the newest), waiting up to ``timeout`` s; None if none came."""
        deadline = time.monotonic() + max(timeout, 0.0)
        with self._cond:
            while not self._buffer and not self._eof and not self._stop.is_set():
                self._refresh_stall()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(min(remaining, 0.5))
            self._refresh_stall()
            if not self._buffer:
                return None
            self._cond.notify_all()  # a reader waiting for room (wait_for_analysis) may go on
            return self._buffer.popleft()

    def mark_analyzed(self) -> None:
        """The consumer ran the detectors on a frame it got."""
        with self._cond:
            self._stats.frames_analyzed += 1
            self._analyzed_rate.tick(self._clock.monotonic())

    def mark_motion_skipped(self) -> None:
        """The consumer's motion gate kept a frame away from the detectors."""
        with self._cond:
            self._stats.frames_motion_skipped += 1

    @property
    def stats(self) -> StreamStats:
        """A snapshot of the counters and state."""
        with self._cond:
            self._refresh_stall()
            now = self._clock.monotonic()
            self._stats.decoded_fps = round(self._decoded_rate.rate(now), 2)
            self._stats.analyzed_fps = round(self._analyzed_rate.rate(now), 2)
            return dataclasses.replace(self._stats)

    @property
    def ended(self) -> bool:
        """True once a non-looped file has reached its end (frames may still be buffered): offline, not dropped."""
        with self._cond:
            return self._eof

    @property
    def finished(self) -> bool:
        """True when a non-looped file has ended and every buffered frame was taken."""
        with self._cond:
            return self._eof and not self._buffer

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ----------------------------------------------------------------- reader thread
    def _run(self) -> None:
        cfg = self._source_cfg
        backoff = Backoff(cfg.reconnect_initial_s, cfg.reconnect_max_s)
        first_attempt = True
        while not self._stop.is_set():
            if not first_attempt:
                with self._cond:
                    self._stats.reconnects += 1
            first_attempt = False
            try:
                with open_source(cfg) as source:
                    self._segments.connected()
                    self._pump(source, backoff)
                    if self._stop.is_set():
                        break
                    if source.finite:
                        self._finish()
                        return
                raise SourceUnavailable(f"{self._display}: the stream ended")
            except SourceFormatError as exc:
                wait, message = cfg.reconnect_max_s, str(exc)
            except SourceUnavailable as exc:
                wait, message = backoff.next_delay(), str(exc)
            except Exception as exc:
                wait = backoff.next_delay()
                message = redact(f"{self._display}: unexpected {type(exc).__name__}: {exc}", cfg.url)
                if not self._outage:  # a bug, not a camera problem: keep the traceback, once per outage
                    log.exception("camera %s: %s; retrying with backoff", self.camera.id, message)
                    self._outage = True
            if self._stop.is_set():
                break
            self._go_offline(message, wait)
            self._stop.wait(wait)

    def _pump(self, source: FrameSource, backoff: Backoff) -> None:
        with self._cond:
            self._corrupt_before = self._stats.corrupt_frames
        source.keep_packets = self._packet_sink is not None
        source.decode_frames = self._frames
        try:
            self._pump_frames(source, backoff)
        finally:
            with self._cond:
                self._stats.corrupt_frames = self._corrupt_before + source.corrupt_frames

    def _pump_frames(self, source: FrameSource, backoff: Backoff) -> None:
        decimator, pacer = Decimator(self.camera.analysis_fps), Pacer()
        live = source.kind.is_live
        wait = self._source_cfg.wait_for_analysis and not live and not source.paced
        base: float | None = None
        first_raw = previous_raw = 0.0
        for decoded in source:
            if self._stop.is_set():
                return
            raw = decoded.pts_s
            restart = decoded.restart
            if live and (base is None or raw < previous_raw - _LIVE_PTS_JUMP_BACK_S):
                # Live pts start anywhere and restart on reconnect: continue from the time since start,
                # and never below a pts already handed out. A jump back within a connection is a break too.
                restart = restart or base is not None
                base = max(self._clock.monotonic() - self._start_mono, self._last_pts + 0.001)
                first_raw = raw
            previous_raw = raw
            pts = (base or 0.0) + raw - first_raw if live else raw
            if source.paced:
                delay = pacer.delay(pts, self._clock.monotonic())
                if delay > 0 and self._stop.wait(delay):
                    return
            self._on_decoded(decoded.width, decoded.height, source.corrupt_frames)
            backoff.reset()
            segment = self._segments.mark(pts, restart)
            if decoded.packets:
                shift = pts - raw  # a live stream's times moved onto the reader's clock; 0 for files
                packets = tuple(p.shifted(shift) for p in decoded.packets) if shift else decoded.packets
                self._hand_on_packets(packets, segment)
            if self._frames and decimator.keep(pts):
                self._push(decoded.image, pts, segment, wait)

    def _hand_on_packets(self, packets: tuple[EncodedPacket, ...], segment: int) -> None:
        sink = self._packet_sink
        if sink is None:
            return
        try:
            sink(packets, segment)
        except Exception:
            # A fault in the clip buffer must not stop the camera: its clips fall back to re-encoded frames.
            log.exception("camera %s: the packet sink failed; no more packets are handed on", self.camera.id)
            self._packet_sink = None
            if not self._frames:
                self._stop.set()  # a record stream has nothing else to do

    def _on_decoded(self, width: int, height: int, source_corrupt: int) -> None:
        now = self._clock.monotonic()
        with self._cond:
            stats = self._stats
            stats.frames_decoded += 1
            stats.corrupt_frames = self._corrupt_before + source_corrupt
            stats.last_frame_time = self._clock.time()
            stats.width, stats.height = width, height
            self._last_frame_mono = now
            self._decoded_rate.tick(now)
            if stats.state is not StreamState.LIVE:
                if self._outage or stats.state is StreamState.STALLED:
                    log.info(
                        "camera %s: live again (%s), %d reconnects so far",
                        self.camera.id,
                        self._display,
                        stats.reconnects,
                    )
                else:
                    log.info("camera %s: live, %dx%d from %s", self.camera.id, width, height, self._display)
                stats.state = StreamState.LIVE
                self._outage = False

    def _push(self, image: Image, pts_s: float, segment: int, wait: bool) -> None:
        frame = Frame(self.camera.id, self._seq, pts_s, self._clock.time(), image, segment)
        self._seq += 1
        self._last_pts = pts_s
        with self._cond:
            if wait and len(self._buffer) >= self._buffer_size:
                self._waiting = True  # for the consumer: not a stalled camera
                while len(self._buffer) >= self._buffer_size and not self._stop.is_set():
                    self._cond.wait(0.1)
                self._waiting = False
                self._last_frame_mono = self._clock.monotonic()
            if len(self._buffer) >= self._buffer_size:
                self._buffer.popleft()
                self._stats.frames_skipped += 1
            self._buffer.append(frame)
            self._cond.notify_all()

    def _go_offline(self, message: str, retry_in_s: float) -> None:
        with self._cond:
            self._stats.state = StreamState.OFFLINE
            self._stats.last_error = f"camera {self.camera.id}: {message}"
            if self._outage:
                log.debug("camera %s: still offline (%s); next try in %.1f s", self.camera.id, message, retry_in_s)
                return
            self._outage = True
        log.warning(
            "camera %s offline: %s; retrying with backoff (next in %.1f s), recovery will be logged",
            self.camera.id,
            message,
            retry_in_s,
        )

    def _finish(self) -> None:
        with self._cond:
            self._eof = True
            self._stats.state = StreamState.OFFLINE
            self._stats.last_error = END_OF_FILE
            self._cond.notify_all()
        log.info("camera %s: %s reached the end of the file", self.camera.id, self._display)

    def _refresh_stall(self) -> None:
        """Called with the lock held: live without a frame for ``stall_after_s`` -> stalled (logged once)."""
        stats = self._stats
        if stats.state is not StreamState.LIVE or self._last_frame_mono is None or self._waiting:
            return
        silent = self._clock.monotonic() - self._last_frame_mono
        if silent > self._source_cfg.stall_after_s:
            stats.state = StreamState.STALLED
            log.warning("camera %s stalled: no frame for %.1f s from %s", self.camera.id, silent, self._display)
