"""Fall (collapse): a person seen upright who goes down quickly and stays down, nearly still; or a person
found lying still for a long time.

A fall needs an observed transition: an upright sample, then within ``TRANSITION_S`` a down
sample whose box top has dropped by ``MIN_DROP`` of the upright body height, or whose height has
shrunk to ``SHRINK`` of it (a fall along the camera's line of sight). Once down for
``down_time_s`` while moving less than ``STILL_SPEED`` body heights per second, the rule observes
FALL on every frame until the person is upright again.

Someone already lying when their track starts (down when the camera starts, a fall hidden behind
something, or lying down slowly) has no transition. They raise FALL only after ``found_lying_s``
(default 30 s) of lying still with a mean person score of at least ``found_lying_threshold``:
long enough that a person sitting down or tying a shoe is not an alarm, confident enough that a
faint wide box of clutter is not either. ``found_lying_s: null`` turns this off for cameras where
people lie on purpose.

The rule tracks people itself, from ``person_threshold`` up: the person detector scores someone
lying flat far lower than someone standing, often below its own threshold, so the camera's tracks
(which start at that threshold) lose people as they go down. It declares that floor
(``needs.score_floor``) and the pose it reads, and the pipeline hands it the faint boxes apart
(``FrameContext.faint``); keypoints come from the camera's tracks with the same box. Its track ids
are its own; a new stream segment restarts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gwanje.config import rules as rule_config
from gwanje.core.detections import Detections
from gwanje.core.events import EventType, Observation
from gwanje.detect.ops import box_iou, covered_by_better
from gwanje.events.context import FrameContext
from gwanje.events.rule import RuleNeeds
from gwanje.events.rules.base import (
    TIME_EPSILON_S,
    Vanished,
    armed,
    find_predecessor,
)
from gwanje.events.rules.posture import Posture, posture
from gwanje.events.zones import PolygonZone
from gwanje.track.camera import tracker_from
from gwanje.track.history import TrackHistory, TrackRecord, TrackSample

TRANSITION_S = 3.0
"""Longest time from the last upright sample to the first down one."""
MIN_DROP = 0.3
"""The box top must drop at least this many upright body heights during the transition."""
STILL_SPEED = 0.5
"""While down, moving faster than this (upright body heights per second) holds the alarm."""
BORDER_PX = 2
"""Boxes within this many pixels of the frame edge are cut off. A cut only shortens the box along that axis, so a box
cut at the top or bottom that still looks upright is upright, and one cut at a side that still looks down is down;
the other readings (and boxes cut on both axes) say nothing about posture."""
SHRINK = 0.5
"""Or the down box is at most this share of the upright height: a fall along the line of sight (from a raised
camera, falling away from it) leaves the box top near where the head was."""
HANDOVER_RADIUS = 1.0
"""A new track this close (in upright heights) to a vanished one inherits its fall state."""
HANDOVER_TOUCH = 0.25
"""...and only when its box touches the vanished track's last box grown by this many upright heights: a falling
body lands against where it stood, while a person who walked out of the picture leaves no one to fall, and a faint
box of clutter a body's length from their last step must not inherit them (a mattress, a desk, a chair)."""
PERSON = "person"
PART_OF_PERSON = 0.6
"""A box with this share of its area inside a more confident person box is a part of that person (a lying body's
half boxed beside the whole, which NMS keeps): it is not tracked, so one person falls once."""
SCENE_S = 10.0
"""A box seen at the same place (IoU >= ``SCENE_IOU``) over this long by tracks never seen upright is part of the
scene (the cross foot of a table, a bag, a bench): a new track there does not take over a vanished person's fall."""
SCENE_IOU = 0.7
SCENE_FORGET_S = 600.0
UPRIGHT_SCORE_S = 1.0
"""The fall's confidence is the person's mean score while seen upright over this long before the fall."""
SAME_BOX_PX = 0.5
"""A box of the camera's tracks within this of one of the rule's is the same detection (it carries the keypoints)."""


def _seen_posture(sample: TrackSample, reference_height: float | None, frame_size: tuple[int, int]) -> Posture:
    """The sample's posture, UNCLEAR where the frame edge cut the box in a way that could fake it."""
    x1, y1, x2, y2 = sample.xyxy
    w, h = frame_size
    cut_side = x1 <= BORDER_PX or x2 >= w - BORDER_PX
    cut_end = y1 <= BORDER_PX or y2 >= h - BORDER_PX
    if cut_side and cut_end:
        return Posture.UNCLEAR
    seen = posture(sample, reference_height)
    if (cut_end and seen is Posture.DOWN) or (cut_side and seen is Posture.UPRIGHT):
        return Posture.UNCLEAR
    return seen


def _touches(a: tuple[float, float, float, float], b: tuple[float, float, float, float], margin: float) -> bool:
    """Box ``a`` overlaps box ``b`` grown by ``margin`` on every side."""
    return a[0] <= b[2] + margin and a[2] >= b[0] - margin and a[1] <= b[3] + margin and a[3] >= b[1] - margin


@dataclass
class _SceneBox:
    xyxy: tuple[float, float, float, float]
    first_s: float
    last_s: float


class _SceneBoxes:
    """Person boxes that keep coming back at one place without anyone standing there: scene clutter.

    Without this, a person who stood in front of a table and walked away handed their upright score to the
    table's foot, detected faintly before they came and again after they left, and it "fell".
    """

    def __init__(self) -> None:
        self._boxes: list[_SceneBox] = []

    def see(self, xyxy: tuple[float, float, float, float], now: float) -> None:
        self._boxes = [b for b in self._boxes if now - b.last_s <= SCENE_FORGET_S]
        match = self._match(xyxy)
        if match is None:
            self._boxes.append(_SceneBox(xyxy, now, now))
        else:
            match.last_s = now

    def is_scene(self, xyxy: tuple[float, float, float, float]) -> bool:
        match = self._match(xyxy)
        return match is not None and match.last_s - match.first_s >= SCENE_S - TIME_EPSILON_S

    def _match(self, xyxy: tuple[float, float, float, float]) -> _SceneBox | None:
        if not self._boxes:
            return None
        overlaps = box_iou(np.array([xyxy]), np.array([b.xyxy for b in self._boxes]))[0]
        best = int(np.argmax(overlaps))
        return self._boxes[best] if overlaps[best] >= SCENE_IOU else None


@dataclass
class _FallState:
    upright: TrackSample | None = None
    """The last upright sample: the reference for height and for the drop."""
    upright_scores: list[tuple[float, float]] = field(default_factory=list)
    """(time, person score) of the upright samples of the last ``UPRIGHT_SCORE_S`` before the last one."""
    down_since_s: float | None = None
    """When the transition to down was seen; None while not fallen."""
    lying_since_s: float | None = None
    """First down sample since the person was last upright (transition or not); None while not down."""
    lying_length: float = 0.0
    """Long side of that first down box: the body length that scales stillness without an upright reference."""
    lying_score_sum: float = 0.0
    lying_samples: int = 0
    """Sum and count of the person scores since ``lying_since_s``."""

    @property
    def lying_score(self) -> float:
        return self.lying_score_sum / max(self.lying_samples, 1)

    @property
    def fell(self) -> bool:
        """Whether the transition from upright was observed (else the person was found lying)."""
        return self.down_since_s is not None and self.upright is not None


class FallRule:
    """Observes FALL (key = track id) for people who fell and stayed down ``down_time_s``."""

    def __init__(self, config: rule_config.FallRuleConfig, zone: PolygonZone | None = None) -> None:
        self.name = "fall" if zone is None else f"fall:{zone.name}"
        self.config = config
        self.zone = zone
        self.needs = RuleNeeds(frozenset({PERSON}), tracks=True, pose=True, score_floor=config.person_threshold)
        self._history = TrackHistory(forget_after_s=max(10.0, 2 * config.down_time_s))
        self._states: dict[int, _FallState] = {}
        self._tracker = tracker_from(config.person_threshold)
        self._scene = _SceneBoxes()

    def evaluate(self, ctx: FrameContext) -> list[Observation]:
        return self.evaluate_tracks(ctx, self._people(ctx))

    def evaluate_tracks(self, ctx: FrameContext, people: Detections) -> list[Observation]:
        """The rule on person tracks given from outside instead of its own tracker's (perfect-track checks)."""
        now = ctx.time_s
        current = [int(t) for t in people.tracker_id]
        for gone in self._history.update(people, now, ctx.frame.segment):  # all of them on a new segment
            self._states.pop(gone, None)
        fallen: list[int] = []
        for row, tid in enumerate(current):
            record = self._history[tid]
            state = self._states.get(tid)
            if state is None:
                state = self._states[tid] = self._inherit(record, current, now)
            if self._step(state, record, (ctx.frame.width, ctx.frame.height)):
                fallen.append(row)
            if state.upright is None:  # nobody seen standing here: maybe the scene
                self._scene.see(record.last.xyxy, now)
        if not fallen or not armed(self.config.schedule, ctx):
            return []
        rows = np.array(fallen)
        if self.zone is not None:
            rows = rows[self.zone.trigger(people[rows], ctx.frame.width, ctx.frame.height)]
        return [self._observation(people[np.array([row])], current[row]) for row in rows]

    def _people(self, ctx: FrameContext) -> Detections:
        """This rule's person tracks: every person box, faint ones included, with pose keypoints where the
        camera's tracks have the same box (the tracker passes boxes through unchanged)."""
        boxes = Detections.merge([ctx.detections.with_label(PERSON), ctx.faint.with_label(PERSON)])
        boxes = boxes[covered_by_better(boxes.xyxy, boxes.confidence, PART_OF_PERSON)]
        tracks = self._tracker.update(boxes, ctx.time_s, ctx.frame.segment)
        posed = ctx.tracks.with_label(PERSON)
        if not len(tracks) or posed.keypoints is None:
            return tracks
        same = np.all(np.abs(tracks.xyxy[:, None, :] - posed.xyxy[None, :, :]) < SAME_BOX_PX, axis=2)
        keypoints = np.full((len(tracks), *posed.keypoints.shape[1:]), np.nan, np.float32)
        rows, cols = np.nonzero(same)
        keypoints[rows, ...] = posed.keypoints[cols]
        return tracks.replace(keypoints=keypoints)

    def _step(self, state: _FallState, record: TrackRecord, frame_size: tuple[int, int]) -> bool:
        """Advance one track's state with its newest sample; True when it is fallen now."""
        sample = record.last
        reference = state.upright
        seen = _seen_posture(sample, None if reference is None else reference.height, frame_size)
        if seen is Posture.UPRIGHT:
            state.upright, state.down_since_s, state.lying_since_s = sample, None, None
            state.upright_scores = [
                (t, c) for t, c in state.upright_scores if t >= sample.time_s - UPRIGHT_SCORE_S - TIME_EPSILON_S
            ] + [(sample.time_s, sample.confidence)]
            return False
        if seen is Posture.DOWN and state.lying_since_s is None:
            state.lying_since_s, state.lying_length = sample.time_s, max(sample.width, sample.height)
            state.lying_score_sum, state.lying_samples = 0.0, 0
        if state.lying_since_s is not None:
            state.lying_score_sum += sample.confidence
            state.lying_samples += 1
        if seen is Posture.DOWN and state.down_since_s is None and reference is not None:
            quick = sample.time_s - reference.time_s <= TRANSITION_S + TIME_EPSILON_S
            dropped = (
                sample.xyxy[1] - reference.xyxy[1] >= MIN_DROP * reference.height
                or sample.height <= SHRINK * reference.height
            )
            if quick and dropped:
                state.down_since_s = sample.time_s
        if state.down_since_s is not None and reference is not None:
            long_enough = sample.time_s - state.down_since_s >= self.config.down_time_s - TIME_EPSILON_S
            return long_enough and record.speed_px_s(1.0) <= STILL_SPEED * reference.height
        return self._found_lying(state, record)

    def _found_lying(self, state: _FallState, record: TrackRecord) -> bool:
        """Lying still for ``found_lying_s`` with a mean score of at least ``found_lying_threshold``."""
        if self.config.found_lying_s is None or state.lying_since_s is None:
            return False
        long_enough = record.last.time_s - state.lying_since_s >= self.config.found_lying_s - TIME_EPSILON_S
        confident = state.lying_score >= self.config.found_lying_threshold
        return long_enough and confident and record.speed_px_s(1.0) <= STILL_SPEED * state.lying_length

    def _inherit(self, record: TrackRecord, current: list[int], now: float) -> _FallState:
        """A new track takes over the state of a track that vanished just before at the same place.

        Falling changes the box shape so much that trackers often switch ids right then.
        """
        if self._scene.is_scene(record.last.xyxy):
            return _FallState()
        vanished = []
        for tid, state in self._states.items():
            old = self._history.get(tid)
            if tid in current or old is None or state.upright is None:
                continue
            if not _touches(record.last.xyxy, old.last.xyxy, HANDOVER_TOUCH * state.upright.height):
                continue
            vanished.append(Vanished(tid, old.last.center, state.upright.height, old.last_seen_s))
        before = find_predecessor(record.last.center, now, vanished, TRANSITION_S, HANDOVER_RADIUS)
        return _FallState() if before is None else self._states.pop(before)

    def _observation(self, row: Detections, track_id: int) -> Observation:
        state = self._states[track_id]
        record = self._history[track_id]
        if state.fell:
            assert state.upright is not None and state.down_since_s is not None  # fell implies both
            since = state.down_since_s
            # The upright samples may belong to the track this one took over (ids switch as people fall). They alone
            # are the evidence that a person fell: people lying flat score low, and on some cameras clutter "lying"
            # after a faint upright reading scores higher than they do (a sunlit floor seen from above: 0.5 after
            # 0.2). Their last second, not the last sample: that is the fall starting, blurred, and scores lower.
            confidence = float(np.mean([c for _, c in state.upright_scores]))
        else:
            assert state.lying_since_s is not None  # found lying implies it
            since, confidence = state.lying_since_s, state.lying_score
        return Observation(
            event_type=EventType.FALL,
            confidence=confidence,
            boxes=row,
            key=str(track_id),
            zone=None if self.zone is None else self.zone.name,
            label="person",
            details={"track_id": track_id, "down_s": round(record.last_seen_s - since, 2), "seen_falling": state.fell},
        )
