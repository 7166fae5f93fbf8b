"""Operator workload: what the alerts would cost a control centre, with the uncertainty of the footage they came from.

The one workload logic of Gwanje: ``gwanje eval`` (its report's workload section) and ``gwanje report workload``
(from evaluation results or from the store's events and operator dispositions) both build a ``WorkloadInput`` and
call ``estimate``.

- Alerts and false alerts per camera-hour come with an exact 95 % Poisson interval (``eval.metrics.rates``). A few
  minutes of footage give a wide interval, and then only the interval is stated, with the camera-hours a point figure
  would need, never a point rate to plan staff on.
- Operators *with* Gwanje handle alerts: alerts per camera-hour x cameras x review time per alert, over the share of
  an operator's hour that can go to alerts (``utilisation``), rounded up, at least one. It is given for the rate's
  point figure and both ends of its interval, at the recall the evaluation measured (missed events cost no review
  time: a lower recall makes the figure look better than it is).
- Operators *without* Gwanje watch monitors: one per ``cameras_per_operator`` cameras (50 by default, the Korean
  MOIS rule for local-government integrated control centres). How much a person watching that many monitors
  misses (fatigue) is *not* a figure Gwanje has a source for: it is an assumption the user may state
  (``watch_recall``), reported as such.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gwanje.eval.metrics import ItemResult, RateInterval, confusion, events_for_narrow_interval, rate_interval

MONITORS_PER_OPERATOR = 50
"""MOIS rule for local-government integrated control centres: one operator per 50 monitors."""


@dataclass(frozen=True)
class WorkloadAlert:
    """One alert an operator would have to look at."""

    camera: str
    event_type: str
    at_h: float
    """Hours from the start of the observed footage (or period) to the alert: for the plot over time."""
    false_alarm: bool | None
    """True: not what it said (an unlabelled type, or an operator's false alarm); None: nobody decided yet."""
    review_s: float | None = None
    """Measured time an operator spent on it (store: acknowledge to resolve or false alarm), when known."""


@dataclass(frozen=True)
class TypeRecall:
    """Labelled events of one type found (``tp``) and missed (``fn``)."""

    tp: int
    fn: int

    @property
    def recall(self) -> float | None:
        return None if self.tp + self.fn == 0 else self.tp / (self.tp + self.fn)


@dataclass
class WorkloadInput:
    """What was observed: footage (camera-hours), the alerts raised on it, and, when measured, recall per type."""

    source: str
    """``eval`` or ``store``."""
    footage: str
    """What the camera-hours are, in words (which videos, which period and cameras)."""
    camera_hours: float
    alerts: list[WorkloadAlert]
    span_h: float = 0.0
    """Length of the time axis of ``WorkloadAlert.at_h``: the footage played end to end, or the period."""
    hours_by_camera: dict[str, float] = field(default_factory=dict)
    recall: dict[str, TypeRecall] | None = None
    """None: recall cannot be measured from this source (the store never sees what was missed)."""
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Staffing:
    """The centre to plan for and the assumptions of the operator counts."""

    cameras: int = 1000
    review_s: float = 60.0
    """Seconds an operator spends on one alert when the source has no measured times."""
    utilisation: float = 0.5
    """Share of an operator's hour that can go to handling alerts."""
    cameras_per_operator: int = MONITORS_PER_OPERATOR
    watch_recall: float | None = None
    """Share of events a person watching ``cameras_per_operator`` monitors notices: an assumption, no source."""
    confidence: float = 0.95

    def __post_init__(self) -> None:
        if self.cameras < 1 or self.cameras_per_operator < 1:
            raise ValueError("cameras and cameras per operator must be at least 1")
        if self.review_s <= 0 or not 0 < self.utilisation <= 1:
            raise ValueError("review time must be positive and utilisation in (0, 1]")
        if self.watch_recall is not None and not 0 <= self.watch_recall <= 1:
            raise ValueError(f"watch recall must be between 0 and 1, got {self.watch_recall}")


def from_results(results: Sequence[ItemResult], types: Sequence[str]) -> WorkloadInput | None:
    """The footage and alerts of a ``gwanje eval`` run (None when it scored no video).

    Most of what a control centre watches is uneventful, so the rates come from the videos labelled with nothing
    when there are any (what a quiet camera costs); a manifest of incident clips only would otherwise describe a
    city where something happens every few seconds. Recall comes from every scored item.
    """
    scored = [r for r in results if r.error is None and r.row.is_video]
    quiet = [r for r in scored if not r.row.labels]
    videos = quiet or scored
    if not videos:
        return None
    alerts: list[WorkloadAlert] = []
    hours_by_camera: dict[str, float] = {}
    offset_h = 0.0
    for r in videos:
        name = r.row.path.name
        for a in sorted(r.alerts, key=lambda a: a.alert_s):
            if a.event_type in types:
                alerts.append(
                    WorkloadAlert(name, a.event_type, offset_h + a.alert_s / 3600, a.event_type not in r.row.labels)
                )
        hours = (r.duration_s or 0.0) / 3600
        hours_by_camera[name] = hours_by_camera.get(name, 0.0) + hours
        offset_h += hours
    recall = {t: TypeRecall(m.tp, m.fn) for t in types for m in [confusion(results, t)]}
    return WorkloadInput(
        source="eval",
        footage=f"{len(videos)} unlabelled video(s)" if quiet else f"all {len(videos)} videos (none is unlabelled)",
        camera_hours=offset_h,
        alerts=alerts,
        span_h=offset_h,
        hours_by_camera=hours_by_camera,
        recall=recall,
    )


def operators_with(alerts_per_camera_hour: float, review_s: float, s: Staffing) -> int:
    """Operators who handle the alerts of ``s.cameras`` cameras (at least one)."""
    busy = alerts_per_camera_hour * s.cameras * review_s / 3600.0 / s.utilisation
    return max(1, math.ceil(busy - 1e-9))


def operators_without(s: Staffing) -> int:
    """Operators who watch ``s.cameras`` cameras at ``s.cameras_per_operator`` each."""
    return math.ceil(s.cameras / s.cameras_per_operator)


def _review(inp: WorkloadInput, s: Staffing) -> dict[str, Any]:
    measured = [a.review_s for a in inp.alerts if a.review_s is not None]
    if not measured:
        return {"seconds": s.review_s, "source": "given", "n": 0}
    # the median: an alert acknowledged and left open overnight must not count as hours of work
    return {
        "seconds": statistics.median(measured),
        "mean_seconds": statistics.fmean(measured),
        "source": "measured",
        "n": len(measured),
    }


def _rate(count: int, inp: WorkloadInput, s: Staffing) -> RateInterval:
    return rate_interval(count, inp.camera_hours, s.confidence)


def estimate(inp: WorkloadInput, s: Staffing) -> dict[str, Any]:
    """The workload figures (the content of ``workload.json``; the ``workload`` part of ``metrics.json``)."""
    if inp.camera_hours <= 0:
        raise ValueError("no footage: the camera-hours observed must be positive")
    false = [a for a in inp.alerts if a.false_alarm]
    undecided = [a for a in inp.alerts if a.false_alarm is None]
    alerts = _rate(len(inp.alerts), inp, s)
    false_rate = _rate(len(false), inp, s)
    review = _review(inp, s)
    review_s = float(review["seconds"])
    needed = events_for_narrow_interval(s.confidence)
    types = sorted({a.event_type for a in inp.alerts} | set(inp.recall or {}))
    per_type = {}
    for t in types:
        n = sum(1 for a in inp.alerts if a.event_type == t)
        nf = sum(1 for a in false if a.event_type == t)
        r = (inp.recall or {}).get(t)
        per_type[t] = {
            "alerts": n,
            "false_alerts": nf,
            "alerts_per_camera_hour": _rate(n, inp, s).as_dict(),
            "recall": None if r is None else r.recall,
            "labelled": None if r is None else r.tp + r.fn,
        }
    per_camera: dict[str, dict[str, Any]] = {}
    for cam in sorted({a.camera for a in inp.alerts} | set(inp.hours_by_camera)):
        per_camera[cam] = {
            "hours": inp.hours_by_camera.get(cam),
            "alerts": sum(1 for a in inp.alerts if a.camera == cam),
            "false_alerts": sum(1 for a in false if a.camera == cam),
        }
    return {
        "source": inp.source,
        "footage": inp.footage,
        "confidence": s.confidence,
        "camera_hours": inp.camera_hours,
        "alerts": len(inp.alerts),
        "false_alerts": len(false),
        "undecided_alerts": len(undecided),
        "alerts_per_camera_hour": alerts.as_dict(),
        "false_alerts_per_camera_hour": false_rate.as_dict(),
        "enough_hours": alerts.narrow,
        "camera_hours_for_narrow_interval": None if alerts.count == 0 else needed / alerts.value,
        "recall": None if inp.recall is None else {t: per_type[t]["recall"] for t in inp.recall},
        "review_seconds_per_alert": review,
        "review_minutes_per_alert": review_s / 60,
        "assumptions": {
            "cameras": s.cameras,
            "utilisation": s.utilisation,
            "given_review_s": s.review_s,
            "cameras_per_operator": s.cameras_per_operator,
            "watch_recall": s.watch_recall,
        },
        "operators_with": {
            "value": operators_with(alerts.value, review_s, s),
            "low": operators_with(alerts.low, review_s, s),
            "high": operators_with(alerts.high, review_s, s),
        },
        "operators_without": operators_without(s),
        "operators_without_basis": (
            f"one operator per {s.cameras_per_operator} monitors"
            + (" (MOIS rule)" if s.cameras_per_operator == MONITORS_PER_OPERATOR else " (given)")
            + (
                ""
                if s.watch_recall is None
                else f"; a watcher notices {s.watch_recall:.0%} of events (an assumption given by the user)"
            )
        ),
        "per_type": per_type,
        "per_camera": per_camera,
        "notes": list(inp.notes),
    }


def _n(value: float) -> str:
    return f"{value:.3g}" if value < 100 else f"{value:,.0f}"


def summary_lines(w: dict[str, Any]) -> list[str]:
    """The workload in sentences (Markdown), the same in ``report.md`` and ``workload.html``.

    On short footage the rates and operator counts are stated as intervals only, with how many camera-hours a
    point figure needs.
    """
    conf = f"{w['confidence']:.0%}"
    a, fa, ops = w["alerts_per_camera_hour"], w["false_alerts_per_camera_hour"], w["operators_with"]
    hours = f"{w['camera_hours']:.3g} camera-hours of {w['footage']}"
    cams = w["assumptions"]["cameras"]
    review = w["review_seconds_per_alert"]
    review_text = (
        f"{review['seconds'] / 60:.2g} min per alert (median of {review['n']} measured, acknowledge to decision)"
        if review["source"] == "measured"
        else f"{review['seconds'] / 60:.2g} min per alert (given, not measured)"
    )
    lines: list[str] = []
    if w["enough_hours"]:
        lines.append(
            f"Alerts per camera-hour: **{_n(a['value'])}** ({conf} interval {_n(a['low'])}–{_n(a['high'])}; "
            f"{w['alerts']} alerts in {hours})."
        )
    elif w["alerts"] == 0:
        lines.append(
            f"No alert in {hours}: the rate is below **{_n(a['high'])} per camera-hour** ({conf}). That is all such "
            "footage can say; observe more hours for a tighter bound."
        )
    else:
        lines.append(
            f"Alerts per camera-hour: between **{_n(a['low'])} and {_n(a['high'])}** ({conf} interval; {w['alerts']} "
            f"alert(s) in {hours}). **More hours are needed** for a point figure: about "
            f"{_n(w['camera_hours_for_narrow_interval'])} camera-hours at this rate give an interval of about ±25 %."
        )
    lines.append(
        f"False alerts per camera-hour: {_n(fa['low'])}–{_n(fa['high'])} ({conf}; {w['false_alerts']} false"
        + (f", {w['undecided_alerts']} not yet decided by an operator" if w["undecided_alerts"] else "")
        + ")."
    )
    if w["recall"] is not None:
        recall = ", ".join(
            f"{t} {'–' if r is None else f'{r:.2f}'} (of {w['per_type'][t]['labelled']})"
            for t, r in w["recall"].items()
        )
        lines.append(f"Recall per type, at which these alerts come: {recall}. Missed events cost no review time.")
    else:
        lines.append(
            "Recall is not known from this source (missed events are never stored): measure it with gwanje eval."
        )
    if w["enough_hours"]:
        with_text = f"**{ops['value']} operator(s) with Gwanje** ({conf}: {ops['low']}–{ops['high']})"
    else:
        with_text = f"**between {ops['low']} and {ops['high']} operator(s) with Gwanje**"
    lines.append(
        f"For {cams} cameras at {review_text} and {w['assumptions']['utilisation']:.0%} of an operator's hour on "
        f"alerts: {with_text}, against **{w['operators_without']} without it** ({w['operators_without_basis']})."
    )
    lines += [f"Note: {n}" for n in w["notes"]]
    return lines
