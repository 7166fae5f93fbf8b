"""Top-down pose: BlazePose ``pose_landmark_full`` (33 landmarks) on crops of the tracked people.

The model comes from the PyPI wheel ``mediapipe==0.10.14`` (Apache-2.0), converted to ONNX by
``gwanje.training.human_models``; see docs/models/pose.md. It runs only for the detectors a rule needs
(falls, fight cues), on at most ``max_people`` people per frame, largest first, so its cost stays bounded.

Each person's box is widened to a square of ``CROP_SCALE`` times its long side (as MediaPipe crops its
region of interest), resized to 256x256 RGB/255, and the landmarks are mapped back to frame pixels.
MediaPipe rotates its crop so the body is upright; without its detector's keypoints, a person whose box
is wider than tall (lying) is also run on crops turned a quarter either way, and one whose torso the first
pass finds tilted on a crop turned upright; the pass with the highest pose flag wins. On a standing person
turned 90 degrees, the upright crop gave a wrong skeleton (flag 0.82, 45 px off) and the turned crop the
right one (flag 0.9999, 0.5 px off).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from gwanje.config.detectors import PoseDetectorConfig
from gwanje.core.detections import Detections
from gwanje.core.errors import ModelLoadError
from gwanje.core.frame import Frame, Image
from gwanje.detect.base import Produces
from gwanje.detect.onnx_session import OnnxModel, packaged_model

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]

MODEL_FILE = "pose_landmark_full.onnx"
INPUT_SIZE = 256
CROP_SCALE = 1.25
LANDMARK_VALUES = 5
"""x, y, z, visibility logit, presence logit per landmark."""
MODEL_LANDMARKS = 39
"""33 body landmarks, then 6 auxiliary points MediaPipe uses to place the next crop."""
UPRIGHT_TOLERANCE_DEG = 45.0
"""A torso tilted more than this from vertical gets a second pass on a crop turned upright."""

KEYPOINT_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder", "right_shoulder", "left_elbow",
    "right_elbow", "left_wrist", "right_wrist", "left_pinky", "right_pinky", "left_index", "right_index",
    "left_thumb", "right_thumb", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
"""BlazePose's 33 landmarks in output order (``keypoints[:, i]`` is ``KEYPOINT_NAMES[i]``)."""

COCO17_FROM_BLAZEPOSE: tuple[int, ...] = (0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
"""Indices into BlazePose landmarks that give the 17 COCO keypoints in COCO order."""

_SHOULDERS = (11, 12)
_HIPS = (23, 24)


def _sigmoid(x: FloatArray) -> FloatArray:
    return (1.0 / (1.0 + np.exp(-np.clip(x, -80, 80)))).astype(np.float32)


def crop_transform(box: npt.ArrayLike, angle_deg: float = 0.0) -> npt.NDArray[np.float64]:
    """2x3 affine mapping frame pixels to the 256x256 crop around ``box`` (x1, y1, x2, y2).

    The crop is a square of CROP_SCALE x the box's long side, centred on the box, rotated by
    ``angle_deg`` (counter-clockwise in the picture) about its centre.
    """
    x1, y1, x2, y2 = (float(v) for v in np.asarray(box).reshape(4))
    side = CROP_SCALE * max(x2 - x1, y2 - y1, 1.0)
    centre = ((x1 + x2) / 2, (y1 + y2) / 2)
    matrix = np.asarray(cv2.getRotationMatrix2D(centre, angle_deg, INPUT_SIZE / side), np.float64)
    matrix[:, 2] += (INPUT_SIZE / 2 - centre[0], INPUT_SIZE / 2 - centre[1])
    return matrix


def crop_tensor(image: Image, matrix: npt.NDArray[np.float64]) -> FloatArray:
    """The 1x256x256x3 RGB/255 input for the crop ``matrix`` (outside the frame is black)."""
    crop = cv2.warpAffine(
        image, matrix, (INPUT_SIZE, INPUT_SIZE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
    )
    return (np.asarray(crop[..., ::-1], np.float32) / np.float32(255.0))[None]


def decode_landmarks(raw: npt.ArrayLike, matrix: npt.NDArray[np.float64]) -> FloatArray:
    """33 x 3 (x, y, visibility) in frame pixels from the model's 195 values and the crop ``matrix``."""
    values = np.asarray(raw, np.float32).reshape(MODEL_LANDMARKS, LANDMARK_VALUES)[: len(KEYPOINT_NAMES)]
    inverse = cv2.invertAffineTransform(matrix)
    xy = values[:, :2].astype(np.float64) @ inverse[:, :2].T + inverse[:, 2]
    return np.concatenate([xy.astype(np.float32), _sigmoid(values[:, 3:4])], axis=1)


def torso_tilt_deg(keypoints: FloatArray) -> float:
    """Angle of the hip-centre -> shoulder-centre line from straight up, in degrees (counter-clockwise +)."""
    shoulders = keypoints[list(_SHOULDERS), :2].mean(axis=0)
    hips = keypoints[list(_HIPS), :2].mean(axis=0)
    dx, dy = float(shoulders[0] - hips[0]), float(shoulders[1] - hips[1])
    if dx == 0 and dy == 0:
        return 0.0
    return math.degrees(math.atan2(-dx, -dy))


def _upright_angles(box: FloatArray, keypoints: FloatArray) -> list[float]:
    """Crop rotations worth a second pass: both quarter turns for a box wider than tall (someone lying,
    whom the upright crop turns into a plausible but wrong standing skeleton), or the turn that makes a
    clearly tilted torso upright."""
    if box[2] - box[0] >= box[3] - box[1]:
        return [90.0, -90.0]
    tilt = torso_tilt_deg(keypoints)
    return [-tilt] if abs(tilt) > UPRIGHT_TOLERANCE_DEG else []


def select_people(tracks: Detections, max_people: int, min_height: float) -> npt.NDArray[np.int64]:
    """Rows of ``tracks`` to run pose on: people at least ``min_height`` px tall, largest first, at most ``max_people``."""
    people = np.flatnonzero((tracks.label == "person") & (tracks.xyxy[:, 3] - tracks.xyxy[:, 1] >= min_height))
    order = people[np.argsort(-tracks.area[people], kind="stable")]
    return order[:max_people].astype(np.int64)


class PoseAnalyzer:
    """The ``pose`` analyser: every given track again, in order, with ``keypoints`` (N x 33 x 3) in frame pixels.

    The pipeline replaces its tracks with the result, so no row is dropped: tracks that were not posed (not a
    person, too small, over ``max_people``, or a pose flag below ``threshold``) get NaN keypoints, which rules
    treat as "no keypoints". ``data["pose_score"]`` holds the pose flag (0 where the model did not run).
    Keypoint scores are MediaPipe's visibility. The result depends only on the frame and the tracks given.
    It declares that it enriches tracks with keypoints, so cameras whose rules need pose run it.
    """

    @classmethod
    def declare(cls, cfg: PoseDetectorConfig) -> Produces:
        return Produces(enriches_tracks=True, keypoints=True)

    def __init__(self, name: str, cfg: PoseDetectorConfig) -> None:
        self.name = name
        self.cfg = cfg
        self.produces = self.declare(cfg)
        self._model = OnnxModel(cfg.model_path or packaged_model(MODEL_FILE), cfg.runtime, name=name)
        self._model.expect(inputs=1, input_rank=4, what="BlazePose pose_landmark_full")
        if self._model.input.shape[1:] != (INPUT_SIZE, INPUT_SIZE, 3):
            raise ModelLoadError(
                f"model {self._model.path} of pose detector {name!r} has input shape {list(self._model.input.shape)}; "
                f"expected BlazePose pose_landmark_full (1x{INPUT_SIZE}x{INPUT_SIZE}x3)"
            )
        shapes = {o.shape[1:]: o.name for o in self._model.outputs}
        if (195,) not in shapes or (1,) not in shapes:
            raise ModelLoadError(
                f"model {self._model.path} of pose detector {name!r} lacks the BlazePose outputs [1,195] and [1,1]; "
                f"found {[list(o.shape) for o in self._model.outputs]}"
            )
        self._landmarks_output = [o.name for o in self._model.outputs].index(shapes[(195,)])
        self._flag_output = [o.name for o in self._model.outputs].index(shapes[(1,)])

    def analyze(self, frame: Frame, tracks: Detections, regions: Detections | None = None) -> Detections:
        """Keypoints for ``tracks``; fire/smoke ``regions`` do not matter to a pose."""
        return self.analyze_image(frame.image, tracks)

    def analyze_image(self, image: Image, tracks: Detections) -> Detections:
        keypoints = np.full((len(tracks), len(KEYPOINT_NAMES), 3), np.nan, np.float32)
        scores = np.zeros(len(tracks), np.float32)
        rows = select_people(tracks, self.cfg.max_people, self.cfg.min_person_height)
        if rows.size and image.ndim == 3 and image.shape[0] >= 2 and image.shape[1] >= 2:
            found, flags = self._pose(image, tracks.xyxy[rows])
            confirmed = flags >= self.cfg.threshold
            keypoints[rows[confirmed]] = found[confirmed]
            scores[rows] = flags
        return tracks.replace(keypoints=keypoints, data={**tracks.data, "pose_score": scores})

    def _pose(self, image: Image, boxes: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Landmarks (N x 33 x 3) and pose flags of the people in ``boxes``, upright crops tried where needed."""
        matrices = [crop_transform(box) for box in boxes]
        keypoints, flags = self._run(image, matrices)
        if self.cfg.upright_crops:
            retries = [(j, angle) for j in range(len(boxes)) for angle in _upright_angles(boxes[j], keypoints[j])]
            if retries:
                rotated = [crop_transform(boxes[j], angle) for j, angle in retries]
                new_keypoints, new_flags = self._run(image, rotated)
                for k, (j, _) in enumerate(retries):
                    if new_flags[k] > flags[j]:
                        keypoints[j], flags[j] = new_keypoints[k], new_flags[k]
        return np.stack(keypoints).astype(np.float32), flags

    def _run(self, image: Image, matrices: Sequence[npt.NDArray[np.float64]]) -> tuple[list[FloatArray], FloatArray]:
        batch = np.concatenate([crop_tensor(image, m) for m in matrices])
        outputs = self._model.run_batch({self._model.input.name: batch})
        raw, flags = outputs[self._landmarks_output], outputs[self._flag_output].reshape(-1)
        keypoints = [decode_landmarks(raw[i], m) for i, m in enumerate(matrices)]
        return keypoints, np.asarray(flags, np.float32).copy()

    def close(self) -> None:
        self._model.close()
