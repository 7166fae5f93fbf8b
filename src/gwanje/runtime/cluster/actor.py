"""What runs inside one camera's Ray actor: the single-machine ``CameraWorker`` with its own models.

The class is plain Python (the supervisor wraps it with ``ray.remote``), so this module imports no Ray.
The worker reports to a :class:`ReportQueue` instead of the head's sink; the head collects the queue with
:meth:`CameraActor.poll` and acknowledges what it applied with the next call.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass

from gwanje.config.schema import AppConfig
from gwanje.core.events import EndReason
from gwanje.core.health import StreamStats
from gwanje.detect.base import Detector
from gwanje.runtime.camera_worker import CameraWorker
from gwanje.runtime.cluster.reports import Report, ReportQueue
from gwanje.runtime.detectors import build_detectors, close_all, needed_detectors
from gwanje.runtime.inference import InferenceWorker

log = logging.getLogger(__name__)


@dataclass
class Poll:
    """The actor's answer to one collection: reports not acknowledged yet, stream statistics, where it runs."""

    reports: list[Report]
    stats: StreamStats
    host: str
    pid: int
    node_id: str


class CameraActor:
    """One camera on a cluster node: its detectors, inference workers and worker threads."""

    def __init__(self, app: AppConfig, camera_id: str) -> None:
        import ray  # only ever imported inside a cluster actor

        camera = next(c for c in app.cameras if c.id == camera_id)
        self._node_id = str(ray.get_runtime_context().get_node_id())
        self._queue = ReportQueue(camera_id)
        self._detectors = build_detectors(app, [camera], only=needed_detectors(app, [camera]))
        self._inference = {
            name: InferenceWorker.for_runtime(det, app.detectors[name].runtime)
            for name, det in self._detectors.items()
            if isinstance(det, Detector)
        }
        self._worker = CameraWorker(app, camera, self._detectors, self._inference, self._queue)
        self._worker.start()
        log.info("camera %s: started on %s (pid %d)", camera_id, socket.gethostname(), os.getpid())

    def poll(self, acked: int) -> Poll:
        """Reports after ``acked`` (those up to it are forgotten) and the current statistics."""
        return Poll(self._queue.take(acked), self._worker.stats, socket.gethostname(), os.getpid(), self._node_id)

    def latest_frame(self) -> tuple[float, bytes] | None:
        return self._worker.latest_frame()

    def stop(self, reason: str, acked: int) -> list[Report]:
        """Stop the camera (its open events end with ``reason``) and return the reports not acknowledged yet."""
        self._worker.stop(EndReason(reason))
        for inference in self._inference.values():
            inference.close()
        close_all(self._detectors)
        return self._queue.take(acked)
