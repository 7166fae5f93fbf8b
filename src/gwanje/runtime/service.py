"""The monitoring service: builds everything from the configuration, starts it in order, stops it in reverse."""

from __future__ import annotations

import logging
from typing import Any

from gwanje.alerts.service import AlertService
from gwanje.config.schema import AppConfig
from gwanje.core.events import EndReason
from gwanje.core.health import StreamState, StreamStats
from gwanje.core.secrets import mask_url
from gwanje.detect.base import Detector
from gwanje.runtime.camera_worker import CameraWorker
from gwanje.runtime.detectors import AnyDetector, build_detectors, close_all
from gwanje.runtime.inference import InferenceStats, InferenceWorker
from gwanje.runtime.sink import EventListener, EventSink
from gwanje.store.media import MediaStore
from gwanje.store.repo import Store
from gwanje.store.retention import RetentionWorker

log = logging.getLogger(__name__)


class Service:
    """Store, alerts, models, inference workers and one worker per enabled camera."""

    def __init__(self, config: AppConfig) -> None:
        self.config = config
        self.store = Store.open(config.store)
        self.media = MediaStore.for_config(config.store)
        self.alerts = AlertService(config.alerts, self.store.engine)
        self.retention = RetentionWorker(self.media, self.store, config.store.retention)
        self.sink = EventSink(self.store, self.media, self.alerts, on_disk_full=self.retention.wake)
        self.detectors: dict[str, AnyDetector] = {}
        self.inference: dict[str, InferenceWorker] = {}
        self.cameras: dict[str, CameraWorker] = {}
        self._started = False

    def start(self) -> None:
        """Load the models (a model that fails to load stops the start with its name) and start every camera."""
        enabled = [c for c in self.config.cameras if c.enabled]
        for cam in self.config.cameras:
            self.store.upsert_camera(cam.id, cam.name, mask_url(cam.source.url), cam.enabled)
        self.detectors = build_detectors(self.config, enabled)
        for name, det in self.detectors.items():
            if isinstance(det, Detector):
                self.inference[name] = InferenceWorker.for_runtime(det, self.config.detectors[name].runtime)
        self.alerts.start([c.id for c in enabled])
        self._recover_open_events()
        self.retention.start()
        for cam in enabled:
            worker = CameraWorker(self.config, cam, self.detectors, self.inference, self.sink)
            self.cameras[cam.id] = worker
            worker.start()
            log.info("camera %s: watching %s with %s", cam.id, mask_url(cam.source.url), ", ".join(cam.detectors))
        self._started = True

    def _recover_open_events(self) -> None:
        """Events a killed service left open end now (``recovered_after_restart``) and are announced like any end."""
        recovered = self.store.end_open_events(EndReason.RECOVERED_AFTER_RESTART)
        if recovered:
            log.warning(
                "%d event(s) left open by the previous run (stopped without ending them) ended now, marked %s",
                len(recovered),
                EndReason.RECOVERED_AFTER_RESTART.value,
            )
        for record in recovered:
            self.sink.publish(record.event)

    def stop(self) -> None:
        """Cameras first (their open events end and are stored), then inference, alerts, storage."""
        for worker in self.cameras.values():
            worker.request_stop()
        for worker in self.cameras.values():
            worker.stop()
        for inf in self.inference.values():
            inf.close()
        close_all(self.detectors)
        self.sink.close()
        self.alerts.stop()
        self.retention.stop()
        self.store.close()

    def camera_status(self) -> list[StreamStats]:
        out = [w.stats for w in self.cameras.values()]
        out += [StreamStats(camera_id=c.id, state=StreamState.DISABLED) for c in self.config.cameras if not c.enabled]
        return out

    def latest_snapshot(self, camera_id: str) -> bytes | None:
        worker = self.cameras.get(camera_id)
        return None if worker is None else worker.latest_jpeg()

    def deliveries(self, event_id: str) -> list[dict[str, Any]]:
        """Alert deliveries of one event (channel, status, attempts, last error)."""
        return self.alerts.outbox.delivery_status(event_id)

    def inference_stats(self) -> list[InferenceStats]:
        return [w.stats() for w in self.inference.values()]

    def alerts_pending(self) -> int:
        return self.alerts.outbox.pending_count()

    def add_listener(self, listener: EventListener) -> None:
        """Be told of every event change after it is stored (call before ``start``)."""
        self.sink.listeners.append(listener)
