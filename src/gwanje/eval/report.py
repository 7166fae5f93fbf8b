"""metrics.json, items.csv, results.json, report.md and its pictures (PR curves, confusion matrices, thumbnails)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from gwanje.eval.items import mistakes_section, write_items_csv
from gwanje.eval.manifest import Manifest
from gwanje.eval.metrics import KISA_F1_PASS, ItemResult, confusion, pr_curve
from gwanje.eval.results_io import RESULTS_FILE, write_results
from gwanje.eval.workload import summary_lines


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def plot_pr_curves(results: Sequence[ItemResult], types: Sequence[str], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    for t in types:
        precision, recall, ap = pr_curve(results, t)
        if recall:
            ax.step(recall, precision, where="post", label=f"{t} (AP {ap:.2f})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title("Precision-recall by event type")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_confusions(results: Sequence[ItemResult], types: Sequence[str], path: Path) -> None:
    n = max(len(types), 1)
    fig, axes = plt.subplots(1, n, figsize=(3.2 * n, 3.2), dpi=100, squeeze=False)
    for ax, t in zip(axes[0], types, strict=False):
        m = confusion(results, t)
        grid = [[m.tp, m.fn], [m.fp, m.tn]]
        ax.imshow(grid, cmap="Blues")
        for i in range(2):
            for j in range(2):
                ax.text(j, i, str(grid[i][j]), ha="center", va="center", fontsize=12)
        ax.set_xticks([0, 1], ["predicted yes", "predicted no"])
        ax.set_yticks([0, 1], ["labelled yes", "labelled no"])
        ax.set_title(t)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_report(
    out: Path, manifest: Manifest, results: Sequence[ItemResult], metrics: dict[str, Any], command: str
) -> None:
    """Write metrics.json, items.csv, results.json, report.md, pr_curve.png, confusion.png and thumbs/ into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    types = metrics["types"]
    write_items_csv(out / "items.csv", manifest, results, types)
    write_results(out / RESULTS_FILE, manifest, results, types)
    plot_pr_curves(results, types, out / "pr_curve.png")
    plot_confusions(results, types, out / "confusion.png")
    lines = [
        "# Gwanje evaluation report",
        "",
        f"Manifest: `{manifest.path}`  ",
        f"Command: `{command}`  ",
        f"Items scored: {metrics['items']['scored']} ({metrics['items']['images']} images, "
        f"{metrics['items']['videos']} videos); failed to process: {metrics['items']['failed']}; "
        f"manifest rows skipped: {len(manifest.problems)}",
        "",
        f"## KISA-style table (pass at F1 ≥ {KISA_F1_PASS:.2f})",
        "",
        "| type | TP | FP | FN | TN | precision | recall | F1 | FPR | time to alert median / p95 (s) | pass |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for t in types:
        m = metrics["per_type"][t]
        tta = m["time_to_alert_s"]
        lines.append(
            f"| {t} | {m['tp']} | {m['fp']} | {m['fn']} | {m['tn']} | {_fmt(m['precision'])} | {_fmt(m['recall'])} | "
            f"{_fmt(m['f1'])} | {_fmt(m['false_positive_rate'])} | {_fmt(tta['median'], 2)} / {_fmt(tta['p95'], 2)} | "
            f"{'PASS' if m['kisa_pass'] else 'fail'} |"
        )
    fa = metrics["false_alerts_per_hour"]
    lines += [
        "",
        f"False alerts on unlabelled videos: {fa['alerts']} in {fa['hours_of_unlabelled_video']:.3f} h "
        f"→ {_fmt(fa['per_hour'], 2)} per hour.",
        "",
        "![precision-recall](pr_curve.png)",
        "",
        "![confusion matrices](confusion.png)",
    ]
    w = metrics.get("workload")
    if w:
        lines += ["", "## Operator workload", ""]
        for line in summary_lines(w):
            lines += [line, ""]
        lines.append("`gwanje report workload --from-eval DIR` draws it with plots (see docs/evaluation.md).")
    lines += mistakes_section(out, manifest, results, types)
    if manifest.problems:
        lines += ["", "## Skipped manifest rows", ""] + [f"- {p}" for p in manifest.problems]
    failed = [r for r in results if r.error is not None]
    if failed:
        lines += ["", "## Items that could not be processed", ""] + [
            f"- line {r.row.line} `{r.row.path.name}`: {r.error}" for r in failed
        ]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
