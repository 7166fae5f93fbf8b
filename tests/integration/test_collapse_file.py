"""The drawn collapse, encoded and analysed from a file with the shipped person detector and a fall rule: one fall.

The fine-tuned detector boxes the lying figure whole and, beside it, its upper half (IoU 0.44, so NMS keeps both);
both boxes were tracked and both fell, giving two fall events for one person until the rule stopped tracking
boxes that lie mostly inside a more confident person box (``fall.PART_OF_PERSON``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gwanje.config import parse_config
from gwanje.config.rules import FallRuleConfig
from gwanje.runtime.analyze import FileAnalyzer
from gwanje.runtime.detectors import build_detectors, close_all
from tests.support.collapse import CollapseScene
from tests.support.media import write_clip


@pytest.mark.slow
def test_one_person_who_collapses_is_one_fall(tmp_path: Path) -> None:
    scene = CollapseScene(fps=10)
    clip = write_clip(tmp_path / "collapse.mp4", scene.frames(scene.down_s() + 9.0), fps=10)
    app = parse_config(
        {
            "cameras": [
                {
                    "id": "street",
                    "source": {"url": str(clip)},
                    "analysis_fps": 5,
                    "detectors": ["person"],
                    "rules": [{"type": "fall"}],
                }
            ]
        }
    )
    camera = app.cameras[0]
    detectors = build_detectors(app, [camera])
    try:
        events = FileAnalyzer(app, camera, detectors).run(clip).events
    finally:
        close_all(detectors)
    assert [e.type for e in events] == ["fall"]
    down_time = FallRuleConfig().down_time_s
    assert scene.collapse_s + down_time <= events[0].start_s <= scene.down_s() + down_time + 1.0
