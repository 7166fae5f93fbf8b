"""Fire and smoke regions from the project's own grid model (``models/fire_smoke.onnx``).

The model scores a coarse grid of cells (16 x 16 at its 256 x 256 input) for fire and smoke.
Neighbouring cells above the threshold are grouped (8-connectivity) into one region; each
region becomes a box in frame pixels, so snapshots show where to look. Frames are stretched to
the square input, as the training frames were.

Region confidences are calibrated so that the configured threshold maps to 0.5 (piecewise linear,
``calibrate``): 0.5 means "at the operating point" for every consumer (the event engine's default
threshold, image-level evaluation, camera sensitivity). The raw cell probability is kept in
``data["probability"]``. Image-level use (evaluation, manifests): ``frame_scores`` or
``FireSmokeDetector.scores`` (raw probabilities).

Two additions for video and for cameras without colour (docs/models/fire-smoke.md, "Video logic and greyscale"):

* **Fire candidates.** Fire cells from ``video_fire_threshold`` up (default half the operating point) are
  grouped too; a region whose best cell stays below ``fire_threshold`` is reported with a confidence below
  0.5 (a *candidate*). Nothing counts it as fire by itself: the video rule
  (``gwanje.events.rules.fire_smoke``) raises it only when it persists and flickers over several frames.
* **No fire without colour.** A flame always has an orange or yellow fringe; a greyscale or near-IR frame
  has none. Fire cells whose neighbourhood has no colour (``fire_min_chroma``) are set to 0 before
  anything else looks at them, so grey footage never gives fire, whatever the model says. Smoke is grey
  and is not gated. On a camera that films in greyscale or near-IR (night mode), ``ir_fire: true`` keeps
  fire in colourless cells that hold blown-out bright pixels (``IR_HOT_LEVEL``: hot = bright) where the
  model says fire; the video rule then still asks for flicker.

Example:
    >>> import numpy as np
    >>> cells = np.zeros((2, 4, 4), np.float32); cells[0, 1, 1:3] = 0.9
    >>> regions = cell_regions(cells, (0.5, 0.5), frame_size=(400, 200))
    >>> regions.xyxy.tolist(), regions.label.tolist(), round(float(regions.data["probability"][0]), 2)
    ([[100.0, 50.0, 300.0, 100.0]], ['fire'], 0.9)
    >>> {k: round(v, 2) for k, v in frame_scores(regions).items()}
    {'fire': 0.9, 'smoke': 0.0}
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from gwanje.config.detectors import FireSmokeDetectorConfig
from gwanje.core.detections import Detections
from gwanje.core.frame import Frame, Image
from gwanje.detect.base import LabelKind, Produces
from gwanje.detect.onnx_session import OnnxModel, packaged_model

log = logging.getLogger(__name__)

MODEL_FILE = "fire_smoke.onnx"
LABELS = ("fire", "smoke")
FloatArray = npt.NDArray[np.float32]
CHROMA_CELL_PX = 8
"""Pixels per cell side at which colour is measured (a 16 x 16 grid: a 128 x 128 copy of the frame)."""
IR_HOT_LEVEL = 235.0
"""With ``ir_fire``: luma a colourless cell's brightest pixels (99th percentile) need to count as hot."""


def fit(image: Image, size: tuple[int, int]) -> Image:
    """A BGR uint8 image stretched to ``size`` = (width, height), area-averaged (the model's input picture)."""
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"fire/smoke detector needs H x W x 3 BGR images, got shape {image.shape}")
    if (image.shape[1], image.shape[0]) == size:
        return image
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)


def to_input(images: Sequence[Image], size: tuple[int, int]) -> FloatArray:
    """BGR uint8 images -> float32 [N, 3, H, W] in 0..1, stretched to ``size`` = (width, height)."""
    batch = np.empty((len(images), 3, size[1], size[0]), np.float32)
    for i, image in enumerate(images):
        batch[i] = fit(image, size).transpose(2, 0, 1) * np.float32(1 / 255)
    return batch


def chroma_cells(images: Sequence[Image], grid: tuple[int, int]) -> FloatArray:
    """Colour of each grid cell [N, G_h, G_w]: the 90th percentile of its pixels' chroma, best of the cell and its neighbours.

    Chroma is the distance of (Cr, Cb) from grey in YCrCb (0 for any grey pixel; about 50-90 for orange
    flame pixels). The 8 neighbours count so that a flame's saturated-white core keeps its fringe's colour.
    """
    grid_h, grid_w = grid
    out = np.zeros((len(images), grid_h, grid_w), np.float32)
    size = (grid_w * CHROMA_CELL_PX, grid_h * CHROMA_CELL_PX)
    for i, image in enumerate(images):
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        ycrcb = cv2.cvtColor(small, cv2.COLOR_BGR2YCrCb).astype(np.float32)
        chroma = np.hypot(ycrcb[..., 1] - 128.0, ycrcb[..., 2] - 128.0)
        per_cell = chroma.reshape(grid_h, CHROMA_CELL_PX, grid_w, CHROMA_CELL_PX).transpose(0, 2, 1, 3)
        level = np.percentile(per_cell.reshape(grid_h, grid_w, -1), 90, axis=2).astype(np.float32)
        out[i] = cv2.dilate(level, np.ones((3, 3), np.uint8))
    return out


def hot_cells(images: Sequence[Image], grid: tuple[int, int]) -> FloatArray:
    """Brightness of each grid cell [N, G_h, G_w]: the 99th percentile of its pixels' luma (0-255)."""
    grid_h, grid_w = grid
    out = np.zeros((len(images), grid_h, grid_w), np.float32)
    size = (grid_w * CHROMA_CELL_PX, grid_h * CHROMA_CELL_PX)
    for i, image in enumerate(images):
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        luma = np.asarray(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), np.float32)
        per_cell = luma.reshape(grid_h, CHROMA_CELL_PX, grid_w, CHROMA_CELL_PX).transpose(0, 2, 1, 3)
        out[i] = np.percentile(per_cell.reshape(grid_h, grid_w, -1), 99, axis=2)
    return out


def calibrate(probability: float, threshold: float) -> float:
    """Map a probability to a confidence with ``threshold`` -> 0.5, 0 -> 0 and 1 -> 1 (monotonic)."""
    if probability >= threshold:
        return 0.5 + 0.5 * (probability - threshold) / max(1.0 - threshold, 1e-6)
    return 0.5 * probability / max(threshold, 1e-6)


def cell_regions(
    cells: FloatArray,
    thresholds: tuple[float, float],
    frame_size: tuple[int, int],
    floors: tuple[float, float] | None = None,
) -> Detections:
    """Group cells into boxes; ``cells`` is [2, G, G], ``frame_size`` = (width, height).

    Cells from ``floors`` (default: the thresholds) up are grouped; a region's confidence is its best
    cell calibrated against the threshold, so a region whose best cell is below the threshold scores < 0.5.
    """
    floors = thresholds if floors is None else floors
    width, height = frame_size
    grid_h, grid_w = cells.shape[1:]
    boxes: list[list[float]] = []
    scores: list[float] = []
    probabilities: list[float] = []
    labels: list[str] = []
    for channel, (label, threshold, floor) in enumerate(zip(LABELS, thresholds, floors, strict=True)):
        above = (cells[channel] >= min(floor, threshold)).astype(np.uint8)
        if not above.any():
            continue
        count, components = cv2.connectedComponents(above, connectivity=8)
        for component in range(1, count):
            rows, cols = np.nonzero(components == component)
            boxes.append(
                [
                    cols.min() * width / grid_w,
                    rows.min() * height / grid_h,
                    (cols.max() + 1) * width / grid_w,
                    (rows.max() + 1) * height / grid_h,
                ]
            )
            probability = float(cells[channel][rows, cols].max())
            probabilities.append(probability)
            scores.append(calibrate(probability, threshold))
            labels.append(label)
    if not boxes:
        return Detections.empty()
    return Detections.from_arrays(boxes, scores, labels, data={"probability": np.asarray(probabilities, np.float32)})


def frame_scores(detections: Detections) -> dict[str, float]:
    """Highest confidence per label ("fire", "smoke"); 0.0 when absent. >= 0.5 means "detected"."""
    return {label: float(detections.confidence[detections.label == label].max(initial=0.0)) for label in LABELS}


class FireSmokeDetector:
    """The Detector for fire and smoke; one session shared by every camera (stateless per frame)."""

    @classmethod
    def declare(cls, cfg: FireSmokeDetectorConfig) -> Produces:
        """Fire and smoke are places, never tracked; confidences put the operating point at 0.5."""
        return Produces({label: LabelKind.REGION for label in LABELS}, threshold=0.5)

    def __init__(self, name: str, cfg: FireSmokeDetectorConfig) -> None:
        self.name = name
        self.cfg = cfg
        self.produces = self.declare(cfg)
        path = cfg.model_path if cfg.model_path is not None else packaged_model(MODEL_FILE)
        self.model = OnnxModel(path, cfg.runtime, name=name)
        self.model.expect(inputs=1, input_rank=4, outputs=1, what="fire/smoke grid model: image -> cells [N,2,G,G]")
        height, width = self.model.input.fixed(2), self.model.input.fixed(3)
        if height is None or width is None:
            raise ValueError(f"fire/smoke model {path} must have a fixed input height and width")
        self.input_size = (width, height)
        self.thresholds = (cfg.fire_threshold, cfg.smoke_threshold)
        video = cfg.fire_threshold / 2 if cfg.video_fire_threshold is None else cfg.video_fire_threshold
        self.floors = (min(video, cfg.fire_threshold), cfg.smoke_threshold)

    def cells(self, images: Sequence[Image]) -> FloatArray:
        """Cell probabilities [N, 2, G, G] for BGR images, in batches of ``runtime.max_batch``.

        Fire cells without colour around them are 0 (``fire_min_chroma``, see the module docstring).
        """
        step = self.cfg.runtime.max_batch
        # Stretched once to the model input; the colour gate measures its cells on that picture too (an exact
        # halving, instead of shrinking the whole frame a second time: 2.5 ms of a 720p frame).
        small = [fit(image, self.input_size) for image in images]
        parts = [
            self.model.run_batch({self.model.input.name: to_input(small[i : i + step], self.input_size)})[0]
            for i in range(0, len(small), step)
        ]
        if not parts:
            return np.zeros((0, 2, 0, 0), np.float32)
        cells = np.asarray(np.concatenate(parts), np.float32)
        if self.cfg.fire_min_chroma > 0:
            grid = (cells.shape[2], cells.shape[3])
            allowed = chroma_cells(small, grid) >= self.cfg.fire_min_chroma
            if self.cfg.ir_fire:
                allowed |= hot_cells(small, grid) >= IR_HOT_LEVEL
            cells[:, 0] = np.where(allowed, cells[:, 0], 0.0)
        return cells

    def scores(self, images: Sequence[Image]) -> FloatArray:
        """Image-level probabilities [N, 2] (fire, smoke): the highest cell of each class."""
        cells = self.cells(images)
        return np.asarray(cells.reshape(cells.shape[0], cells.shape[1], -1).max(axis=2), np.float32)

    def image_scores(self, frames: Sequence[Frame]) -> list[dict[str, float]]:
        """Whole-frame confidence per label, calibrated like the regions (>= 0.5 where a region is reported)."""
        probs = self.scores([f.image for f in frames])
        return [
            {label: calibrate(float(p), t) for label, p, t in zip(LABELS, row, self.thresholds, strict=True)}
            for row in probs
        ]

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        cells = self.cells([f.image for f in frames])
        return [
            cell_regions(c, self.thresholds, (f.width, f.height), self.floors)
            for c, f in zip(cells, frames, strict=True)
        ]

    def close(self) -> None:
        self.model.close()
