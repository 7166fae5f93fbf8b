"""Faint people (scored below the person detector's threshold) reach the fall rule only."""

from __future__ import annotations

from gwanje.config import parse_config
from gwanje.core.frame import Frame
from gwanje.runtime.detectors import build_detectors, close_all
from gwanje.runtime.pipeline import CameraPipeline
from tests.support.collapse import CollapseScene


def test_faint_people_go_to_the_rules_apart_and_only_for_a_fall_rule() -> None:
    scene = CollapseScene(fps=5.0)
    lying = scene.frames(scene.down_s() + 1.0)[-1]  # the drawn figure lying flat scores 0.14-0.16
    app = parse_config(
        {
            "cameras": [
                {"id": "fall", "source": {"url": "file"}, "detectors": ["person"], "rules": [{"type": "fall"}]},
                {"id": "zone", "source": {"url": "file"}, "detectors": ["person"]},
            ]
        }
    )
    zone_camera, fall_camera = app.cameras[1], app.cameras[0]
    detectors = build_detectors(app, app.cameras)
    try:
        # built in this order on purpose: the fall camera lowers the shared detector's floor
        zone_pipeline = CameraPipeline(app, zone_camera, detectors)
        fall_pipeline = CameraPipeline(app, fall_camera, detectors)
        frame = Frame("cam", 0, 0.0, 1e9, lying)
        on_zone = zone_pipeline.process(frame).context
        on_fall = fall_pipeline.process(frame).context
    finally:
        close_all(detectors)
    for ctx in (on_zone, on_fall):
        assert len(ctx.detections.with_label("person")) == 0  # nobody above the threshold (0.4)
        assert len(ctx.tracks) == 0
    assert len(on_zone.faint) == 0  # a camera without a fall rule never sees faint people
    assert len(on_fall.faint) >= 1 and on_fall.faint.confidence.max() <= 0.4
    assert on_fall.faint.confidence.min() >= 0.15
