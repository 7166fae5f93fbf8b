"""The demo clip's fire through `gwanje analyze`: a fire event, and no fight from the flames' flicker.

The flame moves in every direction at once, which the fight model scores as a fight; the pipeline
gives the fight analyser the fire/smoke boxes so that it ignores motion inside them. Before that,
this clip raised a `fight` event from 8.6 s to its end (and the 30-s demo clip one from 14.4 to 21 s).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gwanje.cli.main import main
from gwanje.ingest.demo import DemoSettings
from gwanje.ingest.demo_clip import write_demo_clip


@pytest.mark.slow
def test_demo_fire_raises_fire_and_no_fight(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 12 s of the demo camera at the analysis rate (5 fps), the fire starting at 2 s: ~5 s in all
    clip = write_demo_clip(tmp_path / "demo.mp4", 12.0, DemoSettings(fps=5.0, fire_start_s=2.0))
    config = tmp_path / "gwanje.yaml"
    config.write_text("cameras:\n  - id: demo\n    source: {url: 'unused'}\n    detectors: [fire_smoke, fight]\n")
    assert main(["analyze", str(clip), "--config", str(config), "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert [e["type"] for e in events] == ["fire"]
    assert 2.0 <= events[0]["alert_s"] <= 5.0
