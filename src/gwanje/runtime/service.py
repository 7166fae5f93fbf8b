"""The monitoring service: builds everything from the configuration, starts it in order, stops it in reverse.

Cameras live in a ``CameraRegistry`` (``runtime.registry``): the configuration file's cameras with the changes
administrators made at run time (``config.managed``), each of which can be added, changed, disabled or deleted
while the others run. In cluster mode (``cluster`` set) a ``ClusterRegistry`` (``runtime.cluster``) runs each
camera as a Ray actor on the worker nodes instead; the store, alerts and API stay here, on the head. Ray is
imported only then.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from gwanje.alerts.service import AlertService
from gwanje.config.managed import ManagedCameras
from gwanje.config.managed_channels import ManagedChannels
from gwanje.config.schema import AppConfig
from gwanje.core.errors import ConfigError
from gwanje.core.events import EndReason
from gwanje.core.health import StreamStats
from gwanje.runtime.inference import InferenceStats
from gwanje.runtime.registry import CameraRegistry
from gwanje.runtime.sink import ClipListener, EventListener, EventSink
from gwanje.store.media import MediaStore
from gwanje.store.repo import Store
from gwanje.store.retention import RetentionWorker

if TYPE_CHECKING:
    from gwanje.runtime.cluster.status import ClusterStatus
    from gwanje.runtime.cluster.supervisor import ClusterRegistry

log = logging.getLogger(__name__)


class Service:
    """Store, alerts, models, inference workers and one worker per enabled camera."""

    def __init__(
        self,
        config: AppConfig,
        managed: ManagedCameras | None = None,
        cluster: str | None = None,
        camera_cpus: float = 1.0,
    ) -> None:
        """``cluster``: a Ray address (``HOST:PORT``, ``ray://HOST:PORT`` or ``auto``) to run the cameras on,
        each actor asking for ``camera_cpus`` logical CPUs; None runs them here."""
        managed = managed or ManagedCameras.for_config(config)  # a broken overrides file stops here, before the store
        channels = ManagedChannels.for_data_dir(config.alerts, config.store.data_dir)  # so does a broken channel file
        self.store = Store.open(config.store)
        self.media = MediaStore.for_config(config.store)
        self.alerts = AlertService(config.alerts, self.store.engine, managed=channels)
        self.retention = RetentionWorker(self.media, self.store, config.store.retention)
        self.sink = EventSink(self.store, self.media, self.alerts, on_disk_full=self.retention.wake)
        self.registry: CameraRegistry | ClusterRegistry
        if cluster is None:
            self.registry = CameraRegistry(managed, self.sink)
        else:
            try:
                from gwanje.runtime.cluster.supervisor import ClusterRegistry
            except ImportError as exc:
                raise ConfigError(
                    f"cluster mode needs Ray, which is not installed here ({exc}): pip install 'gwanje[cluster]'"
                ) from None
            self.registry = ClusterRegistry(managed, self.sink, cluster, camera_cpus=camera_cpus)
        self._started = False

    @property
    def config(self) -> AppConfig:
        """The configuration with the current cameras (the file's, with the changes made at run time)."""
        return self.registry.managed.app

    def start(self) -> None:
        """Load the models (a model that fails to load stops the start with its name) and start every camera."""
        self.alerts.start([c.id for c in self.registry.cameras() if c.enabled])
        self._recover_open_events()
        self.retention.start()
        self.registry.start()
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
        self.registry.stop()
        self.sink.close()
        self.alerts.stop()
        self.retention.stop()
        self.store.close()

    def camera_status(self) -> list[StreamStats]:
        return self.registry.status()

    def latest_snapshot(self, camera_id: str) -> bytes | None:
        latest = self.registry.latest_frame(camera_id)
        return None if latest is None else latest[1]

    def latest_frame(self, camera_id: str) -> tuple[float, bytes] | None:
        return self.registry.latest_frame(camera_id)

    def deliveries(self, event_id: str) -> list[dict[str, Any]]:
        """Alert deliveries of one event (channel, status, attempts, last error)."""
        return self.alerts.outbox.delivery_status(event_id)

    def inference_stats(self) -> list[InferenceStats]:
        return [w.stats() for w in self.registry.inference.values()]

    def cluster_status(self) -> ClusterStatus | None:
        """Nodes and camera placement in cluster mode; None on a single machine."""
        return self.registry.cluster_status() if not isinstance(self.registry, CameraRegistry) else None

    def alerts_pending(self) -> int:
        return self.alerts.outbox.pending_count()

    def add_listener(self, listener: EventListener) -> None:
        """Be told of every event change after it is stored (call before ``start``)."""
        self.sink.listeners.append(listener)

    def add_clip_listener(self, listener: ClipListener) -> None:
        """Be told of every clip once it is written (call before ``start``; the listener must return at once)."""
        self.sink.clip_listeners.append(listener)
