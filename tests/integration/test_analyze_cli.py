"""`gwanje analyze` on a real decoded file, with the shipped person model and a zone rule from a config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gwanje.cli.main import main
from gwanje.ingest.demo import DemoScene, DemoSettings
from tests.support.media import frames_from, write_clip


@pytest.mark.slow
def test_analyze_prints_json_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scene = DemoScene(DemoSettings(seed=3, fps=10.0, fire_start_s=1e6))
    clip = write_clip(tmp_path / "street.mp4", frames_from(scene.render, 80), fps=10)
    config = tmp_path / "gwanje.yaml"
    config.write_text(
        "cameras:\n"
        "  - id: street\n"
        "    source: {url: 'unused'}\n"
        "    detectors: [person]\n"
        "    zones: [{name: pavement, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]]}]\n"
        "    rules: [{type: loitering, zone: pavement, min_time_s: 3}]\n"
    )
    assert main(["analyze", str(clip), "--config", str(config), "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert [e["type"] for e in events] == ["loitering"]
    (event,) = events
    # the figure walks the whole clip: loitering is confirmed once it has stayed 3 s
    assert 3.0 <= event["alert_s"] <= 4.5
    assert event["end_s"] == pytest.approx(7.9, abs=0.5)
    assert 0.4 <= event["confidence"] <= 1.0
    assert set(event) >= {"type", "start_s", "end_s", "confidence"}


def test_analyze_missing_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(tmp_path / "nope.mp4")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_analyze_not_a_video(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("this is not a video")
    config = tmp_path / "c.yaml"
    config.write_text("cameras:\n  - id: c\n    source: {url: x}\n    detectors: [person]\n")
    assert main(["analyze", str(bad), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "notes.mp4" in err
