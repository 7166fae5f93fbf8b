"""Generated fire/smoke images in the YOLO layout of fire-smoke-cctv-yolo, for tests."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

SIZE = 128


def write_yolo_dataset(root: Path, count: int, seed: int = 0) -> Path:
    """``count`` images cycling fire (orange blob), smoke (grey haze blob) and empty (class 1 'default' box)."""
    rng = np.random.default_rng(seed)
    (root / "train" / "images").mkdir(parents=True)
    (root / "train" / "labels").mkdir(parents=True)
    (root / "classes.txt").write_text("Fire\ndefault\nsmoke\n")
    for i in range(count):
        image = rng.integers(40, 90, (SIZE, SIZE, 3), dtype=np.uint8)
        kind = i % 3
        cx, cy = rng.uniform(0.3, 0.7, 2)
        radius = rng.uniform(0.1, 0.2)
        center = (int(cx * SIZE), int(cy * SIZE))
        if kind == 0:
            cv2.circle(image, center, int(radius * SIZE), (30, 140, 250), -1)
            line = f"0 {cx:.4f} {cy:.4f} {2 * radius:.4f} {2 * radius:.4f}"
        elif kind == 1:
            overlay = image.copy()
            cv2.circle(overlay, center, int(radius * SIZE), (190, 190, 190), -1)
            image = cv2.GaussianBlur(cv2.addWeighted(overlay, 0.6, image, 0.4, 0), (9, 9), 0)
            line = f"2 {cx:.4f} {cy:.4f} {2 * radius:.4f} {2 * radius:.4f}"
        else:
            line = "1 0.5 0.5 1.0 1.0"
        cv2.imwrite(str(root / "train" / "images" / f"img_{i:03d}.jpg"), image)
        (root / "train" / "labels" / f"img_{i:03d}.txt").write_text(line + "\n")
    return root
