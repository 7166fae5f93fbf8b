"""Cameras changed at run time: stored as the difference from the configuration file, validated, kept across a
restart, never copying a secret from the file that was not changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gwanje.config import parse_config
from gwanje.config.camera import CameraConfig, SourceConfig, ZoneConfig
from gwanje.config.managed import OVERRIDES_FILE, CameraChangeError, CameraExists, ManagedCameras, UnknownCamera
from gwanje.config.schema import AppConfig
from gwanje.core.errors import ConfigError

SECRET_URL = "rtsp://admin:hunter2@10.0.0.5/ch1"


def _app(data_dir: Path) -> AppConfig:
    return parse_config(
        {
            "store": {"data_dir": str(data_dir)},
            "cameras": [
                {"id": "gate", "name": "Front gate", "source": {"url": SECRET_URL}},
                {"id": "lobby", "source": {"url": "demo:"}},
            ],
        }
    )


def test_changes_survive_a_restart_as_differences_from_the_file(tmp_path: Path) -> None:
    app = _app(tmp_path)
    cams = ManagedCameras.for_config(app)
    gate = cams.get("gate")
    assert gate is not None
    zone = ZoneConfig(name="fence", polygon=[(0.1, 0.1), (0.9, 0.1), (0.5, 0.9)])
    cams.update(gate.model_copy(update={"name": "Gate 2", "zones": [zone]}))
    cams.add(CameraConfig(id="yard", source=SourceConfig(url="demo:"), detectors=["person"]))
    cams.delete("lobby")

    path = tmp_path / OVERRIDES_FILE
    assert os.stat(path).st_mode & 0o777 == 0o600
    stored = json.loads(path.read_text())["cameras"]
    assert stored["gate"] == {
        "name": "Gate 2",
        "zones": [{"name": "fence", "polygon": [[0.1, 0.1], [0.9, 0.1], [0.5, 0.9]]}],
    }
    assert stored["lobby"] is None
    assert "hunter2" not in path.read_text()  # the URL was not changed, so it is not copied

    again = ManagedCameras.for_config(_app(tmp_path))  # the restart
    assert [c.id for c in again.cameras()] == ["gate", "yard"]
    restored = again.get("gate")
    assert restored is not None and restored.name == "Gate 2" and list(restored.zones) == [zone]
    assert restored is not None and restored.source.url == SECRET_URL
    assert again.app.cameras[1].detectors == ["person"]


def test_a_camera_back_to_what_the_file_says_leaves_no_override(tmp_path: Path) -> None:
    cams = ManagedCameras.for_config(_app(tmp_path))
    gate = cams.get("gate")
    assert gate is not None
    cams.update(gate.model_copy(update={"enabled": False}))
    cams.update(gate)
    cams.add(CameraConfig(id="yard", source=SourceConfig(url="demo:")))
    cams.delete("yard")
    assert json.loads((tmp_path / OVERRIDES_FILE).read_text())["cameras"] == {}


def test_refusals_say_why(tmp_path: Path) -> None:
    cams = ManagedCameras.for_config(_app(tmp_path))
    with pytest.raises(CameraExists):
        cams.add(CameraConfig(id="gate", source=SourceConfig(url="demo:")))
    with pytest.raises(CameraChangeError, match="detector 'smell', which is not declared"):
        cams.add(CameraConfig(id="yard", source=SourceConfig(url="demo:"), detectors=["smell"]))
    with pytest.raises(UnknownCamera):
        cams.delete("roof")
    with pytest.raises(UnknownCamera):
        cams.update(CameraConfig(id="roof", source=SourceConfig(url="demo:")))
    assert not (tmp_path / OVERRIDES_FILE).exists()


def test_an_override_the_file_no_longer_allows_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / OVERRIDES_FILE).write_text(json.dumps({"version": 1, "cameras": {"gate": {"analysis_fps": 99}}}))
    with pytest.raises(ConfigError, match="camera 'gate' as changed at run time is no longer valid"):
        ManagedCameras.for_config(_app(tmp_path))
    (tmp_path / OVERRIDES_FILE).write_text("[1, 2]")
    with pytest.raises(ConfigError, match="not a camera overrides file"):
        ManagedCameras.for_config(_app(tmp_path))
