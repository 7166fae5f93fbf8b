"""Detector configuration: a discriminated union on ``type``, one class per detector kind.

Detectors are declared once, by name, at the top level (``detectors:``); cameras list the names
they use. Each kind owns its own fields here, as Frigate's detector plugins do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from gwanje.config.base import GwanjeModel


class RuntimeConfig(GwanjeModel):
    """How ONNX Runtime runs a model."""

    providers: list[str] = Field(
        default_factory=lambda: ["CPUExecutionProvider"],
        description="ONNX Runtime execution providers in order of preference, e.g. "
        "[CUDAExecutionProvider, CPUExecutionProvider]. Providers that are not installed are skipped with a warning.",
    )
    intra_op_threads: int = Field(
        default=1, ge=0, le=64, description="Threads per inference; 0 lets ONNX Runtime choose."
    )
    max_batch: int = Field(default=4, ge=1, le=64, description="Most frames of different cameras run in one call.")
    batch_wait_ms: float = Field(
        default=4.0,
        ge=0.0,
        le=100.0,
        description="How long the first queued frame waits for frames of other cameras to join its batch.",
    )


class FrameDetectorConfig(GwanjeModel):
    """What every detector that looks at whole frames (not at tracks) has."""

    every: int = Field(
        default=1,
        ge=1,
        le=30,
        description="Run the model on every Nth analysed frame of a camera (1: every one); in between, the camera "
        "reuses its last answer, as it does when the motion gate sees nothing new. The rules still see every "
        "analysed frame, so tests of change over time (flicker, drift, tracks) keep the camera's analysis_fps; a "
        "new region is found up to N-1 analysed frames later. Halves the model's cost per camera at 2.",
    )


class FireSmokeDetectorConfig(FrameDetectorConfig):
    """The shipped fire and smoke model."""

    type: Literal["fire_smoke"] = "fire_smoke"
    every: int = Field(
        default=2,
        ge=1,
        le=30,
        description="Run the model on every Nth analysed frame of a camera (default 2: 2.5 times a second at the "
        "default 5 analysed frames per second); in between, the camera reuses its last fire and smoke regions. "
        "The video rule still measures flicker and drift on every analysed frame, and flames found by colour "
        "and flicker need no model at all. Measured: the same fire alerts on real fire clips, half the model's "
        "cost (docs/benchmarks.md). 1 runs it on every analysed frame.",
    )
    model_path: Path | None = Field(default=None, description="ONNX file; default: the model shipped in the package.")
    fire_threshold: float = Field(
        default=0.513,
        ge=0.0,
        le=1.0,
        description="Cell probability that makes a fire region; the default is the shipped model's operating point "
        "(chosen on validation data, docs/models/fire-smoke.md). Region confidences map this value to 0.5.",
    )
    smoke_threshold: float = Field(
        default=0.913,
        ge=0.0,
        le=1.0,
        description="Cell probability that makes a smoke region; the default is the shipped model's operating point.",
    )
    video_fire_threshold: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Cell probability from which a fire region is reported as a candidate (confidence below 0.5) that "
        "the video rule raises only when it persists and flickers; default: half of fire_threshold. Set it to "
        "fire_threshold to report no candidates.",
    )
    fire_min_chroma: float = Field(
        default=12.0,
        ge=0.0,
        le=128.0,
        description="Colour a fire cell needs around it: the 90th percentile of the pixels' chroma (YCrCb distance "
        "from grey: 0 for grey, about 50-90 for flame orange) in the cell or a neighbour. Greyscale and near-IR "
        "frames have none, so they never give fire (smoke is not gated). 0 turns the gate off.",
    )
    ir_fire: bool = Field(
        default=False,
        description="For cameras that film in greyscale or near-IR: a colourless cell still gives fire where the "
        "model says fire and the cell holds blown-out bright pixels (hot = bright); the video rule still asks for "
        "flicker. Off by default: on grey footage bright lamps, sky and reflections look the same.",
    )
    runtime: RuntimeConfig = Field(default_factory=RuntimeConfig)


class PersonDetectorConfig(FrameDetectorConfig):
    """NanoDet-g person detector (COCO person class), tiled so that small, distant people are found."""

    type: Literal["person"] = "person"
    model_path: Path | None = Field(default=None, description="ONNX file; default: the model shipped in the package.")
    threshold: float = Field(default=0.4, ge=0.0, le=1.0)
    tiles: Literal["auto", "none"] = Field(
        default="auto",
        description="auto: overlapping square tiles on wide frames; none: one letterboxed call.",
    )
    tile_min_aspect: float = Field(
        default=1.5,
        ge=1.0,
        description="With tiles: auto, frames whose long side is at least this many times the short side are tiled "
        "(16:9 is 1.78, 4:3 is 1.33).",
    )
    full_frame: bool = Field(
        default=False,
        description="With tiles, also run the whole frame once, for near people taller than a tile (one more call).",
    )
    nms_iou: float = Field(default=0.5, ge=0.0, le=1.0, description="Boxes overlapping more than this are merged.")
    motion_tiles: bool = Field(
        default=True,
        description="With tiles: run only the tiles where the camera's motion gate saw motion and keep the last "
        "boxes of the still ones (every tile runs again at each motion keepalive).",
    )
    runtime: RuntimeConfig = Field(default_factory=RuntimeConfig)


class FightDetectorConfig(GwanjeModel):
    """The shipped clip-level fight / assault model, triggered by motion and people close together."""

    type: Literal["fight"] = "fight"
    model_path: Path | None = Field(default=None, description="ONNX file; default: the model shipped in the package.")
    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    window_s: float = Field(
        default=1.6,
        gt=0.2,
        le=4.0,
        description="Length of the analysed window of frames; the shipped model was trained with 1.6 s.",
    )
    trigger_changed_fraction: float = Field(
        default=0.005,
        ge=0.0,
        le=1.0,
        description="The model runs only when some frame pair of the window changed at least this fraction of "
        "pixels (cheap gate; quiet cameras then cost one frame difference per frame).",
    )
    require_people: bool = Field(
        default=False,
        description="Run the model only when two tracked people are within about a body height of each other "
        "(needs a person detector on the camera).",
    )
    max_gap_s: float = Field(
        default=1.0,
        gt=0.0,
        le=10.0,
        description="A longer gap between analysed frames restarts the window (frames skipped, stream reconnected).",
    )
    runtime: RuntimeConfig = Field(default_factory=RuntimeConfig)


class PoseDetectorConfig(GwanjeModel):
    """Pose on person crops, run only when a rule needs keypoints (fall, fight cues)."""

    type: Literal["pose"] = "pose"
    model_path: Path | None = Field(default=None, description="Model file; default: the model shipped in the package.")
    threshold: float = Field(
        default=0.2, ge=0.0, le=1.0, description="Pose flag (the model's confidence that a person is in the crop)."
    )
    max_people: int = Field(
        default=4, ge=1, le=64, description="Most people per frame given a pose (largest first); each costs one call."
    )
    min_person_height: float = Field(
        default=40.0, ge=1.0, description="People shorter than this many pixels get no pose (too small for landmarks)."
    )
    upright_crops: bool = Field(
        default=True,
        description="Also run lying people (box wider than tall) and clearly tilted ones on crops turned upright; "
        "up to 2 more calls for each such person.",
    )
    runtime: RuntimeConfig = Field(default_factory=RuntimeConfig)


class OnnxObjectDetectorConfig(FrameDetectorConfig):
    """Your own ONNX object detector, as Frigate users plug in theirs."""

    type: Literal["onnx"] = "onnx"
    model_path: Path = Field(description="Path of the .onnx file.")
    format: Literal["yolo", "ssd"] = Field(
        description="yolo: one output [1, 4+C, N] or [1, N, 4+C] (YOLOv5 with objectness [1, N, 5+C] too), "
        "boxes as centre x, y, w, h in input pixels; ssd: outputs boxes [1, N, 4] (y1, x1, y2, x2, relative) and "
        "scores/classes, or one [1, N, 7] (batch, class, score, x1, y1, x2, y2)."
    )
    labels: list[str] = Field(description="Class names in the model's class order.")
    input_size: tuple[int, int] = Field(default=(640, 640), description="(width, height) of the model input.")
    input_format: Literal["rgb", "bgr"] = "rgb"
    input_scale: float = Field(default=1 / 255.0, gt=0, description="Pixel values are multiplied by this.")
    letterbox: bool = True
    threshold: float = Field(default=0.4, ge=0.0, le=1.0)
    nms_iou: float = Field(default=0.5, ge=0.0, le=1.0)
    ssd_box_order: Literal["yxyx", "xyxy"] = Field(
        default="yxyx",
        description="ssd: corner order of the boxes output (TensorFlow exports: yxyx; torchvision, OpenVINO: xyxy). "
        "The [1, N, 7] layout is always x1, y1, x2, y2.",
    )
    ssd_relative: bool = Field(
        default=True, description="ssd: box coordinates are relative (0..1) to the input; false: input pixels."
    )
    max_detections: int = Field(default=300, ge=1, le=10000, description="Most boxes kept per frame after NMS.")
    watch: list[str] = Field(default_factory=list, description="Labels that raise an 'object' event; empty: none.")
    runtime: RuntimeConfig = Field(default_factory=RuntimeConfig)


DetectorConfig = Annotated[
    FireSmokeDetectorConfig
    | PersonDetectorConfig
    | FightDetectorConfig
    | PoseDetectorConfig
    | OnnxObjectDetectorConfig,
    Field(discriminator="type"),
]


def default_detectors() -> dict[str, DetectorConfig]:
    """The detectors a config gets when it declares none."""
    return {
        "fire_smoke": FireSmokeDetectorConfig(),
        "person": PersonDetectorConfig(),
        "fight": FightDetectorConfig(),
        "pose": PoseDetectorConfig(),
    }
