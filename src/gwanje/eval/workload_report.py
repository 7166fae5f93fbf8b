"""``workload.json`` and ``workload.html`` (plots inline as base64 PNG, so the page is one file to pass around)."""

from __future__ import annotations

import base64
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from gwanje.eval.workload import Staffing, WorkloadInput, operators_with, operators_without, summary_lines

MAX_CAMERAS_PLOTTED = 25
"""Cameras with the most alerts shown in the per-camera plot; workload.json lists them all."""


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plot_over_time(inp: WorkloadInput) -> str:
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=100)
    span = max(inp.span_h, max((a.at_h for a in inp.alerts), default=0.0), 1e-6)
    bins = max(1, min(48, len(inp.alerts) // 3 or 1))
    for t in sorted({a.event_type for a in inp.alerts}):
        ax.hist([a.at_h for a in inp.alerts if a.event_type == t], bins=bins, range=(0, span), histtype="step", label=t)
    ax.set_xlabel("hours of footage" if inp.source == "eval" else "hours since the start of the period")
    ax.set_ylabel("alerts")
    ax.set_title("Alerts over time")
    if inp.alerts:
        ax.legend()
    else:
        ax.text(0.5, 0.5, "no alert", ha="center", va="center", transform=ax.transAxes)
    return _png(fig)


def plot_per_type(w: dict[str, Any]) -> str:
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    types = list(w["per_type"])
    rates = [w["per_type"][t]["alerts_per_camera_hour"] for t in types]
    values = [r["value"] for r in rates]
    errors = [[r["value"] - r["low"] for r in rates], [r["high"] - r["value"] for r in rates]]
    ax.bar(types, values, yerr=errors, capsize=4, color="tab:blue", alpha=0.8)
    ax.set_ylabel(f"alerts per camera-hour ({w['confidence']:.0%} interval)")
    ax.set_title("Alerts per type")
    return _png(fig)


def plot_per_camera(w: dict[str, Any]) -> str:
    cams = sorted(w["per_camera"].items(), key=lambda kv: -kv[1]["alerts"])[:MAX_CAMERAS_PLOTTED]
    fig, ax = plt.subplots(figsize=(7, max(2.5, 0.6 + 0.28 * len(cams))), dpi=100)
    names = [c for c, _ in cams][::-1]
    ax.barh(names, [v["alerts"] for _, v in cams][::-1], label="alerts", color="tab:blue")
    ax.barh(names, [v["false_alerts"] for _, v in cams][::-1], label="false alerts", color="tab:red")
    ax.set_xlabel("alerts")
    ax.set_title(
        f"Alerts per camera (the {len(cams)} with most)" if len(w["per_camera"]) > len(cams) else "Alerts per camera"
    )
    ax.legend(loc="lower right")
    return _png(fig)


def plot_operators(w: dict[str, Any], s: Staffing) -> str:
    top = max(s.cameras, 100)
    xs = list(range(0, top + 1, max(1, top // 200)))
    review = float(w["review_seconds_per_alert"]["seconds"])
    rate = w["alerts_per_camera_hour"]

    def at(n: int, per_hour: float) -> int:
        staffing = Staffing(max(1, n), review, s.utilisation, s.cameras_per_operator, s.watch_recall, s.confidence)
        return 0 if n == 0 else operators_with(per_hour, review, staffing)

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
    ax.fill_between(
        xs,
        [at(n, rate["low"]) for n in xs],
        [at(n, rate["high"]) for n in xs],
        step="post",
        alpha=0.25,
        color="tab:blue",
        label=f"with Gwanje ({w['confidence']:.0%} interval)",
    )
    if w["enough_hours"]:
        ax.step(xs, [at(n, rate["value"]) for n in xs], where="post", color="tab:blue", label="with Gwanje")
    without = [0 if n == 0 else operators_without(Staffing(n, cameras_per_operator=s.cameras_per_operator)) for n in xs]
    ax.step(xs, without, where="post", color="tab:red", label=f"without ({s.cameras_per_operator} per operator)")
    ax.axvline(s.cameras, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("cameras")
    ax.set_ylabel("operators")
    ax.set_title("Operators needed")
    ax.legend(loc="upper left")
    return _png(fig)


def _recall(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _markdown_inline(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(text, quote=False))


def write_workload(out: Path, inp: WorkloadInput, w: dict[str, Any], s: Staffing, command: str) -> list[Path]:
    """Write ``out/workload.json`` and ``out/workload.html``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "workload.json", out / "workload.html"
    json_path.write_text(json.dumps(w, indent=2) + "\n", encoding="utf-8")
    figures = [
        ("Alerts over time", plot_over_time(inp)),
        ("Alerts per type", plot_per_type(w)),
        ("Alerts per camera", plot_per_camera(w)),
        ("Operators against cameras", plot_operators(w, s)),
    ]
    rows = "".join(
        f"<tr><td>{html.escape(t)}</td><td>{v['alerts']}</td><td>{v['false_alerts']}</td>"
        f"<td>{v['alerts_per_camera_hour']['low']:.3g}–{v['alerts_per_camera_hour']['high']:.3g}</td>"
        f"<td>{_recall(v['recall'])}</td></tr>"
        for t, v in w["per_type"].items()
    )
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Gwanje operator workload</title>',
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.45}"
        "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.2em .6em}img{max-width:100%}</style>",
        "</head><body>",
        "<h1>Operator workload</h1>",
        f"<p><code>{html.escape(command)}</code></p>",
        *(f"<p>{_markdown_inline(line)}</p>" for line in summary_lines(w)),
        "<table><tr><th>type</th><th>alerts</th><th>false alerts</th>"
        f"<th>per camera-hour ({w['confidence']:.0%})</th><th>recall</th></tr>{rows}</table>",
        *(f'<h2>{title}</h2><img alt="{title}" src="data:image/png;base64,{data}">' for title, data in figures),
        "<p>Figures in <code>workload.json</code>; what they mean: docs/evaluation.md.</p>",
        "</body></html>",
    ]
    html_path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return [json_path, html_path]
