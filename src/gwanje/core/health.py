"""Per-camera stream health as shown in the API, metrics and dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class StreamState(StrEnum):
    """Connecting: opening the source. Live: frames arrive. Stalled: connected but no frame for a while.
    Offline: the source failed and the reader waits before it retries (or gave up, for a finished file)."""

    CONNECTING = "connecting"
    LIVE = "live"
    STALLED = "stalled"
    OFFLINE = "offline"
    DISABLED = "disabled"


@dataclass
class StreamStats:
    """Counters of one camera's reader and analysis loop."""

    camera_id: str
    state: StreamState = StreamState.CONNECTING
    decoded_fps: float = 0.0
    analyzed_fps: float = 0.0
    frames_decoded: int = 0
    frames_analyzed: int = 0
    frames_skipped: int = 0
    """Frames dropped because analysis fell behind (the latest-frame buffer was full)."""
    frames_motion_skipped: int = 0
    """Frames the motion gate kept away from the detectors."""
    corrupt_frames: int = 0
    reconnects: int = 0
    last_error: str | None = None
    last_frame_time: float | None = None
    width: int = 0
    height: int = 0
    node: str | None = None
    """Cluster mode: the node analysing the camera (None on a single machine, or while it is being placed)."""
    restarts: int = 0
    """Cluster mode: times the camera was restarted on another node after its node was lost or it was moved."""
    stage_cpu_s: dict[str, float] = field(default_factory=dict)
    """CPU seconds the camera's analysis thread spent in each stage of its pipeline since it started (motion gate,
    detectors, tracker, analysers, rules, event engine: ``runtime.stage_clock``)."""
