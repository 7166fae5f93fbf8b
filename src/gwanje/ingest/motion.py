"""Motion gate: cheap differencing that decides which frames are worth running the detectors on.

Like Frigate's: the frame is shrunk to ``frame_height`` rows, made grey and blurred, and compared with a
running-average background (``frame_alpha``). Pixels differing by more than ``threshold`` grey levels
are motion; connected regions of at least ``min_area`` of the frame become boxes. When more than
``lightning_threshold`` of the frame changes at once (lights switched, IR mode, auto-exposure), the
background is reset to the new frame instead of reporting motion everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from gwanje.config.camera import MotionConfig
from gwanje.core.frame import Frame, PixelBox, SegmentWatch

Box = PixelBox


@dataclass(frozen=True)
class MotionResult:
    """``moving``: motion above ``min_area``. ``run_detectors``: moving, the keepalive is due, the frame starts
    a new stream segment (or the gate is disabled). ``fraction`` of the frame that moved; ``boxes``
    (x1, y1, x2, y2) in frame pixels. ``whole``: the detectors must look at the whole picture, not only where
    it moved (the keepalive is due, a new segment or background, the gate is disabled)."""

    moving: bool
    fraction: float
    run_detectors: bool
    boxes: list[Box] = field(default_factory=list)
    recalibrated: bool = False
    whole: bool = True

    @property
    def motion(self) -> tuple[Box, ...] | None:
        """What ``Frame.motion`` says for this frame: the moving boxes, or None where the whole picture counts."""
        return None if self.whole or not self.run_detectors else tuple(self.boxes)


class MotionGate:
    """Per-camera state; call ``check`` with every analysis frame, in order.

    A frame that starts a new stream segment (``Frame.segment``: the source reconnected or started over)
    resets the background and always runs the detectors: the scene may differ, and what they said
    before the break says nothing about it.
    """

    def __init__(self, cfg: MotionConfig) -> None:
        self.cfg = cfg
        self._background: npt.NDArray[np.float32] | None = None
        self._last_run_pts: float | None = None
        self._last_whole_pts: float | None = None
        self._kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
        self._segments = SegmentWatch()
        self._run_next = False
        self._stale = True
        self.recalibrations = 0

    def reset(self) -> None:
        """Forget the background and run the detectors on the next frame."""
        self._background = None
        self._last_run_pts = None
        self._last_whole_pts = None
        self._run_next = True
        self._stale = True

    def check(self, frame: Frame) -> MotionResult:
        if self._segments.changed(frame.segment):
            self.reset()
        if not self.cfg.enabled:
            return self._result(frame, moving=True, fraction=1.0, boxes=[])
        grey = self._prepare(frame)
        background = self._background
        if background is None or background.shape != grey.shape:
            self._background = grey.astype(np.float32)
            return self._result(frame, moving=False, fraction=0.0, boxes=[], recalibrated=True)
        diff = cv2.absdiff(grey, cv2.convertScaleAbs(background))
        mask = (diff > self.cfg.threshold).astype(np.uint8)
        changed = float(mask.mean())
        if changed > self.cfg.lightning_threshold:
            self._background = grey.astype(np.float32)
            self.recalibrations += 1
            return self._result(frame, moving=False, fraction=0.0, boxes=[], recalibrated=True)
        cv2.accumulateWeighted(grey, background, self.cfg.frame_alpha)
        if changed == 0.0:
            return self._result(frame, moving=False, fraction=0.0, boxes=[])
        mask = np.asarray(cv2.dilate(mask, self._kernel, iterations=2), dtype=np.uint8)
        boxes, moved_pixels = self._regions(mask, frame.width / grey.shape[1], frame.height / grey.shape[0])
        fraction = moved_pixels / mask.size
        return self._result(frame, moving=bool(boxes), fraction=fraction, boxes=boxes)

    def _prepare(self, frame: Frame) -> npt.NDArray[np.uint8]:
        height = min(self.cfg.frame_height, frame.height)
        width = max(round(frame.width * height / frame.height), 1)
        # Skip rows and columns first so area averaging only works on about 2x2 pixels per output pixel:
        # most of the quality for a fraction of the cost of averaging the whole 720p frame.
        step = max(frame.height // (height * 2), 1)
        small = cv2.resize(frame.image[::step, ::step], (width, height), interpolation=cv2.INTER_AREA)
        return np.asarray(cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (3, 3), 0), dtype=np.uint8)

    def _regions(self, mask: npt.NDArray[np.uint8], sx: float, sy: float) -> tuple[list[Box], int]:
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        min_pixels = max(self.cfg.min_area * mask.size, 1.0)
        boxes: list[Box] = []
        moved = 0
        for label in range(1, count):
            x, y, w, h, area = (int(v) for v in stats[label])
            if area < min_pixels:
                continue
            moved += area
            boxes.append((int(x * sx), int(y * sy), int(np.ceil((x + w) * sx)), int(np.ceil((y + h) * sy))))
        return boxes, moved

    def _result(
        self, frame: Frame, moving: bool, fraction: float, boxes: list[Box], recalibrated: bool = False
    ) -> MotionResult:
        due = self._due(self._last_run_pts, frame.pts_s)
        run = moving or due or self._run_next or not self.cfg.enabled
        # The whole picture is looked at again every keepalive even while something keeps moving, and after a
        # new background (lights switched), when all of it may differ from what the detectors last saw.
        self._stale = self._stale or recalibrated or self._due(self._last_whole_pts, frame.pts_s)
        whole = run and (self._run_next or not self.cfg.enabled or self._stale)
        if whole:
            self._stale = False
            self._last_whole_pts = frame.pts_s
        self._run_next = False
        if run:
            self._last_run_pts = frame.pts_s
        return MotionResult(moving, fraction, run, boxes, recalibrated, whole)

    def _due(self, last_pts: float | None, pts: float) -> bool:
        keepalive = self.cfg.keepalive_s
        return keepalive > 0 and (last_pts is None or pts - last_pts >= keepalive)
