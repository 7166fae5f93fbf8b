"""What `gwanje eval` said about each item: ``items.csv`` and the report's list of false alarms and misses.

``items.csv`` has one row per loaded manifest row, in manifest order: ``path`` (relative to the
manifest's folder when the file lies inside it, else absolute), ``labels`` and ``predicted`` (event types, ``;``-separated),
``score_<type>`` for every scored type (the highest score: detector confidence for an image, peak event
confidence for a video; 0 when none) and ``first_alert_s`` (media time of a video's first alert of a
scored type; empty for images and videos without one). A row that failed to process has empty
``predicted`` and scores (the report lists its error).

The report shows each false alarm (a type predicted but not labelled) and miss (labelled but not
predicted) with a JPEG thumbnail: the image itself, or the video frame at the first alert (false
alarm) or in the middle (miss), so a user sees at once which footage fails.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from gwanje.core.errors import GwanjeError
from gwanje.core.frame import Image
from gwanje.eval.manifest import Manifest, ManifestRow
from gwanje.eval.metrics import ItemResult
from gwanje.ingest.source import iter_file_frames

log = logging.getLogger(__name__)

THUMB_WIDTH = 240
THUMB_DIR = "thumbs"
MAX_LISTED = 100
"""Most false alarms (and, apart, misses) shown with a thumbnail per type; items.csv has them all."""
SEEK_FPS = 2.0
"""Frame rate at which a video is read to find its thumbnail frame."""


def item_columns(types: Sequence[str]) -> list[str]:
    return ["path", "labels", "predicted", *(f"score_{t}" for t in types), "first_alert_s"]


def _shown_path(manifest: Manifest, row: ManifestRow) -> str:
    try:
        return row.path.relative_to(manifest.path.parent).as_posix()
    except ValueError:
        return row.path.as_posix()


def _ordered(names: set[str] | frozenset[str], types: Sequence[str]) -> str:
    return ";".join(sorted(names, key=lambda t: (types.index(t) if t in types else len(types), t)))


def first_alert_s(result: ItemResult, event_type: str | None = None) -> float | None:
    """Media time of the item's first alert (of ``event_type`` when given); None for images and quiet videos."""
    return min((a.alert_s for a in result.alerts if event_type in (None, a.event_type)), default=None)


def write_items_csv(path: Path, manifest: Manifest, results: Sequence[ItemResult], types: Sequence[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(item_columns(types))
        for r in results:
            failed = r.error is not None
            first = first_alert_s(r)
            writer.writerow(
                [
                    _shown_path(manifest, r.row),
                    _ordered(r.row.labels, types),
                    "" if failed else _ordered(r.predicted, types),
                    *("" if failed else f"{r.scores.get(t, 0.0):.4f}" for t in types),
                    "" if first is None else f"{first:.3f}",
                ]
            )


@dataclass(frozen=True)
class Mistake:
    """One false alarm or miss of one type."""

    result: ItemResult
    event_type: str
    false_alarm: bool


def mistakes(results: Sequence[ItemResult], types: Sequence[str]) -> list[Mistake]:
    """False alarms, then misses, per type in order; rows that failed to process are left out."""
    found: list[Mistake] = []
    for t in types:
        scored = [r for r in results if r.error is None]
        found += [Mistake(r, t, True) for r in scored if t in r.predicted and t not in r.row.labels]
        found += [Mistake(r, t, False) for r in scored if t in r.row.labels and t not in r.predicted]
    return found


def _video_frame(path: Path, at_s: float) -> Image | None:
    chosen: Image | None = None
    for frame in iter_file_frames(path, SEEK_FPS):
        chosen = frame.image
        if frame.pts_s >= at_s:
            break
    return chosen


def thumbnail(result: ItemResult) -> Image | None:
    """The picture that shows the item: the image, or the video at its first alert (else its middle)."""
    path = result.row.path
    try:
        if not result.row.is_video:
            raw = cv2.imread(str(path), cv2.IMREAD_COLOR)
            image = None if raw is None else np.asarray(raw, np.uint8)
        else:
            first = first_alert_s(result)
            image = _video_frame(path, first if first is not None else (result.duration_s or 0.0) / 2)
    except (GwanjeError, OSError, ValueError) as exc:
        log.warning("no thumbnail for %s: %s", path.name, exc)
        return None
    if image is None:
        return None
    height, width = image.shape[:2]
    size = (THUMB_WIDTH, max(1, round(height * THUMB_WIDTH / max(width, 1))))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)


def mistakes_section(out: Path, manifest: Manifest, results: Sequence[ItemResult], types: Sequence[str]) -> list[str]:
    """Markdown lines listing false alarms and misses with thumbnails written under ``out/thumbs``."""
    found = mistakes(results, types)
    lines = ["", "## False alarms and misses", ""]
    if not found:
        return [*lines, "None: every scored item was predicted as labelled."]
    lines.append("Every item with its scores is in `items.csv`.")
    written: dict[int, str] = {}
    for t in types:
        for false_alarm, title in ((True, "false alarms"), (False, "misses")):
            group = [m for m in found if m.event_type == t and m.false_alarm == false_alarm]
            if not group:
                continue
            lines += [
                "",
                f"### {t}: {len(group)} {title}",
                "",
                "| thumbnail | item | labels | predicted | score | first alert (s) |",
            ]
            lines.append("|---|---|---|---|---|---|")
            for m in group[:MAX_LISTED]:
                r = m.result
                if r.row.line not in written:
                    written[r.row.line] = _write_thumb(out, r)
                picture = f"![line {r.row.line}]({written[r.row.line]})" if written[r.row.line] else "–"
                first = first_alert_s(r, t)
                lines.append(
                    f"| {picture} | `{_shown_path(manifest, r.row)}` (line {r.row.line}) | "
                    f"{_ordered(r.row.labels, types) or '–'} | {_ordered(r.predicted, types) or '–'} | "
                    f"{r.scores.get(t, 0.0):.3f} | {'–' if first is None else f'{first:.1f}'} |"
                )
            if len(group) > MAX_LISTED:
                lines.append(f"\n{len(group) - MAX_LISTED} more in `items.csv`.")
    return lines


def _write_thumb(out: Path, result: ItemResult) -> str:
    image = thumbnail(result)
    if image is None:
        return ""
    name = f"{THUMB_DIR}/line{result.row.line:06d}.jpg"
    (out / THUMB_DIR).mkdir(parents=True, exist_ok=True)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    if not ok:
        return ""
    (out / name).write_bytes(data.tobytes())
    return name
