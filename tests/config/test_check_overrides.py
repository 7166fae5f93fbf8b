"""`gwanje check-config` also checks the camera changes stored in the data_dir (camera-overrides.json), each camera as
the service would build it, every problem at once, without repeating a secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gwanje.cli.main import main
from gwanje.config.managed import OVERRIDES_FILE
from gwanje.config.managed_channels import CHANNELS_FILE


def _site(tmp_path: Path, overrides: object | None) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    config = tmp_path / "gwanje.yaml"
    config.write_text(
        f"store: {{data_dir: '{data}'}}\n"
        "cameras:\n"
        "  - id: gate\n    source: {url: 'demo:'}\n    zones: [{name: door, polygon: [[0, 0], [1, 0], [1, 1]]}]\n"
        "  - id: yard\n    source: {url: 'demo:'}\n"
    )
    if overrides is not None:
        (data / OVERRIDES_FILE).write_text(overrides if isinstance(overrides, str) else json.dumps(overrides))
    return config


def test_without_stored_changes_only_the_file_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(_site(tmp_path, None))]) == 0
    assert OVERRIDES_FILE not in capsys.readouterr().out


def test_valid_changes_are_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changes = {
        "version": 1,
        "cameras": {"gate": {"name": "Gate 2"}, "yard": None, "dock": {"id": "dock", "source": {"url": "demo:"}}},
    }
    assert main(["check-config", str(_site(tmp_path, changes))]) == 0
    assert f"{OVERRIDES_FILE}: OK (3 camera(s) changed at run time)" in capsys.readouterr().out


def test_every_problem_of_the_stored_changes_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changes = {
        "version": 1,
        "cameras": {
            "gate": {"zones": [], "rules": [{"type": "intrusion", "zone": "door"}]},  # the zone it names is gone
            "yard": {"analysis_fps": 99, "detectors": ["teleport"]},
            "dock": {"id": "dock", "source": {"url": "rtsp://cam:s3cret@10.0.0.9/1"}, "detectors": ["teleport"]},
            "roof": {"id": "attic", "source": {"url": "demo:"}},
            "odd": 5,
        },
    }
    assert main(["check-config", str(_site(tmp_path, changes))]) == 2
    err = capsys.readouterr().err
    assert "5 problem(s)" in err
    assert "camera 'gate'" in err and "names zone 'door'" in err
    assert "camera 'yard': analysis_fps: Input should be less than or equal to 30" in err
    assert "camera 'dock'" in err and "teleport" in err
    assert "camera 'roof': its configuration has the id 'attic'" in err
    assert "camera 'odd': its entry must be an object or null" in err
    assert "s3cret" not in err


def test_an_unreadable_file_is_one_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(_site(tmp_path, "{not json"))]) == 2
    assert "camera changes not readable" in capsys.readouterr().err


def test_the_stored_channel_changes_are_checked_without_repeating_a_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _site(tmp_path, None)
    channels = tmp_path / "data" / CHANNELS_FILE
    channels.write_text(json.dumps({"version": 1, "channels": {"webhook:desk": {"name": "desk", "url": "http://h/x"}}}))
    assert main(["check-config", str(config)]) == 0
    assert f"{CHANNELS_FILE}: OK" in capsys.readouterr().out
    bad = {"name": "desk", "url": "ftp://h/tok-77aa88bb", "event_types": ["party"]}
    channels.write_text(json.dumps({"version": 1, "channels": {"webhook:desk": bad}}))
    assert main(["check-config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "webhook:desk" in err and "event_types" in err and "tok-77aa88bb" not in err
