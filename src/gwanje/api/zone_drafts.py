"""Zones drawn in the web app, kept as drafts until an administrator puts them into the configuration.

Cameras and their zones come from the YAML configuration, which the running service reads once at start; the
runtime cannot change a camera's zones while it runs yet. So a zone drawn on a camera's snapshot is validated
exactly as the configuration would validate it (``ZoneConfig``), stored here (``<data_dir>/zone-drafts.json``,
written through a temporary file and a rename) and offered as the YAML to paste into the camera's ``zones:``.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from gwanje.api.secret_files import write_private
from gwanje.config.camera import CameraConfig, ZoneConfig

DRAFTS_FILE = "zone-drafts.json"
DIGITS = 4
"""Coordinates are rounded to this many decimals (a 4K frame is 3840 wide: 1e-4 is under half a pixel)."""

Polygon = list[tuple[float, float]]


class ZoneDrafts:
    """Per camera, the zones drawn and saved in the web app (name -> polygon in 0..1 coordinates)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()

    def _load(self) -> dict[str, dict[str, Polygon]]:
        if not self._path.is_file():
            return {}
        raw = json.loads(self._path.read_text(encoding="utf-8"))
        return {
            camera: {name: [(float(x), float(y)) for x, y in points] for name, points in zones.items()}
            for camera, zones in raw.items()
        }

    def of(self, camera_id: str) -> dict[str, Polygon]:
        with self._lock:
            return self._load().get(camera_id, {})

    def save(self, camera_id: str, zone: ZoneConfig) -> Polygon:
        """Store (or replace) the zone; returns its rounded polygon."""
        polygon = [(round(x, DIGITS), round(y, DIGITS)) for x, y in zone.polygon]
        with self._lock:
            drafts = self._load()
            drafts.setdefault(camera_id, {})[zone.name] = polygon
            write_private(self._path, json.dumps(drafts, indent=1, sort_keys=True))
        return polygon

    def delete(self, camera_id: str, name: str) -> bool:
        """Forget a draft; False when there was none."""
        with self._lock:
            drafts = self._load()
            if name not in drafts.get(camera_id, {}):
                return False
            del drafts[camera_id][name]
            if not drafts[camera_id]:
                del drafts[camera_id]
            write_private(self._path, json.dumps(drafts, indent=1, sort_keys=True))
            return True


def merged_zones(camera: CameraConfig, drafts: dict[str, Polygon]) -> list[tuple[str, Polygon]]:
    """The camera's configured zones with the drafts applied (a draft replaces a zone of the same name)."""
    zones = [(z.name, drafts.get(z.name, list(z.polygon))) for z in camera.zones]
    known = {z.name for z in camera.zones}
    return zones + [(name, polygon) for name, polygon in sorted(drafts.items()) if name not in known]


def zones_yaml(camera: CameraConfig, drafts: dict[str, Polygon]) -> str:
    """The camera's ``zones:`` with the drafts, ready to paste into its entry of the configuration."""
    lines = [f"# camera {camera.id}: replace its 'zones:' with these, then restart gwanje serve", "zones:"]
    for name, polygon in merged_zones(camera, drafts):
        points = ", ".join(f"[{x:.{DIGITS}g}, {y:.{DIGITS}g}]" for x, y in polygon)
        lines += [f"  - name: {json.dumps(name, ensure_ascii=False)}", f"    polygon: [{points}]"]
    return "\n".join(lines) + "\n"
