"""What a training picture goes through before the model: a tile-like crop, a flip, CCTV degradations, and
NanoDet's own pre-processing (``gwanje.detect.person.preprocess``), so train and run time see the same input."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from gwanje.detect.person import preprocess
from gwanje.training.person.synth import Image

FloatArray = npt.NDArray[np.float32]
MIN_KEPT = 0.5
"""A box keeps its label when at least half of it is inside the crop; a smaller part becomes an ignore region."""
ZOOM_OUT_RATE, ZOOM_OUT_SCALE = 0.25, (0.35, 0.8)
"""How often, and how small, a picture is pasted on a larger canvas: training pictures hold mostly large
people, CCTV mostly small ones (48-96 px in a 720p frame lost most in the first fine-tuning)."""


def crop(image: Image, boxes: FloatArray, rng: np.random.Generator) -> tuple[Image, FloatArray, npt.NDArray[np.bool_]]:
    """Half of the time a square of 60-100 % of the short side (a tile, zoomed in), else the whole picture.

    Returns the crop, the boxes in its pixels, and which boxes are mostly cut off.
    """
    height, width = image.shape[:2]
    if rng.random() < 0.5:
        return image, boxes.copy(), np.zeros(len(boxes), bool)
    side = int(min(height, width) * rng.uniform(0.6, 1.0))
    x0 = int(rng.integers(0, width - side + 1))
    y0 = int(rng.integers(0, height - side + 1))
    shifted = boxes - np.asarray([x0, y0, x0, y0], np.float32)
    clipped = np.clip(shifted, 0, side).astype(np.float32)
    area = np.maximum((shifted[:, 2] - shifted[:, 0]) * (shifted[:, 3] - shifted[:, 1]), 1e-6)
    kept = (clipped[:, 2] - clipped[:, 0]) * (clipped[:, 3] - clipped[:, 1]) / area
    return image[y0 : y0 + side, x0 : x0 + side], clipped, kept < MIN_KEPT


def zoom_out(image: Image, boxes: FloatArray, rng: np.random.Generator) -> tuple[Image, FloatArray]:
    """Sometimes the picture shrunk to 35-80 % and pasted at a random place on a canvas of its own size, filled
    with its mean colour (what the letterbox pads with is constant too), so people become small."""
    if rng.random() >= ZOOM_OUT_RATE:
        return image, boxes
    height, width = image.shape[:2]
    scale = float(rng.uniform(*ZOOM_OUT_SCALE))
    small_w, small_h = max(1, int(width * scale)), max(1, int(height * scale))
    small = cv2.resize(image, (small_w, small_h), interpolation=cv2.INTER_AREA)
    canvas = np.empty_like(image)
    canvas[:] = image.reshape(-1, image.shape[2]).mean(axis=0).astype(np.uint8)
    x0 = int(rng.integers(0, width - small_w + 1))
    y0 = int(rng.integers(0, height - small_h + 1))
    canvas[y0 : y0 + small_h, x0 : x0 + small_w] = small
    moved = boxes * np.float32(scale) + np.asarray([x0, y0, x0, y0], np.float32)
    return canvas, moved.astype(np.float32)


def degrade(image: Image, rng: np.random.Generator) -> Image:
    """CCTV look: colour/brightness shift, low light with noise, blur, greyscale (IR), JPEG artefacts."""
    light = image.astype(np.float32) * rng.uniform(0.75, 1.25) + rng.uniform(-20, 20)
    light = light + rng.normal(0, 6, 3).astype(np.float32)
    if rng.random() < 0.3:  # low light: darker, gamma, sensor noise
        light = 255.0 * (np.clip(light, 0, 255) / 255.0) ** rng.uniform(1.2, 2.0) * rng.uniform(0.4, 0.8)
        light = light + rng.normal(0, rng.uniform(2, 8), light.shape)
    out: Image = np.clip(light, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        out = np.asarray(cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.5, 1.8))), np.uint8)
    if rng.random() < 0.2:
        out = np.asarray(cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR), np.uint8)
    if rng.random() < 0.4:
        ok, encoded = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(20, 70))])
        if ok:
            out = np.asarray(cv2.imdecode(encoded, cv2.IMREAD_COLOR), np.uint8)
    return out


def training_input(image: Image, boxes: FloatArray, ignore: npt.NDArray[np.bool_], rng: np.random.Generator
                   ) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:  # fmt: skip
    """The 1x3x416x416 tensor and the boxes (input pixels) with their ignore flags, after augmentation."""
    cropped, boxes, cut = crop(image, boxes, rng)
    cropped, boxes = zoom_out(cropped, boxes, rng)
    if rng.random() < 0.5:
        cropped = cropped[:, ::-1].copy()
        width = cropped.shape[1]
        boxes = np.stack([width - boxes[:, 2], boxes[:, 1], width - boxes[:, 0], boxes[:, 3]], axis=1)
    tensor, lb = preprocess(degrade(np.ascontiguousarray(cropped), rng))
    mapped = lb.to_input(boxes) if len(boxes) else np.zeros((0, 4), np.float32)
    sizes = np.minimum(mapped[:, 2] - mapped[:, 0], mapped[:, 3] - mapped[:, 1]) if len(mapped) else np.zeros(0)
    tiny = sizes < 4.0
    flags = (ignore | cut) & ~tiny
    keep = ~tiny
    return tensor, mapped[keep].astype(np.float32), flags[keep]
