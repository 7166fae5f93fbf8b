"""A site's own test set: the stored events the operators decided on, with their clips, as a ``gwanje eval`` manifest.

Each event an operator *resolved* (confirmed) becomes a clip labelled with its type; each one marked *false alarm*
becomes a clip labelled with nothing. Events nobody decided, of a type ``gwanje eval`` cannot score, or whose clip is
gone (clips disabled, or deleted by retention) are left out and counted. Clips are written into ``OUT/clips`` (so
retention cannot take them away later) with people pixelated, by the caller's ``mask`` (the CLI gives the web app's
clip masking, ``gwanje.api.clip_masking``, which this layer may not import); a clip that cannot be masked is left out,
never written unmasked. Unmasked copies only with a reason (``mask=None, unmasked_reason=...``): each is an ``unmask``
entry in the audit log with the reason. Every copy is written to the audit log as an export. The clip spans the
pre-event buffer and the seconds after the alert, and the event's exact place in it is not stored, so ``start_s``
and ``end_s`` stay empty (time to alert counts from the clip's start). A confirmed clip is labelled only with the
type the operator confirmed: add a type by hand where a clip shows more (a fire with its smoke).

Re-run ``gwanje eval OUT/manifest.csv --out DIR`` after every change of model or threshold (with ``--classes`` when
the set has only false alarms of some type).
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gwanje.eval.manifest import SCORABLE_TYPES
from gwanje.eval.workload_store import DECIDED, stored_events
from gwanje.store import MediaStore, Store

MANIFEST_FILE = "manifest.csv"
COLUMNS = ("path", "labels", "start_s", "end_s", "event_id", "camera", "disposition")
"""The manifest's columns and, after them, where each row came from (``gwanje eval`` reads only the first four)."""
ClipMask = Callable[[Path, str], Path]
"""(clip, event id) -> a copy of the clip with people pixelated; ValueError when it cannot be masked."""


@dataclass
class ExportSummary:
    manifest: Path
    confirmed: int = 0
    false_alarms: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def rows(self) -> int:
        return self.confirmed + self.false_alarms


def export_manifest(
    store: Store,
    media: MediaStore,
    out: Path,
    since: float | None = None,
    until: float | None = None,
    actor: str = "gwanje-cli",
    *,
    mask: ClipMask | None,
    unmasked_reason: str = "",
) -> ExportSummary:
    """Write ``out/manifest.csv`` and ``out/clips/<camera>/<event id>.mp4``; returns what was written and skipped.

    ``mask`` pixelates people in each clip; None writes them as stored, which needs ``unmasked_reason`` (ValueError
    without one)."""
    reason = unmasked_reason.strip()
    if mask is None and not reason:
        raise ValueError("unmasked clips need a reason (it goes to the audit log)")
    out.mkdir(parents=True, exist_ok=True)
    summary = ExportSummary(out / MANIFEST_FILE)
    rows: list[list[str]] = []
    for record in stored_events(store, since, until):
        event = record.event
        false_alarm = DECIDED.get(record.status)
        if false_alarm is None:
            summary.skipped["not decided by an operator"] += 1
            continue
        if str(event.event_type) not in SCORABLE_TYPES:
            summary.skipped[f"type {event.event_type} is not scored by gwanje eval"] += 1
            continue
        source = None if event.clip_path is None else media.resolve(event.clip_path)
        if source is None:
            summary.skipped["no clip (clips off, or deleted by retention)"] += 1
            continue
        clip = f"event:{event.id}:clip"
        if mask is not None:
            try:
                source = mask(source, event.id)
            except ValueError:
                summary.skipped["clip could not be masked (not exported unmasked)"] += 1
                continue
        target = out / "clips" / event.camera_id / f"{event.id}.mp4"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        store.audit(actor, "export", clip, "gwanje export manifest", detail="masked" if mask else "unmasked")
        if mask is None:
            store.audit(actor, "unmask", clip, "gwanje export manifest", detail=reason)
        if false_alarm:
            summary.false_alarms += 1
        else:
            summary.confirmed += 1
        rows.append(
            [
                target.relative_to(out).as_posix(),
                "" if false_alarm else str(event.event_type),
                "",
                "",
                event.id,
                event.camera_id,
                "false_alarm" if false_alarm else "confirmed",
            ]
        )
    with summary.manifest.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return summary
