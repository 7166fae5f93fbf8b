"""Run the configured detectors and the event engine over a video file as fast as possible.

This is `gwanje analyze` and the video half of `gwanje eval`: the same CameraPipeline as the
service, fed by decoded file frames whose times are the media times.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gwanje.config.camera import CameraConfig, SourceConfig
from gwanje.config.schema import AppConfig
from gwanje.core.events import Event, EventState
from gwanje.core.frame import Frame
from gwanje.detect.registry import declaration
from gwanje.events.rules.factory import rules_for_events
from gwanje.ingest.source import iter_file_frames, probe_duration
from gwanje.runtime.detectors import AnyDetector
from gwanje.runtime.pipeline import CameraPipeline


@dataclass(frozen=True)
class AnalyzedEvent:
    """An event found in a file. ``alert_s`` is when the operator would have been alerted (media time)."""

    type: str
    start_s: float
    end_s: float | None
    confidence: float
    alert_s: float
    zone: str | None = None
    label: str | None = None
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "type": self.type,
            "start_s": round(self.start_s, 3),
            "end_s": None if self.end_s is None else round(self.end_s, 3),
            "confidence": round(self.confidence, 4),
            "alert_s": round(self.alert_s, 3),
            "zone": self.zone,
            "label": self.label,
            "boxes": [[round(v, 1) for v in b] for b in self.boxes],
        }


@dataclass
class Analysis:
    events: list[AnalyzedEvent]
    duration_s: float
    frames: int


def analysis_camera(app: AppConfig, camera_id: str | None, types: Sequence[str] | None = None) -> CameraConfig:
    """The camera settings a file is analysed with.

    With a camera in the config (the one named, else the first), its detectors, zones, rules and
    tuning apply. Without, a camera with the rules the wanted event types need (a fall rule for falls) and
    every declared detector that outputs a label they are found from (default: the shipped event types).
    """
    if camera_id is not None:
        return app.camera(camera_id)
    if app.cameras:
        return app.cameras[0]
    labels, rules = rules_for_events(list(types) if types else None)
    names = [n for n, cfg in app.detectors.items() if labels & declaration(cfg).labels.keys()]
    return CameraConfig(id="file", source=SourceConfig(url="file"), detectors=names, rules=rules)


class FileAnalyzer:
    """Analyses files one after another with one set of loaded models."""

    def __init__(self, app: AppConfig, camera: CameraConfig, detectors: dict[str, AnyDetector]) -> None:
        self.app = app
        self.camera = camera
        self.detectors = detectors

    def run(self, path: Path, on_progress: Callable[[float], None] | None = None) -> Analysis:
        pipeline = CameraPipeline(self.app, self.camera, self.detectors)
        alert_at: dict[str, float] = {}
        finished: dict[str, Event] = {}
        last: Frame | None = None
        frames = 0
        for frame in iter_file_frames(path, self.camera.analysis_fps, camera_id=self.camera.id):
            frames += 1
            last = frame
            for ev in pipeline.process(frame).events:
                _collect(ev, frame.pts_s, alert_at, finished)
            if on_progress is not None:
                on_progress(frame.pts_s)
        for ev in pipeline.close(last):
            _collect(ev, last.pts_s if last else 0.0, alert_at, finished)
        duration = probe_duration(path) or (last.pts_s if last else 0.0)
        events = [
            AnalyzedEvent(
                type=ev.event_type.value,
                start_s=ev.start_pts_s,
                end_s=ev.end_pts_s,
                confidence=ev.peak_confidence,
                alert_s=alert_at[ev.id],
                zone=ev.zone,
                label=ev.label,
                boxes=list(ev.boxes),
            )
            for ev in finished.values()
        ]
        events.sort(key=lambda e: (e.alert_s, e.type))
        return Analysis(events=events, duration_s=duration, frames=frames)


def _collect(ev: Event, pts: float, alert_at: dict[str, float], finished: dict[str, Event]) -> None:
    if ev.state is EventState.START:
        alert_at.setdefault(ev.id, pts)
    finished[ev.id] = ev
