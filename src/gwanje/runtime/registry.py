"""The running cameras, changed one at a time while the others go on.

``CameraRegistry`` owns one ``CameraWorker`` per enabled camera and the models they share. Adding a camera loads
the detectors it needs that are not loaded yet and starts its worker; changing one (source, name, zones, rules,
thresholds, enabled) stops its worker (its open events end as ``camera_changed``) and starts a new one from the
new configuration; deleting or disabling one stops it. The other cameras' threads are never touched. Every change
is validated and persisted by ``config.managed.ManagedCameras`` before it is applied, so it survives a restart.

A shared detector that reports faint boxes keeps the floor it was built with (``runtime.detectors``): a camera
added later whose rules want lower scores is told so in the log (``short_floor``) and gets them after a restart.
Models no camera uses any more stay loaded until the service stops.
"""

from __future__ import annotations

import logging
import threading

from gwanje.config.camera import CameraConfig
from gwanje.config.managed import ManagedCameras
from gwanje.core.events import EndReason
from gwanje.core.health import StreamState, StreamStats
from gwanje.core.secrets import mask_url
from gwanje.detect.base import Detector
from gwanje.runtime.camera_worker import CameraWorker
from gwanje.runtime.detectors import AnyDetector, build_detectors, close_all, needed_detectors
from gwanje.runtime.inference import InferenceWorker
from gwanje.runtime.sink import EventSink

log = logging.getLogger(__name__)


class CameraRegistry:
    """Workers of the enabled cameras and the models they share; changes are serialised, reads are cheap."""

    def __init__(self, managed: ManagedCameras, sink: EventSink) -> None:
        self.managed = managed
        self._sink = sink
        self._lock = threading.RLock()
        self.detectors: dict[str, AnyDetector] = {}
        self.inference: dict[str, InferenceWorker] = {}
        self.workers: dict[str, CameraWorker] = {}

    def cameras(self) -> list[CameraConfig]:
        """Every camera, enabled or not, as currently configured."""
        return self.managed.cameras()

    def start(self) -> None:
        """Load the models of the enabled cameras and start them (a model that fails to load raises)."""
        with self._lock:
            enabled = [c for c in self.cameras() if c.enabled]
            for cam in self.cameras():
                self._remember(cam)
            self._load_models(enabled)
            for cam in enabled:
                self._start_worker(cam)

    def stop(self) -> None:
        """Stop every camera together, then the inference workers and the models."""
        with self._lock:
            for worker in self.workers.values():
                worker.request_stop()
            for worker in self.workers.values():
                worker.stop()
            self.workers.clear()
            for inf in self.inference.values():
                inf.close()
            close_all(self.detectors)

    def add(self, camera: CameraConfig) -> None:
        """Store a new camera and start it when enabled (``CameraExists``, ``CameraChangeError`` otherwise)."""
        with self._lock:
            self.managed.add(camera)
            self._remember(camera)
            log.info("camera %s: added (%s)", camera.id, mask_url(camera.source.url))
            self._apply(camera)

    def update(self, camera: CameraConfig) -> None:
        """Store the camera's new configuration and restart it with that (only it)."""
        with self._lock:
            self.managed.update(camera)
            self._stop_worker(camera.id)
            self._remember(camera)
            log.info("camera %s: changed, %s", camera.id, "restarting" if camera.enabled else "disabled")
            self._apply(camera)

    def delete(self, camera_id: str) -> None:
        """Forget the camera and stop it (``UnknownCamera`` when there is none)."""
        with self._lock:
            old = self.managed.delete(camera_id)
            self._stop_worker(camera_id)
            self._sink.store.upsert_camera(old.id, old.name, mask_url(old.source.url), False)
            log.info("camera %s: deleted", camera_id)

    def status(self) -> list[StreamStats]:
        workers = dict(self.workers)
        return [
            workers[c.id].stats if c.id in workers else StreamStats(camera_id=c.id, state=StreamState.DISABLED)
            for c in self.cameras()
            if c.id in workers or not c.enabled
        ]

    def latest_frame(self, camera_id: str) -> tuple[float, bytes] | None:
        """The camera's newest analysed frame: its wall time and JPEG (None before the first frame)."""
        worker = self.workers.get(camera_id)
        return None if worker is None else worker.latest_frame()

    def _apply(self, camera: CameraConfig) -> None:
        if not camera.enabled:
            return
        try:
            self._load_models([camera])
        except Exception as error:  # a model that does not load leaves the camera stored but not running
            log.error("camera %s: not started, a model did not load: %s", camera.id, error)
            raise
        self._start_worker(camera)

    def _remember(self, camera: CameraConfig) -> None:
        self._sink.store.upsert_camera(camera.id, camera.name, mask_url(camera.source.url), camera.enabled)

    def _load_models(self, cameras: list[CameraConfig]) -> None:
        app = self.managed.app
        missing = [n for n in needed_detectors(app, cameras) if n not in self.detectors]
        if not missing:
            return
        users = [c for c in self.cameras() if c.enabled] + [c for c in cameras if not c.enabled]
        built = build_detectors(app, users, only=missing)
        for name, det in built.items():
            self.detectors[name] = det
            if isinstance(det, Detector):
                self.inference[name] = InferenceWorker.for_runtime(det, app.detectors[name].runtime)
            log.info("model %s loaded", name)

    def _start_worker(self, camera: CameraConfig) -> None:
        worker = CameraWorker(self.managed.app, camera, self.detectors, self.inference, self._sink)
        self.workers[camera.id] = worker
        worker.start()
        log.info("camera %s: watching %s with %s", camera.id, mask_url(camera.source.url), ", ".join(camera.detectors))

    def _stop_worker(self, camera_id: str) -> None:
        worker = self.workers.pop(camera_id, None)
        if worker is not None:
            worker.stop(EndReason.CAMERA_CHANGED)
