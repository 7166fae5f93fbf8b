"""One camera's analysis thread: takes frames from its reader, runs its pipeline, hands events to the sink."""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import cv2

from gwanje.config.camera import CameraConfig
from gwanje.config.schema import AppConfig
from gwanje.core.detections import Detections
from gwanje.core.errors import GwanjeError
from gwanje.core.events import EndReason, Event, EventState
from gwanje.core.frame import Frame
from gwanje.core.health import StreamState, StreamStats
from gwanje.events.clip import ClipRecorder
from gwanje.events.evidence import render_event_snapshot
from gwanje.ingest.reader import CameraReader
from gwanje.runtime.detectors import AnyDetector
from gwanje.runtime.inference import InferenceWorker
from gwanje.runtime.pipeline import CameraPipeline
from gwanje.runtime.sink import EventReporter

log = logging.getLogger(__name__)

INFERENCE_TIMEOUT_S = 30.0
ONLINE = frozenset({StreamState.LIVE, StreamState.STALLED})


class CameraWorker:
    """Reader thread + analysis thread of one camera. An exception here never reaches another camera."""

    def __init__(
        self,
        app: AppConfig,
        camera: CameraConfig,
        detectors: dict[str, AnyDetector],
        workers: dict[str, InferenceWorker],
        sink: EventReporter,
    ) -> None:
        self.camera = camera
        record = camera.source.record_source()
        self._clips = ClipRecorder(camera.id, camera.clip, record_stream=record is not None)
        packet_sink = self._clips.push_packets if camera.clip.enabled and camera.clip.remux else None
        self.reader = CameraReader(camera, packet_sink=None if record is not None else packet_sink)
        self._record_reader = (
            None
            if record is None or packet_sink is None
            else CameraReader(camera.model_copy(update={"source": record}), packet_sink=packet_sink, frames=False)
        )
        """Follows ``source.record_url`` for clips only: demultiplexed, never decoded."""
        self._workers = workers
        self._sink = sink
        self._pipeline = CameraPipeline(app, camera, detectors, detect=self._detect)
        self._zones = [(z.name, z.polygon) for z in camera.zones]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"camera-{camera.id}", daemon=True)
        self._latest: Frame | None = None
        self._encoded: tuple[Frame, bytes] | None = None
        self._encode_lock = threading.Lock()
        self._online: bool | None = None
        self._failing = False
        self._end_reason = EndReason.FLUSH

    def start(self) -> None:
        self.reader.start()
        if self._record_reader is not None:
            self._record_reader.start()
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the threads to end without waiting (so cameras blocked in a read stop together)."""
        self._stop.set()
        self.reader.request_stop()
        if self._record_reader is not None:
            self._record_reader.request_stop()

    def stop(self, reason: EndReason = EndReason.FLUSH) -> None:
        """Stop both threads; the open events end with ``reason`` (the service stopping, or the camera changed)."""
        self._end_reason = reason
        self.request_stop()
        self.reader.stop()
        if self._record_reader is not None:
            self._record_reader.stop()
        self._thread.join(10.0)
        self._clips.close(wait=True)

    @property
    def stats(self) -> StreamStats:
        return dataclasses.replace(self.reader.stats, stage_cpu_s=self._pipeline.clock.cpu_seconds())

    def latest_frame(self) -> tuple[float, bytes] | None:
        """The newest analysed frame's wall time (when it was decoded) and JPEG.

        Encoded on request, since most frames are never looked at, and once per frame: the live streams and
        snapshot requests of every viewer asking for the same frame share one encoding."""
        frame = self._latest
        if frame is None:
            return None
        with self._encode_lock:
            cached = self._encoded
            if cached is not None and cached[0] is frame:
                return frame.wall_time, cached[1]
            ok, data = cv2.imencode(".jpg", frame.image, [cv2.IMWRITE_JPEG_QUALITY, 80])
            if not ok:
                return None
            self._encoded = (frame, bytes(data.tobytes()))
            return frame.wall_time, self._encoded[1]

    def _detect(self, name: str, frame: Frame) -> Detections:
        worker = self._workers[name]
        return worker.submit(frame).result(timeout=INFERENCE_TIMEOUT_S)

    def _run(self) -> None:
        last: Frame | None = None
        while not self._stop.is_set():
            self._report_health()
            frame = self.reader.get(timeout=0.5)
            if frame is None:
                if self.reader.finished:
                    break
                continue
            last = frame
            self._latest = frame
            self._clips.push(frame)
            try:
                result = self._pipeline.process(frame)
            except (GwanjeError, FutureTimeout, ValueError) as exc:
                # a failed inference or a broken frame costs this frame only
                if not self._failing:
                    log.error(
                        "camera %s: analysis failed, frames are skipped until it recovers: %s", self.camera.id, exc
                    )
                    self._failing = True
                continue
            if self._failing:
                log.info("camera %s: analysis recovered", self.camera.id)
                self._failing = False
            if result.ran_detectors:
                self.reader.mark_analyzed()
            else:
                self.reader.mark_motion_skipped()
            for event in result.events:
                self._handle(event, frame, result.context.tracks)
        for event in self._pipeline.close(last, self._end_reason):
            self._sink.publish(event)
        # A file that ended sends no more frames: write the clips in progress now with what they have,
        # instead of when the service stops (stop() waits for the writes).
        self._clips.close(wait=False)
        self._report_health()

    def _handle(self, event: Event, frame: Frame, tracks: Detections) -> None:
        if event.state is EventState.START:
            try:
                jpeg = render_event_snapshot(frame.image, event, tracks=tracks, zones=self._zones)
                self._sink.write_snapshot(event, jpeg)
            except ValueError as exc:
                log.error("camera %s: snapshot of event %s not rendered: %s", self.camera.id, event.id, exc)
            path = self._sink.clip_path(event) if self.camera.clip.enabled else None
            if path is not None:
                self._clips.start(event.id, path, on_done=functools.partial(self._clip_done, event))
        self._sink.publish(event)

    def _clip_done(self, event: Event, _event_id: str, path: Path | None, error: BaseException | None) -> None:
        self._sink.clip_done(event, path, error)

    def _report_health(self) -> None:
        state = self.reader.stats.state
        online = state in ONLINE
        if online != self._online:
            # the end of a file is not a drop: its buffered frames are still analysed, then everything is flushed
            went_offline = self._online is True and state is StreamState.OFFLINE and not self.reader.ended
            self._online = online
            self._sink.camera_health(self.camera.id, online, state.value)
            if went_offline:
                self._end_open_events()

    def _end_open_events(self) -> None:
        """The camera dropped: its open events end at the last frame seen (nothing can be seen until it is back;
        a fire still burning then starts a new event)."""
        ended = self._pipeline.close(self._latest, EndReason.CAMERA_OFFLINE)
        if ended:
            log.warning("camera %s: offline, %d open event(s) ended", self.camera.id, len(ended))
        for event in ended:
            self._sink.publish(event)
