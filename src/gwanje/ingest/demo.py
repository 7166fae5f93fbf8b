"""The ``demo:`` source: a generated street scene that needs no camera and no download.

A static street with mild sensor noise, a person walking back and forth and, every ``fire_period_s``
(first at ``fire_start_s``), a fire of ``fire_duration_s`` with a smoke plume. Deterministic for a seed:
frame ``n`` is the same whenever it is rendered. URL: ``demo:`` or ``demo:?seed=7&fps=15&fire_period_s=40``.

To get a file of it (for ``gwanje analyze`` or a benchmark): ``python -m gwanje.ingest.demo_clip out.mp4``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, fields
from urllib.parse import parse_qsl

import cv2
import numpy as np

from gwanje.core.errors import SourceFormatError
from gwanje.core.frame import Image
from gwanje.ingest.base import DecodedFrame, FrameSource
from gwanje.ingest.demo_fire import FireRenderer
from gwanje.ingest.urls import SourceTarget

WIDTH, HEIGHT = 640, 360
_HORIZON = 150
_NOISE_FRAMES = 8


@dataclass(frozen=True)
class DemoSettings:
    seed: int = 1
    fps: float = 15.0
    fire_start_s: float = 12.0
    fire_period_s: float = 40.0
    fire_duration_s: float = 15.0

    @classmethod
    def from_url(cls, url: str) -> DemoSettings:
        """Read settings from ``demo:?seed=7&fps=15`` (unknown or malformed keys are clear errors)."""
        query = url.split(":", 1)[1].lstrip("/").lstrip("?")
        known = {f.name: f.type for f in fields(cls)}
        values: dict[str, float | int] = {}
        for key, raw in parse_qsl(query, keep_blank_values=True):
            if key not in known:
                raise SourceFormatError(f"{url}: unknown demo setting {key!r}; known: {sorted(known)}")
            try:
                values[key] = int(raw) if key == "seed" else float(raw)
            except ValueError:
                raise SourceFormatError(f"{url}: demo setting {key}={raw!r} is not a number") from None
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.fps <= 0 or settings.fire_period_s <= 0 or settings.fire_duration_s < 0:
            raise SourceFormatError(f"{url}: fps and fire_period_s must be positive, fire_duration_s not negative")
        return settings


class DemoScene:
    """Renders frame ``index`` of the scene."""

    def __init__(self, settings: DemoSettings) -> None:
        self.settings = settings
        rng = np.random.default_rng(settings.seed)
        self._background = street(rng)
        self._noise = rng.normal(0.0, 2.2, size=(_NOISE_FRAMES, HEIGHT, WIDTH, 1)).astype(np.int16)
        self._fire = FireRenderer(rng, base=(470, 232), max_height=150)
        self._walk_phase = float(rng.uniform(0.0, 1.0))

    def fire_time(self, t: float) -> float | None:
        """Seconds since the current fire started, or None when there is no fire at time ``t``."""
        s = self.settings
        if t < s.fire_start_s:
            return None
        since = (t - s.fire_start_s) % s.fire_period_s
        return since if since < s.fire_duration_s else None

    def render(self, index: int) -> Image:
        t = index / self.settings.fps
        img = self._background.copy()
        draw_walker(img, t, self._walk_phase)
        fire_t = self.fire_time(t)
        if fire_t is not None:
            fade = float(np.clip((self.settings.fire_duration_s - fire_t) / 2.0, 0.0, 1.0))
            self._fire.draw(img, fire_t, fade)
        noisy = img.astype(np.int16) + self._noise[(index * 5 + 3) % _NOISE_FRAMES]
        out: Image = np.clip(noisy, 0, 255).astype(np.uint8)
        return out


class DemoSource(FrameSource):
    """Endless frames of the demo scene; the reader paces them to ``fps`` when ``realtime``."""

    def __init__(self, target: SourceTarget, realtime: bool = True) -> None:
        super().__init__(target)
        self.settings = DemoSettings.from_url(target.url)
        self._scene = DemoScene(self.settings)
        self._realtime = realtime

    @property
    def paced(self) -> bool:
        return self._realtime

    def __iter__(self) -> Iterator[DecodedFrame]:
        if not self.decode_frames:
            raise SourceFormatError(f"{self.display}: the demo scene has no packets to record; not a record stream")
        index = 0
        while True:
            yield DecodedFrame(self._scene.render(index), index / self.settings.fps)
            index += 1

    def close(self) -> None:
        """Nothing to release."""


def street(rng: np.random.Generator) -> Image:
    """A street seen from a wall-mounted camera: building front, pavement, road, and some texture.

    Public, with ``draw_walker``, so that tests can stage other scenes (a person collapsing) in the same street.
    """
    img = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    ys = np.arange(HEIGHT, dtype=np.float32)[:, None, None]
    wall = np.array([112, 122, 135], np.float32) * (0.85 + 0.15 * ys / HEIGHT)
    img[:] = np.broadcast_to(wall, (HEIGHT, WIDTH, 3)).astype(np.uint8)
    for x in range(0, WIDTH, 150):  # windows with frames
        cv2.rectangle(img, (x + 30, 25), (x + 110, 110), (70, 64, 58), -1)
        cv2.rectangle(img, (x + 30, 25), (x + 110, 110), (160, 165, 170), 3)
        cv2.line(img, (x + 70, 25), (x + 70, 110), (160, 165, 170), 2)
    cv2.rectangle(img, (250, 60), (320, _HORIZON), (50, 60, 85), -1)  # a door
    cv2.rectangle(img, (0, _HORIZON), (WIDTH, 235), (128, 132, 136), -1)  # pavement
    for x in range(-200, WIDTH + 200, 60):  # paving joints converging slightly
        cv2.line(img, (x, _HORIZON), (int(x * 1.15 - 40), 235), (110, 114, 118), 1)
    cv2.rectangle(img, (0, 235), (WIDTH, 242), (175, 178, 180), -1)  # kerb
    cv2.rectangle(img, (0, 242), (WIDTH, HEIGHT), (72, 74, 76), -1)  # road
    for x in range(0, WIDTH, 120):
        cv2.rectangle(img, (x + 20, 305), (x + 80, 311), (200, 205, 210), -1)
    texture = cv2.GaussianBlur(rng.normal(0.0, 6.0, (HEIGHT, WIDTH)).astype(np.float32), (0, 0), 1.2)
    return np.clip(img.astype(np.float32) + texture[..., None], 0, 255).astype(np.uint8)


def draw_walker(img: Image, t: float, phase: float) -> None:
    """A person crossing the pavement back and forth (about 12 s each way): shadow, legs with knees and shoes,
    a jacket with swinging arms, neck, head and hair, drawn so that person detectors recognise it."""
    period = 24.0
    u = ((t / period + phase) % 1.0) * 2.0
    x = int(40 + (WIDTH - 80) * (u if u < 1.0 else 2.0 - u))
    facing = 1 if u < 1.0 else -1
    feet_y = 228
    stride = math.sin(t * 2.0 * math.pi * 0.9)
    bob = round(1.5 * abs(stride))
    skin, jacket, jacket_dark = (110, 140, 185), (140, 72, 42), (105, 52, 30)
    trousers, shoes, hair = (55, 48, 44), (25, 25, 28), (30, 32, 40)
    cv2.ellipse(img, (x + 6, feet_y + 2), (20, 4), 0, 0, 360, (95, 98, 102), -1)  # shadow on the pavement
    hip = (x, feet_y - 44 - bob)
    shoulder_y = feet_y - 76 - bob
    for sign, shade in ((-1, 0.8), (1, 1.0)):  # far leg darker, drawn first
        swing = sign * stride
        knee = (int(x + 7 * swing + 2 * facing), feet_y - 22 - bob)
        foot = (int(x + 13 * swing), feet_y - 2)
        colour = tuple(int(c * shade) for c in trousers)
        cv2.line(img, hip, knee, colour, 8, cv2.LINE_AA)
        cv2.line(img, knee, foot, colour, 7, cv2.LINE_AA)
        cv2.ellipse(img, (foot[0] + 3 * facing, foot[1] + 1), (6, 3), 0, 0, 360, shoes, -1, cv2.LINE_AA)
    far_arm = (int(x + 9 * stride), feet_y - 46 - bob)
    cv2.line(img, (x, shoulder_y + 3), far_arm, jacket_dark, 6, cv2.LINE_AA)
    torso = np.array(
        [[x - 9, shoulder_y], [x + 9, shoulder_y], [x + 8, hip[1] + 2], [x - 8, hip[1] + 2]], dtype=np.int32
    )
    cv2.fillConvexPoly(img, torso, jacket, cv2.LINE_AA)
    near_elbow = (int(x - 6 * stride), shoulder_y + 17)
    near_hand = (int(x - 11 * stride), feet_y - 46 - bob)
    cv2.line(img, (x, shoulder_y + 3), near_elbow, jacket, 6, cv2.LINE_AA)
    cv2.line(img, near_elbow, near_hand, jacket, 5, cv2.LINE_AA)
    cv2.circle(img, near_hand, 3, skin, -1, cv2.LINE_AA)
    cv2.rectangle(img, (x - 3, shoulder_y - 5), (x + 3, shoulder_y), skin, -1)  # neck
    head = (x + facing, shoulder_y - 12)
    cv2.ellipse(img, head, (7, 9), 0, 0, 360, skin, -1, cv2.LINE_AA)
    cv2.ellipse(img, (head[0] - 2 * facing, head[1] - 3), (8, 7), 0, 180, 360, hair, -1, cv2.LINE_AA)
