"""A fire already burning when the camera starts alerts within 3 s; static lamps and red signs never do; no colour, no fire.

Generated with the demo's flame renderer (``gwanje.ingest.demo_fire``), encoded to H.264 and decoded, with
no detector boxes at all: the video rule must find the flame by its colour and flicker alone (the case where
the single-image model scores a real flame under its operating point).
"""

from __future__ import annotations

import av
import cv2
import numpy as np
import pytest

from gwanje.config.camera import CameraConfig, SourceConfig
from gwanje.config.events import default_tuning
from gwanje.core.detections import Detections
from gwanje.core.events import EventState, EventType
from gwanje.core.frame import Frame
from gwanje.events.context import FrameContext
from gwanje.events.engine import EventEngine
from gwanje.events.rules.fire_smoke import FireSmokeRule
from gwanje.ingest.demo_fire import FireRenderer
from tests.support.media import write_clip

FPS = 5
SECONDS = 8
WIDTH, HEIGHT = 480, 270
FIRE_BASE = (120, 230)
LAMP = (360, 70)
SIGN = (300, 160, 420, 200)
ALREADY_BURNING_S = 6.0
"""The fire started this long before the first frame: it is full-grown and no longer growing."""


def _room(i: int, fire: FireRenderer | None) -> np.ndarray:
    rng = np.random.default_rng(1000 + i)
    img = np.full((HEIGHT, WIDTH, 3), (70, 80, 90), np.uint8)
    img[200:] = (50, 60, 75)  # floor
    cv2.circle(img, LAMP, 26, (150, 210, 255), -1)  # a warm lamp with its glow: bright, orange-white, steady
    cv2.circle(img, LAMP, 14, (225, 245, 255), -1)
    x1, y1, x2, y2 = SIGN
    cv2.rectangle(img, (x1, y1), (x2, y2), (30, 40, 230), -1)  # a red exit sign
    cv2.putText(img, "EXIT", (x1 + 18, y2 - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (240, 240, 240), 2)
    if fire is not None:
        fire.draw(img, ALREADY_BURNING_S + i / FPS, smoke=False)
    noise = rng.normal(0.0, 2.0, img.shape)  # sensor noise
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def _clip(tmp_path_factory: pytest.TempPathFactory, name: str, with_fire: bool, grey: bool = False) -> list[np.ndarray]:
    fire = FireRenderer(np.random.default_rng(7), FIRE_BASE, max_height=120) if with_fire else None
    frames = [_room(i, fire) for i in range(SECONDS * FPS)]
    if grey:
        frames = [cv2.cvtColor(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR) for f in frames]
    path = write_clip(tmp_path_factory.mktemp(name) / f"{name}.mp4", frames, fps=FPS)
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]


def _run(images: list[np.ndarray]) -> tuple[list[tuple[float, list[list[float]]]], list[list[float]]]:
    """Fire events started (alert time, boxes) and every fire box observed, with no detector boxes."""
    rule = FireSmokeRule(CameraConfig(id="cam", source=SourceConfig(url="demo:")))
    tunings = default_tuning()
    engine = EventEngine("cam", tuning=lambda t: tunings[t])
    started: list[tuple[float, list[list[float]]]] = []
    observed: list[list[float]] = []
    for i, image in enumerate(images):
        frame = Frame("cam", i, i / FPS, 1e9 + i / FPS, image)
        observations = rule.evaluate(FrameContext(frame=frame, detections=Detections.empty()))
        for o in observations:
            assert o.event_type is EventType.FIRE
            observed += [b for b, c in zip(o.boxes.xyxy.tolist(), o.boxes.confidence.tolist(), strict=True) if c >= 0.5]
        for event in engine.update(frame, observations):
            if event.state is EventState.START:
                started.append((frame.pts_s, [list(b) for b in event.boxes]))
    return started, observed


def _centre_in(box: list[float], region: tuple[float, float, float, float]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return region[0] <= cx <= region[2] and region[1] <= cy <= region[3]


def test_a_fire_burning_from_the_first_frame_alerts_within_3_s_at_the_flame(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    started, observed = _run(_clip(tmp_path_factory, "burning", with_fire=True))
    assert len(started) == 1, started
    alert_s, boxes = started[0]
    assert alert_s <= 3.0
    flame = (FIRE_BASE[0] - 80, FIRE_BASE[1] - 130, FIRE_BASE[0] + 80, FIRE_BASE[1] + 5)
    assert boxes and all(_centre_in(b, flame) for b in boxes), boxes
    lamp = (LAMP[0] - 30, LAMP[1] - 30, LAMP[0] + 30, LAMP[1] + 30)
    assert not any(_centre_in(b, lamp) or _centre_in(b, SIGN) for b in observed)


def test_a_steady_lamp_and_a_red_sign_never_raise_fire(tmp_path_factory: pytest.TempPathFactory) -> None:
    started, observed = _run(_clip(tmp_path_factory, "lamp", with_fire=False))
    assert started == [] and observed == []


def test_the_same_fire_in_greyscale_raises_nothing(tmp_path_factory: pytest.TempPathFactory) -> None:
    started, observed = _run(_clip(tmp_path_factory, "grey", with_fire=True, grey=True))
    assert started == [] and observed == []
