"""Synthetic CCTV-like scenes for the fight tests: textured "people" scuffling or walking calmly, a flickering fire."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from gwanje.ingest.demo_fire import FireRenderer
from tests.support.media import write_clip

Image = npt.NDArray[np.uint8]
WIDTH, HEIGHT = 320, 180


def _background(rng: np.random.Generator) -> Image:
    base = rng.integers(40, 90, size=(HEIGHT // 4, WIDTH // 4, 1), dtype=np.uint8)
    return np.repeat(np.repeat(np.repeat(base, 4, axis=0), 4, axis=1), 3, axis=2)


def _paste(img: Image, texture: Image, x: float, y: float) -> None:
    h, w = texture.shape[:2]
    x0, y0 = round(x), round(y)
    x1, y1 = max(0, x0), max(0, y0)
    x2, y2 = min(WIDTH, x0 + w), min(HEIGHT, y0 + h)
    if x2 > x1 and y2 > y1:
        img[y1:y2, x1:x2] = texture[y1 - y0 : y2 - y0, x1 - x0 : x2 - x0]


def _person(rng: np.random.Generator) -> Image:
    return rng.integers(120, 255, size=(48, 20, 3), dtype=np.uint8)


def scuffle_frames(n: int, fps: float, seed: int) -> Iterator[Image]:
    """Two people close together, bodies and arms jerking in random directions every frame."""
    rng = np.random.default_rng(seed)
    bg = _background(rng)
    people = [_person(rng) for _ in range(2)]
    arms = [rng.integers(150, 255, size=(8, 14, 3), dtype=np.uint8) for _ in range(4)]
    cx, cy = rng.uniform(100, 200), rng.uniform(50, 100)
    for _ in range(n):
        img = bg.copy()
        for k, body in enumerate(people):
            _paste(img, body, cx + 22 * k + rng.normal(0, 6), cy + rng.normal(0, 4))
        for arm in arms:
            _paste(img, arm, cx + rng.uniform(-15, 45), cy + rng.uniform(0, 40))
        yield img


def calm_frames(n: int, fps: float, seed: int) -> Iterator[Image]:
    """One or two people walking steadily across the scene."""
    rng = np.random.default_rng(seed)
    bg = _background(rng)
    walkers = [(_person(rng), rng.uniform(20, 280), rng.uniform(20, 110), rng.uniform(-30, 30)) for _ in range(2)]
    for i in range(n):
        img = bg.copy()
        t = i / fps
        for body, x, y, vx in walkers:
            _paste(img, body, x + vx * t, y)
        yield img


def flame_frames(n: int, fps: float, seed: int) -> tuple[list[Image], tuple[int, int, int, int]]:
    """A grown fire (the demo camera's flame, no smoke) flickering on a still background, and the box of the flame.

    The box is the flame's largest extent over the frames (the flame is fully grown: it hardly changes).
    """
    rng = np.random.default_rng(seed)
    bg = _background(rng)
    fire = FireRenderer(rng, base=(240, 150), max_height=90)
    frames, boxes = [], []
    for i in range(n):
        t = 8.0 + i / fps
        img = bg.copy()
        fire.draw(img, t, smoke=False)
        frames.append(img)
        box = fire.flame_box(t)
        assert box is not None
        boxes.append(box)
    b = np.array(boxes)
    return frames, (int(b[:, 0].min()), int(b[:, 1].min()), int(b[:, 2].max()), int(b[:, 3].max()))


def write_dataset(root: Path, videos: int = 6, clips_per_video: int = 2, fps: int = 25, seconds: float = 2.0) -> Path:
    """A fight-surv-akti-shaped folder: fight/ and no_fight/ clips and labels.csv with source videos."""
    rows = []
    n = int(fps * seconds)
    for v in range(videos):
        for c in range(clips_per_video):
            seed = 100 * v + c
            for label, make in (("fight", scuffle_frames), ("no_fight", calm_frames)):
                rel = f"{label}/v{v}_c{c}.mp4"
                write_clip(root / rel, make(n, fps, seed), fps=fps)
                rows.append({"path": rel, "label": label, "source_video": f"synthetic-{v}"})
    with (root / "labels.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["path", "label", "source_video"])
        writer.writeheader()
        writer.writerows(rows)
    return root
