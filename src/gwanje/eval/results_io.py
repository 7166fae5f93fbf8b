"""``results.json``: every item of a ``gwanje eval`` run as it was scored, so the run can be read back later.

``gwanje report workload --from-eval DIR`` reads it (one or several runs) and recomputes the workload with the same
code as the evaluation (``eval.workload.from_results``), without running the models again. Paths are as in
``items.csv`` (relative to the manifest's folder when inside it); media files are not needed to read it back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gwanje.eval.items import _shown_path
from gwanje.eval.manifest import Manifest, ManifestRow
from gwanje.eval.metrics import Alert, ItemResult

RESULTS_FILE = "results.json"
FORMAT_VERSION = 1


def _item(manifest: Manifest, r: ItemResult) -> dict[str, Any]:
    return {
        "line": r.row.line,
        "path": _shown_path(manifest, r.row),
        "labels": sorted(r.row.labels),
        "start_s": r.row.start_s,
        "end_s": r.row.end_s,
        "duration_s": r.duration_s,
        "scores": r.scores,
        "predicted": sorted(r.predicted),
        "alerts": [
            {
                "type": a.event_type,
                "alert_s": a.alert_s,
                "start_s": a.start_s,
                "end_s": a.end_s,
                "confidence": a.confidence,
            }
            for a in r.alerts
        ],
        "error": r.error,
    }


def write_results(path: Path, manifest: Manifest, results: Sequence[ItemResult], types: Sequence[str]) -> None:
    data = {"version": FORMAT_VERSION, "types": list(types), "items": [_item(manifest, r) for r in results]}
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def read_results(path: Path) -> tuple[list[ItemResult], list[str]]:
    """The items and scored types of a run; ValueError when the file is missing or not a results file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"version {data.get('version')!r}, expected {FORMAT_VERSION}")
        results = [
            ItemResult(
                row=ManifestRow(int(i["line"]), Path(i["path"]), frozenset(i["labels"]), i["start_s"], i["end_s"]),
                scores={str(k): float(v) for k, v in i["scores"].items()},
                predicted=set(i["predicted"]),
                alerts=[
                    Alert(str(a["type"]), float(a["alert_s"]), float(a["start_s"]), a["end_s"], float(a["confidence"]))
                    for a in i["alerts"]
                ],
                duration_s=i["duration_s"],
                error=i["error"],
            )
            for i in data["items"]
        ]
        return results, [str(t) for t in data["types"]]
    except OSError as exc:
        raise ValueError(f"{path}: cannot read it ({exc.strerror}); is it the --out folder of gwanje eval?") from None
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValueError(f"{path}: not a results file of gwanje eval: {exc}") from None
