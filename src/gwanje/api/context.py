"""Everything the API serves from, passed to ``create_app`` (no module globals)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from gwanje.alerts.service import AlertService
from gwanje.api.accounts import Accounts
from gwanje.api.auth import TokenAuth
from gwanje.api.clip_background import BackgroundClipMasking
from gwanje.api.clip_masking import ClipMasker
from gwanje.api.live import EventBroadcaster
from gwanje.api.live_video import LatestFrame, LiveVideo
from gwanje.api.masking import SnapshotMasker
from gwanje.config.camera import CameraConfig
from gwanje.config.managed import ManagedCameras
from gwanje.config.schema import AppConfig
from gwanje.core.health import StreamStats
from gwanje.runtime.cluster.status import ClusterStatus
from gwanje.runtime.inference import InferenceStats
from gwanje.store.media import MediaStore
from gwanje.store.repo import Store


def _no_cameras() -> list[StreamStats]:
    return []


def _no_snapshot(_camera_id: str) -> bytes | None:
    return None


def _no_deliveries(_event_id: str) -> list[dict[str, Any]]:
    return []


def _no_inference() -> list[InferenceStats]:
    return []


def _no_pending() -> int:
    return 0


def _no_cluster() -> ClusterStatus | None:
    return None


class CameraControl(Protocol):
    """The cameras as they are now, and the changes administrators make to them (``runtime.registry`` in the
    service: applied to the running camera at once; ``config.managed.ManagedCameras`` without one: stored only).

    ``add`` raises ``CameraExists``, ``update`` and ``delete`` raise ``UnknownCamera``; both raise
    ``CameraChangeError`` (a ``ValueError``) with the reason when the configuration would refuse the camera."""

    def cameras(self) -> list[CameraConfig]: ...

    def add(self, camera: CameraConfig) -> object: ...

    def update(self, camera: CameraConfig) -> object: ...

    def delete(self, camera_id: str) -> object: ...


@dataclass(frozen=True)
class ApiContext:
    """The running service as the API sees it.

    ``camera_status`` and ``latest_snapshot`` are called from request threads: they must be
    thread-safe and fast (return copies of what the pipeline keeps, never wait for a frame).
    """

    store: Store
    media: MediaStore
    config: AppConfig
    auth: TokenAuth
    accounts: Accounts
    camera_status: Callable[[], list[StreamStats]] = _no_cameras
    latest_snapshot: Callable[[str], bytes | None] = _no_snapshot
    """JPEG of the camera's latest frame, or None when there is none yet."""
    broadcaster: EventBroadcaster = field(default_factory=EventBroadcaster)
    delivery_status: Callable[[str], list[dict[str, Any]]] = _no_deliveries
    """Alert deliveries of an event (channel, status, attempts, ...), from the outbox."""
    inference_status: Callable[[], list[InferenceStats]] = _no_inference
    """Counters of each detector's inference worker (frames, batches, time inside the model)."""
    alerts_pending: Callable[[], int] = _no_pending
    """Alert messages stored but not yet delivered."""
    cameras: CameraControl | None = None
    """The current cameras and their changes; ``create`` gives the configuration's with the stored changes."""
    alerts: AlertService | None = None
    """The alert channels, for the admin's channels page and "send test" (None: no channels to show)."""
    cluster_status: Callable[[], ClusterStatus | None] = _no_cluster
    """Nodes and camera placement in cluster mode (``gwanje serve --cluster``); None on a single machine."""
    masker: SnapshotMasker = field(default_factory=SnapshotMasker)
    """Pixelates people in snapshots for everyone who has not unmasked (its person detector loads on first use)."""
    latest_frame: LatestFrame | None = None
    """The camera's newest frame with the time it was decoded, for the live streams; None: ``latest_snapshot``'s
    JPEG, timed when it is taken (a context without a camera pipeline, e.g. in tests)."""
    clips: ClipMasker = field(init=False)
    """Masked copies of event clips, made on first request with ``masker``'s person detector and kept in
    ``<data_dir>/masked-clips``."""
    clips_ahead: BackgroundClipMasking = field(init=False)
    """Masks each clip in the background once it is written (the service submits them), so its first viewer does not
    wait."""
    live: LiveVideo = field(init=False)
    """The cameras' MJPEG live streams, shared by all viewers (built from ``latest_frame`` and ``masker``)."""

    @classmethod
    def create(
        cls,
        config: AppConfig,
        store: Store,
        media: MediaStore,
        camera_status: Callable[[], list[StreamStats]] = _no_cameras,
        latest_snapshot: Callable[[str], bytes | None] = _no_snapshot,
        delivery_status: Callable[[str], list[dict[str, Any]]] = _no_deliveries,
        broadcaster: EventBroadcaster | None = None,
        inference_status: Callable[[], list[InferenceStats]] = _no_inference,
        alerts_pending: Callable[[], int] = _no_pending,
        cameras: CameraControl | None = None,
        alerts: AlertService | None = None,
        cluster_status: Callable[[], ClusterStatus | None] = _no_cluster,
        latest_frame: LatestFrame | None = None,
    ) -> ApiContext:
        """A context with tokens from ``config.api`` (or the development token), web accounts over ``store`` and a
        broadcaster sized by ``api.live_queue_size``."""
        return cls(
            store=store,
            media=media,
            config=config,
            auth=TokenAuth.from_config(config.api, config.store.data_dir),
            accounts=Accounts(store, config.api, config.store.data_dir),
            camera_status=camera_status,
            latest_snapshot=latest_snapshot,
            broadcaster=broadcaster or EventBroadcaster(config.api.live_queue_size),
            delivery_status=delivery_status,
            inference_status=inference_status,
            alerts_pending=alerts_pending,
            cameras=cameras or ManagedCameras.for_config(config),
            alerts=alerts,
            cluster_status=cluster_status,
            latest_frame=latest_frame,
        )

    def __post_init__(self) -> None:
        if self.cameras is None:  # the configuration's cameras with the stored changes, run by nobody
            object.__setattr__(self, "cameras", ManagedCameras.for_config(self.config))
        clip_cache = self.config.store.data_dir / "masked-clips"
        object.__setattr__(self, "clips", ClipMasker(self.masker.find_people, clip_cache))
        object.__setattr__(self, "clips_ahead", BackgroundClipMasking(self.clips))
        object.__setattr__(
            self, "live", LiveVideo(self.latest_frame or self._timed_snapshot, self.masker.mask_live_jpeg)
        )

    def _timed_snapshot(self, camera_id: str) -> tuple[float, bytes] | None:
        jpeg = self.latest_snapshot(camera_id)
        return None if jpeg is None else (time.time(), jpeg)

    def close_streams(self) -> None:
        """End the live event and video streams (call before stopping the HTTP server so it need not wait for them)."""
        self.broadcaster.close()
        self.live.close()

    @property
    def camera_control(self) -> CameraControl:
        assert self.cameras is not None  # set by __post_init__
        return self.cameras

    def camera_list(self) -> list[CameraConfig]:
        """Every camera as it is now (enabled or not)."""
        return self.camera_control.cameras()

    def camera(self, camera_id: str) -> CameraConfig | None:
        return next((c for c in self.camera_list() if c.id == camera_id), None)
