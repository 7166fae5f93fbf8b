"""One camera's analysis: motion gate → detectors → tracker → analysers → rules → event engine.

The pipeline builds itself from declarations and names no rule and no detector: each rule says what it
needs (``Rule.needs``: labels, tracks, pose, a score floor) and each detector or analyser what it produces
(``produces``: per label a region or a tracked object, faint boxes below its threshold, tracks enriched or
detections added). From those, per camera:

* labels that a detector declares as regions (fire, smoke) are not tracked; the analysers get them next
  to the tracks, so that the fight analyser can ignore motion inside a fire;
* an analyser that enriches tracks (pose: keypoints) runs only when a rule needs what it fills in; the
  others the camera lists (fight) add their detections;
* boxes a shared detector reports at or below its threshold ("faint", see ``runtime.detectors``) are split
  off on every camera and handed only to the rules that declared a score floor, filtered at that floor and
  to their labels (``FrameContext.faint``): the tracker, the analysers and the other rules never see them.

The same pipeline runs in the service (frames from a live reader) and in `gwanje analyze` /
`gwanje eval` (frames from a file as fast as possible), so what is evaluated is what runs.
State stays on the calling thread; detectors may be shared between cameras and never change for one.
Stream breaks arrive marked on the frames (``Frame.segment``); the stateful stages restart on them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from gwanje.config.camera import CameraConfig
from gwanje.config.detectors import FrameDetectorConfig
from gwanje.config.schema import AppConfig
from gwanje.core.detections import Detections
from gwanje.core.events import EndReason, Event, Observation
from gwanje.core.frame import Frame, SegmentWatch
from gwanje.detect.base import Detector, Produces, TrackAnalyzer
from gwanje.events.context import FrameContext
from gwanje.events.engine import EventEngine
from gwanje.events.rule import Rule
from gwanje.events.rules.factory import build_rules
from gwanje.ingest.motion import MotionGate
from gwanje.runtime.plan import faint_mask, short_floor, track_enricher, unfed
from gwanje.runtime.stage_clock import StageClock
from gwanje.track.camera import camera_tracker

log = logging.getLogger(__name__)

FrameDetect = Callable[[str, Frame], Detections]
"""Run the detector called ``name`` on one frame (directly, or through the batching inference worker)."""


@dataclass
class FrameResult:
    """What one analysed frame produced. ``context.faint`` holds the faint boxes some rule of the camera got."""

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
        self._rules: list[Rule] = build_rules(camera, app.detectors)
        needs = [r.needs for r in self._rules]
        listed = [detectors[n] for n in camera.detectors]
        self._frame_detectors = [n for n in camera.detectors if isinstance(detectors[n], Detector)]
        self._faint_below = {
            n: d.produces.threshold
            for n in self._frame_detectors
            if (d := detectors[n]).produces.faint and d.produces.threshold is not None
        }
        self._regions = sorted(set().union(*(d.produces.regions for d in listed)))
        analyzers = {n: d.produces for n, d in detectors.items() if isinstance(d, TrackAnalyzer)}
        enricher = track_enricher(camera.detectors, analyzers, needs)
        self._enricher = None if enricher is None else _analyzer(detectors[enricher])
        self._adders = [
            a
            for n in camera.detectors
            if isinstance(a := detectors[n], TrackAnalyzer) and not a.produces.enriches_tracks
        ]
        self._detectors = detectors
        self._detect: FrameDetect = detect or self._direct_detect
        self._motion = MotionGate(camera.motion) if camera.motion.enabled else None
        self._last: dict[str, Detections] = {}
        self._every = {n: _every(app.detectors.get(n)) for n in self._frame_detectors}
        self._since: dict[str, int] = {}
        """Analysed frames since each detector last ran on this camera (its ``every`` spaces the runs)."""
        self._segments = SegmentWatch()
        self._tracker = camera_tracker(app, camera)
        self._engine = EventEngine(camera.id, tuning=lambda t: app.tuning_for(camera, t))
        self.clock = StageClock()
        """CPU time of each stage on this camera's thread (``gwanje bench`` prints it per analysed frame)."""
        _report_unfed(camera, self._rules, [d.produces for d in listed])

    def _direct_detect(self, name: str, frame: Frame) -> Detections:
        detector = self._detectors[name]
        assert isinstance(detector, Detector)
        return detector.detect([frame])[0]

    def process(self, frame: Frame) -> FrameResult:
        """Analyse one frame and return the event changes it caused."""
        clock = self.clock
        run = True
        if self._motion is not None:
            with clock.stage("motion gate"):
                gate = self._motion.check(frame)
            run = gate.run_detectors
            if gate.motion is not None:
                frame = dataclasses.replace(frame, motion=gate.motion)
        if self._segments.changed(frame.segment):  # the stream broke: what was seen before is no answer now
            self._last.clear()
        parts: list[Detections] = []
        faint_parts: list[Detections] = []
        for name in self._frame_detectors:
            # Without motion the scene is what it was, and a detector that runs every Nth frame is not due:
            # reuse the last answer instead of paying for inference.
            since = self._since.get(name, 0) + 1
            if name not in self._last or (run and since >= self._every[name]):
                with clock.stage(f"detector {name}"):
                    self._last[name] = self._detect(name, frame)
                since = 0
            self._since[name] = since
            found = self._last[name]
            threshold = self._faint_below.get(name)
            if threshold is not None:
                weak = found.confidence <= threshold
                faint_parts.append(found[weak])
                found = found[~weak]
            parts.append(found)
        detections = Detections.merge(parts)
        faint = Detections.merge(faint_parts) if faint_parts else Detections.empty()
        in_regions = np.isin(detections.label, self._regions)
        regions = detections[in_regions]
        with clock.stage("tracker"):
            tracks = self._tracker.update(detections[~in_regions], frame.pts_s, frame.segment)
        if self._enricher is not None and len(tracks):
            with clock.stage(f"analyser {self._enricher.name}"):
                tracks = self._enricher.analyze(frame, tracks, regions)
        # regions: the fight analyser ignores motion inside fire and smoke boxes
        extra = []
        for analyzer in self._adders:
            with clock.stage(f"analyser {analyzer.name}"):
                extra.append(analyzer.analyze(frame, tracks, regions))
        if extra:
            detections = Detections.merge([detections, *extra])
        ctx = FrameContext(frame=frame, detections=detections, tracks=tracks)
        given = np.zeros(len(faint), bool)
        observations: list[Observation] = []
        active = self.camera.schedule.is_active(frame.wall_time)
        for rule in self._rules:
            rule_ctx = ctx
            if rule.needs.score_floor is not None:
                mask = faint_mask(faint, rule.needs)
                given |= mask
                rule_ctx = dataclasses.replace(ctx, faint=faint[mask])
            if active:
                with clock.stage(f"rule {rule.name}"):
                    observations.extend(rule.evaluate(rule_ctx))
        ctx = dataclasses.replace(ctx, faint=faint[given])
        with clock.stage("event engine"):
            events = self._engine.update(frame, observations)
        clock.frame_done()
        return FrameResult(context=ctx, events=events, observations=observations, ran_detectors=run)

    def close(self, last: Frame | None, reason: EndReason = EndReason.FLUSH) -> list[Event]:
        """End every open event (end of a file, camera removed or offline, shutdown) at ``last``."""
        return self._engine.flush(last, reason) if last is not None else []


def _every(cfg: object) -> int:
    """How often (in analysed frames) a frame detector runs; 1 for any detector without the setting."""
    return cfg.every if isinstance(cfg, FrameDetectorConfig) else 1


def _analyzer(detector: Detector | TrackAnalyzer) -> TrackAnalyzer:
    assert isinstance(detector, TrackAnalyzer)
    return detector


def _report_unfed(camera: CameraConfig, rules: list[Rule], produced: list[Produces]) -> None:
    """Say once, at start, when a rule can never fire or gets fewer faint boxes than it asked for."""
    for rule in rules:
        reason = unfed(rule.name, rule.needs, produced)
        if reason is not None:
            log.warning(
                "camera %s: %s; it will never fire. Add a detector that outputs them as the rule needs "
                "to the camera's detectors %s.",
                camera.id,
                reason,
                camera.detectors,
            )
        floor = short_floor(rule.needs, produced)
        if floor is not None:
            log.warning(
                "camera %s: the %s rule wants boxes from %.2f, but its detector reports only down to %.2f: it was "
                "built without this camera (build the detectors with every camera that uses them)",
                camera.id,
                rule.name,
                rule.needs.score_floor,
                floor,
            )
