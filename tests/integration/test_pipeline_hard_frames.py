"""Hard frames through the real people pipeline (person, pose, fight, zone and fall rules): no crash, no storm.

Empty frames, night frames, many small people at once, people cut by the frame edge: the issue asks that none
of them crashes the pipeline or floods operators with events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import cv2
import numpy as np
import pytest

from gwanje.config import parse_config
from gwanje.core.events import EventState
from gwanje.core.frame import Frame, Image
from gwanje.ingest.demo import DemoScene, DemoSettings
from gwanje.runtime.detectors import build_detectors, close_all
from gwanje.runtime.pipeline import CameraPipeline

FPS = 5.0
SECONDS = 12
SCENE = DemoScene(DemoSettings(seed=4, fps=FPS, fire_start_s=1e6))
RNG = np.random.default_rng(0)


def _empty(_i: int) -> Image:
    return np.zeros((360, 640, 3), np.uint8)


def _night(i: int) -> Image:
    dark = SCENE.render(i).astype(np.float32) * 0.12 + RNG.normal(0, 6, (360, 640, 3))
    return np.clip(dark, 0, 255).astype(np.uint8)


def _mosaic(i: int) -> Image:
    """Four small copies of the scene at different times: several small people at once."""
    tiles = [cv2.resize(SCENE.render(i + k * 7), (320, 180)) for k in range(4)]
    return np.vstack([np.hstack(tiles[:2]), np.hstack(tiles[2:])]).astype(np.uint8)


def _tiny(i: int) -> Image:
    """The scene shrunk into a corner: a person about 20 px tall."""
    img = np.full((720, 1280, 3), 90, np.uint8)
    img[:180, :320] = cv2.resize(SCENE.render(i), (320, 180))
    return img


def _cut(i: int) -> Image:
    """Only the left strip of the scene, stretched: the walker enters and leaves through the edges."""
    return cv2.resize(SCENE.render(i)[:, :200], (640, 360)).astype(np.uint8)


@pytest.mark.slow
@pytest.mark.parametrize("render", [_empty, _night, _mosaic, _tiny, _cut], ids=lambda f: f.__name__.strip("_"))
def test_hard_frames_raise_no_storm(render: Callable[[int], Image]) -> None:
    app = parse_config(
        {
            "cameras": [
                {
                    "id": "hard",
                    "source": {"url": "unused"},
                    "analysis_fps": FPS,
                    "detectors": ["person", "fight"],
                    "zones": [{"name": "all", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]}],
                    "rules": [
                        {"type": "intrusion", "zone": "all"},
                        {"type": "loitering", "zone": "all"},
                        {"type": "crowding", "zone": "all", "max_people": 8},
                        {"type": "fall"},
                    ],
                }
            ]
        }
    )
    camera = app.cameras[0]
    detectors = build_detectors(app, [camera])
    pipeline = CameraPipeline(app, camera, detectors)
    starts: Counter[str] = Counter()
    last = None
    try:
        for i in range(int(SECONDS * FPS)):
            last = Frame("hard", i, i / FPS, 1_700_000_000.0 + i / FPS, render(i))
            for event in pipeline.process(last).events:
                if event.state is EventState.START:
                    starts[event.event_type.value] += 1
        pipeline.close(last)
    finally:
        close_all(detectors)
    # an empty frame raises nothing; scenes with people (the night frames hold the demo walker at 12 % brightness,
    # whom the fine-tuned person detector finds) raise each zone event at most a couple of times in 12 s
    # (intrusion/loitering are per zone, with cooldown), never a fall or crowding out of a walking person
    assert all(count <= 2 for count in starts.values()), starts
    assert starts["fall"] == 0 and starts["crowding"] == 0, starts
    if render is _empty:
        assert sum(starts.values()) == 0, starts
    if render is _night:
        assert set(starts) <= {"intrusion", "loitering"}, starts
