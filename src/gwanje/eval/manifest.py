"""The evaluation manifest: a CSV any user can write for their own labelled footage.

Columns ``path,labels,start_s,end_s``: ``path`` relative to the manifest's folder; ``labels`` the
event types present, separated by ``;`` (empty: none); ``start_s``/``end_s`` optional, videos only,
the interval in which the labelled event is visible. A bad row is reported with its line number
and skipped, never fatal.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from gwanje.core.events import EventType

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mkv", ".avi", ".mov", ".webm", ".ts", ".m4v", ".mpg", ".mpeg", ".flv"})
SCORABLE_TYPES: tuple[str, ...] = ("fire", "smoke", "fight", "fall", "intrusion", "loitering")
_REQUIRED = ("path", "labels")


@dataclass(frozen=True)
class ManifestRow:
    """One labelled image or video."""

    line: int
    path: Path
    labels: frozenset[str]
    start_s: float | None
    end_s: float | None

    @property
    def is_video(self) -> bool:
        return self.path.suffix.lower() in VIDEO_SUFFIXES


@dataclass(frozen=True)
class RowProblem:
    """A row that was skipped, and why."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Manifest:
    path: Path
    rows: list[ManifestRow]
    problems: list[RowProblem]

    @property
    def types(self) -> list[str]:
        """Event types that appear in at least one row, in canonical order."""
        present = set().union(*(r.labels for r in self.rows)) if self.rows else set()
        return [t for t in SCORABLE_TYPES if t in present]


def _number(text: str | None, column: str) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{column} must be a number of seconds, got {text!r}") from None
    if value < 0:
        raise ValueError(f"{column} must not be negative, got {value}")
    return value


def _parse_row(line: int, raw: dict[str, str | None], base: Path) -> ManifestRow:
    rel = (raw.get("path") or "").strip()
    if not rel:
        raise ValueError("path is empty")
    path = (base / rel).resolve()
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES | VIDEO_SUFFIXES:
        raise ValueError(f"{rel}: not an image or video file name (suffix {suffix or 'missing'})")
    if not path.is_file():
        raise ValueError(f"{rel}: file not found (looked at {path})")
    labels = frozenset(p.strip().lower() for p in (raw.get("labels") or "").split(";") if p.strip())
    known = {t.value for t in EventType}
    unknown = sorted(labels - set(SCORABLE_TYPES))
    if unknown:
        hint = "" if set(unknown) <= known else f"; allowed: {', '.join(SCORABLE_TYPES)}"
        raise ValueError(f"unknown label(s) {', '.join(unknown)}{hint}")
    start = _number(raw.get("start_s"), "start_s")
    end = _number(raw.get("end_s"), "end_s")
    if (start is not None or end is not None) and suffix in IMAGE_SUFFIXES:
        raise ValueError(f"{rel}: start_s/end_s apply to videos only")
    if start is not None and end is not None and end < start:
        raise ValueError(f"end_s ({end}) is before start_s ({start})")
    if (start is not None or end is not None) and not labels:
        raise ValueError("start_s/end_s given but labels is empty")
    return ManifestRow(line=line, path=path, labels=labels, start_s=start, end_s=end)


def load_manifest(path: Path) -> Manifest:
    """Read a manifest; raise ValueError only when the file as a whole is unusable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the manifest: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise ValueError(
            f"{path}: the header must have the columns path,labels,start_s,end_s (start_s/end_s optional); "
            f"missing: {', '.join(missing)}; found: {', '.join(header) or 'nothing'}"
        )
    reader.fieldnames = header
    rows: list[ManifestRow] = []
    problems: list[RowProblem] = []
    for raw in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue
        try:
            rows.append(_parse_row(line, raw, path.parent))
        except ValueError as exc:
            problems.append(RowProblem(line, str(exc)))
    return Manifest(path=path, rows=rows, problems=problems)
