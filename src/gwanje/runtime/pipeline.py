"""One camera's analysis: motion gate → detectors → tracker → analysers → rules → event engine.

Region detections (fire, smoke) are not tracked; the analysers get them next to the tracks, so
that the fight analyser can ignore motion inside a fire. When a fall rule asks for people scored
below the person detector's threshold, those "faint" boxes go to the rules apart (``FrameContext.faint``):
the tracker, the analysers and the other rules never see them.

The same pipeline runs in the service (frames from a live reader) and in `gwanje analyze` /
`gwanje eval` (frames from a file as fast as possible), so what is evaluated is what runs.
State stays on the calling thread; detectors may be shared between cameras.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from gwanje.config.camera import CameraConfig
from gwanje.config.detectors import PersonDetectorConfig
from gwanje.config.rules import FallRuleConfig
from gwanje.config.schema import AppConfig
from gwanje.core.detections import Detections
from gwanje.core.events import Event, Observation
from gwanje.core.frame import Frame
from gwanje.detect.base import Detector, FaintReporter, TrackAnalyzer
from gwanje.events.context import FrameContext
from gwanje.events.engine import EventEngine
from gwanje.events.rule import Rule
from gwanje.events.rules.factory import build_rules
from gwanje.ingest.motion import MotionGate
from gwanje.track.camera import camera_tracker

log = logging.getLogger(__name__)

FrameDetect = Callable[[str, Frame], Detections]
"""Run the detector called ``name`` on one frame (directly, or through the batching inference worker)."""

NOT_TRACKED = frozenset({"fire", "smoke", "fight"})
"""Labels that describe regions, not objects: they are never given track ids."""


@dataclass
class FrameResult:
    """What one analysed frame produced."""

    context: FrameContext
    events: list[Event] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    ran_detectors: bool = True
    """False when the motion gate saw nothing new and the last detections were reused."""


class CameraPipeline:
    """Analysis state of one camera. Call :meth:`process` for each analysed frame, :meth:`close` at the end."""

    def __init__(
        self,
        app: AppConfig,
        camera: CameraConfig,
        detectors: Mapping[str, Detector | TrackAnalyzer],
        detect: FrameDetect | None = None,
    ) -> None:
        self.camera = camera
        self._frame_detectors = [n for n in camera.detectors if isinstance(detectors[n], Detector)]
        pose_names = {n for n, c in app.detectors.items() if c.type == "pose"}
        self._analyzers: list[TrackAnalyzer] = [
            d
            for n, d in detectors.items()
            if isinstance(d, TrackAnalyzer) and n in camera.detectors and n not in pose_names
        ]
        watches_falls = any(isinstance(r, FallRuleConfig) for r in camera.rules)  # pose and faint people serve only it
        pose = [d for n, d in detectors.items() if isinstance(d, TrackAnalyzer) and n in pose_names]
        self._pose: TrackAnalyzer | None = pose[0] if watches_falls and pose else None
        self._detectors = detectors
        self._detect: FrameDetect = detect or self._direct_detect
        self._motion = MotionGate(camera.motion) if camera.motion.enabled else None
        self._last: dict[str, Detections] = {}
        self._person_thresholds = _ask_for_faint_people(app, camera, detectors)
        self._keeps_faint = watches_falls
        self._tracker = camera_tracker(app, camera)
        self._rules: list[Rule] = build_rules(camera, app.detectors)
        self._engine = EventEngine(camera.id, tuning=lambda t: app.tuning_for(camera, t))

    def _direct_detect(self, name: str, frame: Frame) -> Detections:
        detector = self._detectors[name]
        assert isinstance(detector, Detector)
        return detector.detect([frame])[0]

    def process(self, frame: Frame) -> FrameResult:
        """Analyse one frame and return the event changes it caused."""
        run = True
        if self._motion is not None:
            run = self._motion.check(frame).run_detectors
        parts: list[Detections] = []
        faint: list[Detections] = []
        for name in self._frame_detectors:
            # Without motion the scene is what it was: reuse the last answer instead of paying for inference.
            if run or name not in self._last:
                self._last[name] = self._detect(name, frame)
            found = self._last[name]
            threshold = self._person_thresholds.get(name)
            if threshold is not None:
                weak = found.confidence <= threshold
                if self._keeps_faint:
                    faint.append(found[weak])
                found = found[~weak]
            parts.append(found)
        detections = Detections.merge(parts)
        in_regions = _region_mask(detections)
        regions = detections[in_regions]
        tracks = self._tracker.update(detections[~in_regions], frame.pts_s)
        extra: list[Detections] = []
        if self._pose is not None and len(tracks):
            tracks = self._pose.analyze(frame, tracks, regions)
        for analyzer in self._analyzers:
            # regions: the fight analyser ignores motion inside fire and smoke boxes
            extra.append(analyzer.analyze(frame, tracks, regions))
        if extra:
            detections = Detections.merge([detections, *extra])
        ctx = FrameContext(
            frame=frame,
            detections=detections,
            tracks=tracks,
            faint=Detections.merge(faint) if faint else Detections.empty(),
        )
        observations: list[Observation] = []
        if self.camera.schedule.is_active(frame.wall_time):
            for rule in self._rules:
                observations.extend(rule.evaluate(ctx))
        events = self._engine.update(frame, observations)
        return FrameResult(context=ctx, events=events, observations=observations, ran_detectors=run)

    def close(self, last: Frame | None) -> list[Event]:
        """End every open event (end of a file, camera removed, shutdown)."""
        return self._engine.flush(last) if last is not None else []


def _ask_for_faint_people(
    app: AppConfig, camera: CameraConfig, detectors: Mapping[str, Detector | TrackAnalyzer]
) -> dict[str, float]:
    """Have the camera's person detectors also report the faint people its fall rules track.

    Returns the threshold of each of the camera's person detectors: its boxes at or below it are faint.
    Every camera splits them off, since a detector shared with another camera's fall rule reports them too.
    """
    wanted = [r.person_threshold for r in camera.rules if isinstance(r, FallRuleConfig)]
    thresholds: dict[str, float] = {}
    for name in camera.detectors:
        detector, config = detectors.get(name), app.detectors.get(name)
        if not isinstance(detector, FaintReporter) or not isinstance(config, PersonDetectorConfig):
            continue
        thresholds[name] = config.threshold
        if wanted and min(wanted) < config.threshold:
            detector.report_faint(min(wanted))
    return thresholds


def _region_mask(d: Detections) -> npt.NDArray[np.bool_]:
    return np.isin(d.label, list(NOT_TRACKED))
