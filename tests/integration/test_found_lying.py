"""A person already lying on the street when the camera starts: the shipped person detector, the camera pipeline,
the fall rule's found-lying path and the event engine raise one FALL after ``found_lying_s`` (docs/models/fall.md).

The drawn demo walker lies flat from the first analysed frame (``CollapseScene``, frames from after the fall only);
the shipped detector scores him 0.56-0.58 there (``tests/detect/test_person_lying.py``).
"""

from __future__ import annotations

from typing import Any

import pytest

from gwanje.config import parse_config
from gwanje.core.events import Event, EventState
from gwanje.core.frame import Frame
from gwanje.runtime.detectors import build_detectors, close_all
from gwanje.runtime.pipeline import CameraPipeline
from tests.support.collapse import CollapseScene

FPS = 5.0
FOUND_LYING_S = 20.0
WATCHED_S = 26.0


def _events(rule: dict[str, Any]) -> list[Event]:
    app = parse_config(
        {
            "cameras": [
                {
                    "id": "street",
                    "source": {"url": "unused"},
                    "analysis_fps": FPS,
                    "detectors": ["person"],
                    "rules": [rule],
                }
            ]
        }
    )
    camera = app.cameras[0]
    detectors = build_detectors(app, [camera])
    scene = CollapseScene(fps=FPS, collapse_s=2.0)
    frames = scene.frames(scene.down_s() + 0.4 + WATCHED_S)
    lying = frames[round((scene.down_s() + 0.4) * FPS) :]  # the camera starts with the person already down
    pipeline = CameraPipeline(app, camera, detectors)
    events: list[Event] = []
    try:
        last = None
        for i, image in enumerate(lying):
            last = Frame("street", i, i / FPS, 1_700_000_000.0 + i / FPS, image)
            events += pipeline.process(last).events
        events += pipeline.close(last)
    finally:
        close_all(detectors)
    return events


@pytest.mark.slow
def test_a_person_found_lying_still_raises_one_fall_after_found_lying_s() -> None:
    events = _events({"type": "fall", "found_lying_s": FOUND_LYING_S})
    started = [e for e in events if e.state is EventState.START]
    assert len(started) == 1, [(e.event_type, e.start_pts_s) for e in started]
    fall = started[0]
    assert fall.event_type.value == "fall" and fall.details["seen_falling"] is False
    assert FOUND_LYING_S <= fall.start_pts_s <= FOUND_LYING_S + 1.5
    x1, y1, x2, y2 = fall.boxes[0]
    assert x2 - x1 > 1.2 * (y2 - y1)


@pytest.mark.slow
def test_without_found_lying_a_person_already_down_raises_nothing() -> None:
    assert _events({"type": "fall", "found_lying_s": None}) == []
