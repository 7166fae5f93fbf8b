"""Cameras added, changed, disabled and deleted while the service runs: only that camera stops and starts; another
camera's frame counter keeps advancing; the changes are there again after a restart."""

from __future__ import annotations

from pathlib import Path

from gwanje.config import parse_config
from gwanje.config.camera import CameraConfig, SourceConfig
from gwanje.config.schema import AppConfig
from gwanje.core.health import StreamState
from gwanje.runtime.service import Service
from tests.support.waiting import wait_for


def _config(data_dir: Path) -> AppConfig:
    return parse_config(
        {
            "store": {"data_dir": str(data_dir)},
            "cameras": [{"id": "steady", "source": {"url": "demo:"}, "detectors": [], "analysis_fps": 5}],
        }
    )


def _frames(service: Service, camera_id: str) -> int:
    stats = {s.camera_id: s for s in service.camera_status()}
    return stats[camera_id].frames_analyzed if camera_id in stats else -1


def _advances(service: Service, camera_id: str) -> None:
    before = _frames(service, camera_id)
    wait_for(lambda: _frames(service, camera_id) >= before + 3, 10, f"camera {camera_id} to analyse 3 more frames")


def test_other_cameras_keep_running_while_one_is_added_changed_and_deleted(tmp_path: Path) -> None:
    service = Service(_config(tmp_path / "data"))
    service.start()
    try:
        _advances(service, "steady")
        steady_worker = service.registry.workers["steady"]

        service.registry.add(CameraConfig(id="extra", source=SourceConfig(url="demo:"), detectors=[]))
        _advances(service, "extra")
        _advances(service, "steady")

        extra = service.registry.workers["extra"]
        service.registry.update(
            CameraConfig(id="extra", name="Renamed", source=SourceConfig(url="demo:"), detectors=[])
        )
        assert service.registry.workers["extra"] is not extra  # restarted with the new configuration
        _advances(service, "extra")

        service.registry.update(
            CameraConfig(
                id="extra", name="Renamed", enabled=False, source=SourceConfig(url="demo:"), detectors=["fire_smoke"]
            )
        )
        assert "extra" not in service.registry.workers
        assert {s.camera_id: s.state for s in service.camera_status()}["extra"] is StreamState.DISABLED
        _advances(service, "steady")

        service.registry.delete("steady")
        assert "steady" not in {s.camera_id for s in service.camera_status()}
        service.registry.add(CameraConfig(id="later", source=SourceConfig(url="demo:"), detectors=["fire_smoke"]))
        assert "fire_smoke" in service.registry.detectors  # loaded for the camera that needs it
        _advances(service, "later")
        assert steady_worker.reader.stats.frames_decoded > 0
    finally:
        service.stop()

    again = Service(_config(tmp_path / "data"))  # the restart reads the changes back
    again.start()
    try:
        cameras = {c.id: c for c in again.registry.cameras()}
        assert sorted(cameras) == ["extra", "later"]
        assert cameras["extra"].name == "Renamed" and not cameras["extra"].enabled
        assert sorted(again.registry.workers) == ["later"]
        _advances(again, "later")
        assert {c.id for c in again.store.list_cameras()} >= {"steady", "extra", "later"}
    finally:
        again.stop()
