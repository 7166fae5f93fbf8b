"""The start / update / end state machine that turns rules' observations into events.

One machine per (event type, observation key) of one camera; see docs/events.md for the diagram.
Time is the frames' stream position (``pts_s``), made continuous across source reconnects, so a
file analysed faster than real time gives the same events as the live stream.

Example:
    >>> from gwanje.config.events import EventTuning
    >>> engine = EventEngine("cam1", tuning=lambda _t: EventTuning(confirm_frames=2, window_frames=3))
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from gwanje.config.events import EventTuning
from gwanje.core.events import DEFAULT_SEVERITY, EndReason, Event, EventState, EventType, Observation, Severity
from gwanje.core.frame import Frame
from gwanje.events.timeline import ContinuousTime

TIME_EPSILON_S = 1e-6
"""Tolerance of time comparisons, so 0.1-second steps that add up to 0.49999 count as 0.5 s."""

TuningLookup = Callable[[str], EventTuning]
SeverityLookup = Callable[[EventType], Severity]
WallTime = Callable[[Frame], float]


@dataclass(frozen=True)
class _Sample:
    """One analysed frame as one machine saw it; ``t`` is the engine's continuous timeline."""

    t: float
    pts: float
    wall: float
    positive: bool


@dataclass(frozen=True)
class _Peak:
    confidence: float
    wall: float
    observation: Observation
    frame_size: tuple[int, int]


def _reached(elapsed: float, limit: float) -> bool:
    return elapsed >= limit - TIME_EPSILON_S


class _Machine:
    """State of one (event type, key): N-of-M window, pending run, open event, last ended event."""

    def __init__(self, camera_id: str, event_type: EventType, key: str, tuning: EventTuning, severity: Severity):
        self.camera_id = camera_id
        self.event_type = event_type
        self.key = key
        self.tuning = tuning
        self.severity = severity
        self.window: deque[_Sample] = deque(maxlen=tuning.window_frames)
        self.run_start: _Sample | None = None
        """First positive frame of the run that currently satisfies N of M."""
        self.run_peak: _Peak | None = None
        self.event: Event | None = None
        self.event_start_t = 0.0
        self.last_positive: _Sample | None = None
        self.last_peak: _Peak | None = None
        """The latest positive observation (seeds the next part of an event split at max_duration_s)."""
        self.last_publish_t = 0.0
        self.published_peak = 0.0
        self.seen_since_publish = False
        self.ended: Event | None = None
        self.ended_t = 0.0

    def step(self, sample: _Sample, obs: Observation | None, frame_size: tuple[int, int]) -> list[Event]:
        self.window.append(sample)
        peak = None
        if sample.positive and obs is not None:
            self.last_positive = sample
            peak = _Peak(obs.confidence, sample.wall, obs, frame_size)
            self.last_peak = peak
        self._track_run(peak)
        if self.event is not None:
            return self._step_active(sample, peak)
        return self._step_idle(sample)

    def _track_run(self, peak: _Peak | None) -> None:
        if sum(s.positive for s in self.window) < self.tuning.confirm_frames:
            self.run_start, self.run_peak = None, None
            return
        if self.run_start is None:
            self.run_start = next(s for s in self.window if s.positive)
        if peak is not None and (self.run_peak is None or peak.confidence > self.run_peak.confidence):
            self.run_peak = peak

    def _step_idle(self, sample: _Sample) -> list[Event]:
        start = self.run_start
        if start is None or self.run_peak is None or not _reached(sample.t - start.t, self.tuning.min_duration_s):
            return []
        if self.ended is not None and start.t - self.ended_t <= self.tuning.merge_gap_s + TIME_EPSILON_S:
            return [self._reopen(sample)]
        if self.ended is not None and not _reached(sample.t - self.ended_t, self.tuning.cooldown_s):
            return []  # confirmed, but suppressed until the cooldown has passed
        return [self._open(start, self.run_peak, sample)]

    def _step_active(self, sample: _Sample, peak: _Peak | None) -> list[Event]:
        assert self.event is not None and self.last_positive is not None and self.last_peak is not None
        if peak is not None:
            self._absorb(peak)
        if _reached(sample.t - self.last_positive.t, self.tuning.end_after_s):
            return [self._close(self.last_positive, EndReason.QUIET, sample.t)]
        if _reached(sample.t - self.event_start_t, self.tuning.max_duration_s):
            # The next part continues the same activity at once: no confirmation, merge or cooldown.
            return [self._close(sample, EndReason.MAX_DURATION, sample.t), self._open(sample, self.last_peak, sample)]
        rose = _reached(self.event.peak_confidence - self.published_peak, self.tuning.update_peak_rise)
        due = self.seen_since_publish and _reached(sample.t - self.last_publish_t, self.tuning.update_interval_s)
        if rose or due:
            return [self._publish(EventState.UPDATE, sample.t)]
        return []

    def _open(self, start: _Sample, peak: _Peak, now: _Sample) -> Event:
        obs = peak.observation
        self.event = Event(
            id=str(uuid.uuid4()),
            camera_id=self.camera_id,
            event_type=self.event_type,
            state=EventState.START,
            start_time=start.wall,
            start_pts_s=start.pts,
            severity=self.severity,
            key=self.key,
            zone=obs.zone,
            label=obs.label,
        )
        self.event_start_t = start.t
        self._set_peak(peak)
        self.ended = None
        return self._publish(EventState.START, now.t)

    def _reopen(self, now: _Sample) -> Event:
        assert self.ended is not None and self.run_peak is not None
        self.event = replace(self.ended, end_time=None, end_pts_s=None, details=dict(self.ended.details))
        self.event.details.pop("end_reason", None)
        self.event.details["reopened"] = int(self.event.details.get("reopened", 0)) + 1
        self.ended = None
        self._absorb(self.run_peak)
        return self._publish(EventState.UPDATE, now.t)

    def _absorb(self, peak: _Peak) -> None:
        """Note a positive observation of the open event; keep it when it is the new peak."""
        assert self.event is not None
        self.seen_since_publish = True
        if peak.confidence > self.event.peak_confidence:
            self._set_peak(peak)

    def _set_peak(self, peak: _Peak) -> None:
        """The peak observation's confidence, boxes, zone, label and details become the event's."""
        assert self.event is not None
        obs = peak.observation
        self.event.peak_confidence = peak.confidence
        self.event.peak_time = peak.wall
        self.event.boxes = [(float(a), float(b), float(c), float(d)) for a, b, c, d in obs.boxes.xyxy.tolist()]
        self.event.frame_size = peak.frame_size
        self.event.zone = obs.zone if obs.zone is not None else self.event.zone
        self.event.label = obs.label if obs.label is not None else self.event.label
        self.event.details.update(obs.details)

    def _publish(self, state: EventState, t: float) -> Event:
        assert self.event is not None
        self.event.state = state
        self.last_publish_t = t
        self.published_peak = self.event.peak_confidence
        self.seen_since_publish = False
        return replace(self.event, boxes=list(self.event.boxes), details=dict(self.event.details))

    def close(self, end: _Sample, reason: EndReason) -> Event:
        """End the open event at ``end`` (public for flush)."""
        return self._close(end, reason, end.t)

    def _close(self, end: _Sample, reason: EndReason, now_t: float) -> Event:
        assert self.event is not None
        self.event.end_time = end.wall
        self.event.end_pts_s = end.pts
        self.event.details["end_reason"] = reason.value
        published = self._publish(EventState.END, now_t)
        self.ended, self.ended_t = self.event, end.t
        self.event = None
        self.window.clear()  # a new event needs fresh evidence, not the tail of this one
        self.run_start, self.run_peak = None, None
        return published

    def idle(self, t: float) -> bool:
        """Nothing open, pending or remembered: the machine can be dropped."""
        if self.event is not None or self.run_start is not None or any(s.positive for s in self.window):
            return False
        return self.ended is None or t - self.ended_t > max(self.tuning.merge_gap_s, self.tuning.cooldown_s)


class EventEngine:
    """All event state machines of one camera.

    ``tuning(event_type)`` is read once per event type (the configuration is immutable);
    ``severity`` defaults to ``DEFAULT_SEVERITY``; ``wall_time`` defaults to ``frame.wall_time``.
    """

    def __init__(
        self,
        camera_id: str,
        tuning: TuningLookup,
        severity: SeverityLookup | None = None,
        wall_time: WallTime | None = None,
    ) -> None:
        self.camera_id = camera_id
        self._tuning_lookup = tuning
        self._severity = severity or (lambda t: DEFAULT_SEVERITY.get(t, Severity.MEDIUM))
        self._wall_time: WallTime = wall_time or (lambda f: f.wall_time)
        self._tunings: dict[EventType, EventTuning] = {}
        self._machines: dict[tuple[EventType, str], _Machine] = {}
        self._timeline = ContinuousTime(camera_id)
        self._last: _Sample | None = None
        self._counted_at: dict[str, float] = {}
        """Event type -> continuous time of its last counting observation (for ``quiet_near``)."""

    def _tuning(self, event_type: EventType) -> EventTuning:
        if event_type not in self._tunings:
            self._tunings[event_type] = self._tuning_lookup(event_type.value)
        return self._tunings[event_type]

    def update(self, frame: Frame, observations: Sequence[Observation]) -> list[Event]:
        """Feed one analysed frame; returns the events that started, updated or ended on it."""
        t = self._timeline(frame.pts_s, frame.segment)
        wall = self._wall_time(frame)
        best: dict[tuple[EventType, str], Observation] = {}
        for obs in observations:
            current = best.get((obs.event_type, obs.key))
            if current is None or obs.confidence > current.confidence:
                best[(obs.event_type, obs.key)] = obs
        for (event_type, _), obs in best.items():
            tuning = self._tuning(event_type)
            if tuning.enabled and obs.confidence >= tuning.threshold:
                self._counted_at[event_type.value] = t
        best = {ident: obs for ident, obs in best.items() if not self._quiet(ident[0], t)}
        changed: list[Event] = []
        for ident, obs in best.items():
            tuning = self._tuning(ident[0])
            if ident not in self._machines and tuning.enabled and obs.confidence >= tuning.threshold:
                self._machines[ident] = _Machine(self.camera_id, ident[0], ident[1], tuning, self._severity(ident[0]))
        size = (frame.width, frame.height)
        for ident, machine in list(self._machines.items()):
            seen = best.get(ident)
            tuning = machine.tuning
            positive = seen is not None and tuning.enabled and seen.confidence >= tuning.threshold
            changed.extend(machine.step(_Sample(t, frame.pts_s, wall, positive), seen, size))
            if machine.idle(t):
                del self._machines[ident]
        self._last = _Sample(t, frame.pts_s, wall, False)
        return changed

    def _quiet(self, event_type: EventType, t: float) -> bool:
        """Whether a ``quiet_near`` type counted within ``quiet_near_s``: then this type's observations are
        ignored, as if not seen (an open event of it ends after ``end_after_s``)."""
        tuning = self._tuning(event_type)
        return any(
            t - self._counted_at[other] <= tuning.quiet_near_s
            for other in tuning.quiet_near
            if other in self._counted_at
        )

    def flush(self, at: Frame | float | None = None, reason: EndReason = EndReason.FLUSH) -> list[Event]:
        """End every open event (end of a file, camera removed or offline, shutdown), with ``reason``.

        The events were still open, so they end at ``at`` (a frame, or a stream time in seconds);
        without it, at the last frame seen. Pending confirmations are dropped.
        """
        if self._last is None:
            return []
        end = self._last
        if isinstance(at, Frame):
            end = _Sample(end.t + max(0.0, at.pts_s - end.pts), at.pts_s, self._wall_time(at), False)
        elif at is not None:
            end = _Sample(end.t + max(0.0, at - end.pts), at, end.wall + (at - end.pts), False)
        ended = [m.close(end, reason) for m in self._machines.values() if m.event is not None]
        self._machines.clear()
        return ended
