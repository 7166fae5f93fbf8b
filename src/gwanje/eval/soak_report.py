"""What `gwanje bench soak` writes: the samples as CSV, the summary as JSON, and a plot of each resource."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path

from gwanje.eval.soak_growth import Growth, Sample, fit_line, steady_half

MB = 1024.0 * 1024.0


def write_csv(path: Path, samples: Sequence[Sample]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[fl.name for fl in fields(Sample)])
        writer.writeheader()
        for s in samples:
            writer.writerow(s.row())


def per_camera_hour(first: float, last: float, hours: float) -> float | None:
    return round((last - first) / hours, 3) if hours > 0 else None


def resources_summary(samples: Sequence[Sample]) -> dict[str, object]:
    """First and last reading of each resource, and the growth per camera-hour of the stores (rows and bytes grow
    with the events by design; retention bounds the media)."""
    first, last = samples[0], samples[-1]
    hours = last.camera_hours - first.camera_hours
    out: dict[str, object] = {}
    for name in ("rss_mb", "fds", "threads", "db_bytes", "events", "outbox", "outbox_pending", "media_bytes"):
        a, b = getattr(first, name), getattr(last, name)
        out[name] = {"first": a, "last": b, "max": max(getattr(s, name) for s in samples)}
    out["db_mb_per_camera_hour"] = per_camera_hour(first.db_bytes / MB, last.db_bytes / MB, hours)
    out["events_per_camera_hour"] = per_camera_hour(first.events, last.events, hours)
    out["db_bytes_per_event"] = round(last.db_bytes / last.events) if last.events else None
    return out


def growth_summary(growths: Sequence[Growth]) -> dict[str, object]:
    return {
        g.resource: {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(g).items() if k != "resource"}
        for g in growths
    }


def write_json(path: Path, summary: dict[str, object]) -> None:
    path.write_text(json.dumps(summary, indent=2) + "\n")


def write_plot(path: Path, samples: Sequence[Sample], growths: Sequence[Growth]) -> None:
    """Six panels against camera-hours: RSS, fds and threads (with the fitted line over the second half, red when it
    fails), database MB, events and outbox rows, media MB."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [s.camera_hours for s in samples]
    half = steady_half(samples)
    by = {g.resource: g for g in growths}
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.5))
    for ax, name, label in zip(axes[0], ("rss_mb", "fds", "threads"), ("RSS MB", "open fds", "threads"), strict=True):
        ax.plot(xs, [getattr(s, name) for s in samples], color="tab:blue", lw=1)
        if half and name in by:
            hx = [s.camera_hours for s in half]
            intercept, slope = fit_line(hx, [float(getattr(s, name)) for s in half])
            colour = "tab:red" if by[name].grows else "tab:green"
            ax.plot([hx[0], hx[-1]], [intercept + slope * hx[0], intercept + slope * hx[-1]], color=colour, lw=2)
        ax.set_title(label)
    axes[1][0].plot(xs, [s.db_bytes / MB for s in samples])
    axes[1][0].set_title("database MB (SQLite + WAL)")
    axes[1][1].plot(xs, [s.events for s in samples], label="events")
    axes[1][1].plot(xs, [s.outbox for s in samples], label="outbox")
    axes[1][1].legend()
    axes[1][1].set_title("rows")
    axes[1][2].plot(xs, [s.media_bytes / MB for s in samples])
    axes[1][2].set_title("media MB")
    for ax in axes[1]:
        ax.set_xlabel("camera-hours analysed")
    fig.suptitle("gwanje bench soak (fit over the second half: green flat, red grows)")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
