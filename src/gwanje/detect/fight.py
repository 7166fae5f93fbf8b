"""Fight / assault detection over a short window of each camera's analysed frames.

``FightAnalyzer`` keeps, per camera, the last ``window_s`` seconds of small grey frames and their
motion (``fight_features``). Still frame pairs cost a frame difference only; the classifier runs
only when the window moved enough (the trigger) and, if configured, two tracked people are close
together. It returns one ``fight`` detection whose confidence is the model's calibrated score
(0.5 = the operating point chosen in training) and whose box covers the people involved, or the
moving region when no people are tracked.

Motion inside the frame's fire and smoke boxes (the ``regions`` the pipeline passes) is ignored:
flames and smoke move in every direction at once, which is exactly what the model calls a fight.
A pair of frames is masked with the boxes of both its frames, so a box that shrinks or jumps
between detector runs does not let the flicker it left behind through.

Example:
    >>> from gwanje.config.detectors import FightDetectorConfig
    >>> analyzer = FightAnalyzer("fight", FightDetectorConfig())  # doctest: +SKIP
    >>> for frame in frames:  # doctest: +SKIP
    ...     fights = analyzer.analyze(frame, tracked_people, fire_and_smoke)
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from gwanje.config.detectors import FightDetectorConfig
from gwanje.core.detections import Detections
from gwanje.core.errors import ModelLoadError
from gwanje.core.frame import Frame
from gwanje.detect.base import LabelKind, Produces
from gwanje.detect.fight_features import (
    FEATURE_VERSION,
    WINDOW_DIM,
    Grey,
    Mask,
    MotionStep,
    exclusion_mask,
    motion_step,
    prepare,
    triggered,
    window_features,
)
from gwanje.detect.onnx_session import OnnxModel, packaged_model

log = logging.getLogger(__name__)

MODEL_FILE = "fight.onnx"
MODEL_INPUT = "features"
MODEL_OUTPUT = "fight_score"
LABEL = "fight"
PERSON = "person"
IGNORED_REGIONS = ("fire", "smoke")
"""Region labels whose motion is not people's: flames and smoke would otherwise read as a fight."""


@dataclass
class _CameraWindow:
    """One camera's recent frames and the motion between them."""

    last_grey: Grey | None = None
    last_pts: float = 0.0
    segment: int = 0
    last_exclude: Mask | None = None
    """The previous frame's fire/smoke mask, to mask each pair with the regions of both its frames."""
    steps: deque[tuple[float, MotionStep]] = field(default_factory=deque)
    """(pts of the later frame, step) for the pairs inside the window."""
    first_pts: deque[float] = field(default_factory=deque)
    """pts of the earlier frame of each step, to measure the span covered."""


def load_fight_model(name: str, cfg: FightDetectorConfig) -> OnnxModel:
    """Open the fight ONNX model and check it was built for this feature extraction."""
    path = cfg.model_path or packaged_model(MODEL_FILE)
    model = OnnxModel(path, cfg.runtime, name=name)
    model.expect(inputs=1, input_rank=2, outputs=1, what="fight window features -> fight score")
    if model.input.fixed(1) not in (None, WINDOW_DIM):
        raise ModelLoadError(
            f"fight model {path} takes {model.input.fixed(1)} features; this build computes {WINDOW_DIM}"
        )
    version = _metadata(model).get("feature_version")
    if version is not None and version != str(FEATURE_VERSION):
        raise ModelLoadError(
            f"fight model {path} was trained on features v{version}, this build computes v{FEATURE_VERSION}; "
            "retrain it with `gwanje train fight` or use the model shipped with this version"
        )
    return model


def _metadata(model: OnnxModel) -> dict[str, str]:
    import onnxruntime as ort

    session = ort.InferenceSession(str(model.path), providers=["CPUExecutionProvider"])
    return dict(session.get_modelmeta().custom_metadata_map)


class FightAnalyzer:
    """TrackAnalyzer: a ``fight`` detection per analysed frame while the model scores a fight.

    It adds detections (a fight is a region, never tracked); a camera's window restarts with a new
    stream segment (``frame.segment``) as after a gap.
    """

    @classmethod
    def declare(cls, cfg: FightDetectorConfig) -> Produces:
        return Produces({LABEL: LabelKind.REGION}, threshold=cfg.threshold)

    def __init__(self, name: str, cfg: FightDetectorConfig) -> None:
        self.name = name
        self.cfg = cfg
        self.produces = self.declare(cfg)
        self._model: OnnxModel | None = load_fight_model(name, cfg)
        self._cameras: dict[str, _CameraWindow] = {}

    def analyze(self, frame: Frame, tracks: Detections, regions: Detections | None = None) -> Detections:
        """The fight detection of this frame's window, if any; motion inside fire/smoke ``regions`` is ignored."""
        window = self._cameras.setdefault(frame.camera_id, _CameraWindow())
        grey = prepare(frame.image)
        exclude = None if regions is None else _region_mask(frame, grey, regions.with_label(*IGNORED_REGIONS))
        if frame.segment != window.segment:
            window.segment, window.last_grey = frame.segment, None  # the stream broke: start the window again
        step = self._advance(window, grey, frame.pts_s, exclude)
        if step is None or not self._full(window):
            return Detections.empty()
        steps = [s for _, s in window.steps]
        if not triggered(steps, self.cfg.trigger_changed_fraction):
            return Detections.empty()
        people = tracks.with_label(PERSON)
        if self.cfg.require_people and not _two_people_close(people):
            return Detections.empty()
        score = self.score(window_features(steps)[None, :])[0]
        if score < self.cfg.threshold:
            return Detections.empty()
        box = _fight_box(frame, steps, people)
        return Detections.from_arrays([box], [score], LABEL)

    def score(self, features: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Calibrated fight scores of N x WINDOW_DIM window features."""
        if self._model is None:
            raise RuntimeError(f"fight analyzer {self.name!r} was closed")
        (out,) = self._model.run({MODEL_INPUT: features.astype(np.float32)})
        return np.asarray(out, np.float32).reshape(-1)

    def _advance(self, window: _CameraWindow, grey: Grey, pts: float, exclude: Mask | None) -> MotionStep | None:
        """Add a frame; returns the new step, or None when the window restarts (first frame, gap, new size)."""
        previous, previous_exclude = window.last_grey, window.last_exclude
        dt = pts - window.last_pts
        window.last_grey, window.last_pts, window.last_exclude = grey, pts, exclude
        if previous is None or previous.shape != grey.shape or not 0 < dt <= self.cfg.max_gap_s:
            if previous is not None:
                log.debug("fight window restarted (frame size %s -> %s, step %.2f s)", previous.shape, grey.shape, dt)
            window.steps.clear()
            window.first_pts.clear()
            return None
        step = motion_step(previous, grey, dt, _union(previous_exclude, exclude), steady_exposure=True)
        window.steps.append((pts, step))
        window.first_pts.append(pts - dt)
        oldest_allowed = pts - self.cfg.window_s + 0.5 * dt  # half a frame of slack for timestamp jitter
        while window.first_pts and window.first_pts[0] < oldest_allowed:
            window.steps.popleft()
            window.first_pts.popleft()
        return step

    def _full(self, window: _CameraWindow) -> bool:
        """The window spans its length, less the frame that the half-open window leaves out."""
        if len(window.steps) < 2:
            return False
        newest_pts, newest = window.steps[-1]
        return newest_pts - window.first_pts[0] >= self.cfg.window_s - 1.5 * newest.dt

    def close(self) -> None:
        self._cameras.clear()
        if self._model is not None:
            self._model.close()
            self._model = None


def _region_mask(frame: Frame, grey: Grey, regions: Detections) -> Mask | None:
    """The working-frame mask of ``regions`` (frame pixels), None when there are none."""
    scale = np.array([frame.width, frame.height, frame.width, frame.height], np.float32)
    boxes = [(float(b[0]), float(b[1]), float(b[2]), float(b[3])) for b in regions.xyxy / scale]
    return exclusion_mask((grey.shape[0], grey.shape[1]), boxes)


def _union(a: Mask | None, b: Mask | None) -> Mask | None:
    if a is None or b is None:
        return b if a is None else a
    return a | b


def _two_people_close(people: Detections) -> bool:
    """True when two person boxes are nearer than about one body height (centre to centre)."""
    if len(people) < 2:
        return False
    centres = (people.xyxy[:, :2] + people.xyxy[:, 2:]) / 2
    heights = people.xyxy[:, 3] - people.xyxy[:, 1]
    distance = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=2)
    reach = np.maximum(heights[:, None], heights[None, :]) * 1.2
    np.fill_diagonal(distance, np.inf)
    return bool((distance < reach).any())


def _fight_box(frame: Frame, steps: list[MotionStep], people: Detections) -> list[float]:
    """People overlapping the window's moving region, else that region, else the whole frame.

    The region spans the fast motion of every frame pair in the window, the motion the model scored. The last pair
    alone often holds one swinging limb or nothing fast at all (the box would then be the whole frame), which put
    the evidence box beside the fighters.
    """
    w, h = frame.width, frame.height
    boxes = np.array([s.motion_box for s in steps if s.motion_box is not None], np.float32).reshape(-1, 4)
    if not len(boxes):
        return [0.0, 0.0, float(w), float(h)]
    scale = np.array([w, h, w, h], np.float32)
    motion = np.concatenate([boxes[:, :2].min(axis=0), boxes[:, 2:].max(axis=0)]) * scale
    if len(people):
        b = people.xyxy
        overlaps = (b[:, 0] < motion[2]) & (b[:, 2] > motion[0]) & (b[:, 1] < motion[3]) & (b[:, 3] > motion[1])
        if overlaps.any():
            chosen = b[overlaps]
            return [
                float(chosen[:, 0].min()),
                float(chosen[:, 1].min()),
                float(chosen[:, 2].max()),
                float(chosen[:, 3].max()),
            ]
    return [float(v) for v in motion]
