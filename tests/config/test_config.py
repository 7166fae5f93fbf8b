from __future__ import annotations

from pathlib import Path

import pytest

from gwanje.cli.main import main
from gwanje.config import load_config, parse_config
from gwanje.core.errors import ConfigError


def test_defaults_and_tuning_resolution() -> None:
    cfg = parse_config(
        {
            "cameras": [{"id": "cam1", "source": {"url": "demo:"}, "events": {"fire": {"confirm_frames": 2}}}],
            "events": {"smoke": {"threshold": 0.7}},
        }
    )
    cam = cfg.cameras[0]
    assert cfg.tuning_for(cam, "fire").confirm_frames == 2  # camera override
    assert cfg.tuning_for(cam, "smoke").threshold == 0.7  # global override
    assert cfg.tuning_for(cam, "fight").confirm_frames == 2  # built-in default


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"cameras": [{"id": "c", "source": {"url": "x", "trnsport": "tcp"}}]},
            "cameras[0].source.trnsport: unknown key",
        ),
        ({"cameras": [{"id": "c", "source": {"url": "x"}, "analysis_fps": 0}]}, "cameras[0].analysis_fps"),
        ({"cameras": [{"id": "Bad Id", "source": {"url": "x"}}]}, "got 'Bad Id'"),
        ({"cameras": [{"id": "c", "source": {"url": "x"}, "detectors": ["nope"]}]}, "detector 'nope'"),
        (
            {"cameras": [{"id": "c", "source": {"url": "x"}, "rules": [{"type": "loitering", "zone": "z"}]}]},
            "names zone 'z'",
        ),
        (
            {"cameras": [{"id": "c", "source": {"url": "x"}, "zones": [{"name": "z", "polygon": [[0, 0], [1, 1]]}]}]},
            "at least 3 points",
        ),
        ({"events": {"fire": {"confirm_frames": 6, "window_frames": 5}}}, "cannot exceed window_frames"),
        ({"cameras": [{"id": "a", "source": {"url": "x"}}, {"id": "a", "source": {"url": "y"}}]}, "repeated: ['a']"),
    ],
)
def test_errors_name_the_key_and_value(data: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data, "test.yaml")
    assert expected in str(info.value)


def test_env_substitution_and_missing_variable(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("cameras:\n  - id: c\n    source: {url: 'rtsp://${CAM_USER}:${CAM_PW:-none}@host/s'}\n")
    cfg = load_config(f, environ={"CAM_USER": "admin"})
    assert cfg.cameras[0].source.url == "rtsp://admin:none@host/s"
    with pytest.raises(ConfigError, match="CAM_USER is not set"):
        load_config(f, environ={})


def test_check_config_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("cameras:\n  - id: c\n    source: {url: 'demo:'}\n")
    assert main(["check-config", str(good)]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("cameras:\n  - id: c\n    source: {url: 'demo:'}\n    fps: 5\n")
    assert main(["check-config", str(bad)]) == 2
    assert "cameras[0].fps: unknown key" in capsys.readouterr().err
    assert main(["check-config", str(tmp_path / "missing.yaml")]) == 2
