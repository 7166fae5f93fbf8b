"""Operator workload: what the alerts of an evaluation run would cost a control centre.

Without selective monitoring, the Korean MOIS staffing rule asks for one operator per 50
monitors. With it, operators only handle alerts: the load is alerts per camera-hour times the
time to handle one alert, over the share of an operator's hour that can go to alerts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gwanje.eval.metrics import ItemResult

MONITORS_PER_OPERATOR = 50
"""MOIS rule for local-government integrated control centres."""


@dataclass(frozen=True)
class WorkloadAssumptions:
    cameras: int = 1000
    handle_s: float = 60.0
    """Seconds an operator spends on one alert (look at the clip, decide, act or dismiss)."""
    utilisation: float = 0.5
    """Share of an operator's hour that can go to handling alerts."""


def workload(results: Sequence[ItemResult], types: Sequence[str], a: WorkloadAssumptions) -> dict[str, Any]:
    """Alert rates and operator counts.

    Most of what a control centre watches is uneventful, so the rates come from the videos labelled
    with nothing when there are any (what a quiet camera costs); a manifest of incident clips only
    would otherwise describe a city where something happens every few seconds.
    """
    scored = [r for r in results if r.error is None and r.row.is_video]
    quiet = [r for r in scored if not r.row.labels]
    videos = quiet or scored
    hours = sum(r.duration_s or 0.0 for r in videos) / 3600.0
    alerts = [al for r in videos for al in r.alerts if al.event_type in types]
    false_alerts = [
        al for r in videos for al in r.alerts if al.event_type in types and al.event_type not in r.row.labels
    ]
    without = math.ceil(a.cameras / MONITORS_PER_OPERATOR)
    out: dict[str, Any] = {
        "assumptions": {"cameras": a.cameras, "handle_s": a.handle_s, "utilisation": a.utilisation},
        "footage": "unlabelled videos" if quiet else "all videos (the manifest has no unlabelled video)",
        "hours_of_video": round(hours, 4),
        "alerts": len(alerts),
        "false_alerts": len(false_alerts),
        "alerts_per_camera_hour": None,
        "false_alerts_per_camera_hour": None,
        "operators_without_gwanje": without,
        "operators_with_gwanje": None,
    }
    if hours > 0:
        rate = len(alerts) / hours
        out["alerts_per_camera_hour"] = rate
        out["false_alerts_per_camera_hour"] = len(false_alerts) / hours
        busy_hours_per_hour = rate * a.cameras * a.handle_s / 3600.0
        out["operators_with_gwanje"] = max(1, math.ceil(busy_hours_per_hour / a.utilisation))
    return out
