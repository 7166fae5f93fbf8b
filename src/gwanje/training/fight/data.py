"""Fight clips -> windows of motion features, from the frames the service would analyse.

Clips in the data directory are listed in ``labels.csv`` (columns ``path``, ``label`` = fight /
no_fight, ``source_video``). Each clip is decoded once through ingest (``decoded_frames``: the
decoder a camera pointed at the file would use) to small grey frames; for each sampler phase the
frames a camera analysing at ``fps`` keeps are picked by ingest's decimator (``analysed``), frame
pairs become ``MotionStep``s and every run of ``window_frames`` frames becomes one sample.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from gwanje.detect.fight_features import (
    WINDOW_DIM,
    Grey,
    MotionStep,
    motion_step,
    prepare,
    window_features,
    window_frame_count,
)
from gwanje.ingest.files import analysed, decoded_frames

FloatArray = npt.NDArray[np.float32]
LABELS = {"fight": 1, "no_fight": 0}


@dataclass(frozen=True, slots=True)
class GreyFrame:
    """A decoded frame prepared for the fight features, with its media time."""

    grey: Grey
    pts_s: float


@dataclass(frozen=True)
class Clip:
    path: Path
    label: int
    group: str
    frames: list[GreyFrame]
    """Every decoded frame; the sampler phases pick from these."""


@dataclass(frozen=True)
class WindowSet:
    """Samples of many clips; ``clip`` indexes the clip, ``end_index`` the window's last frame at that rate."""

    x: FloatArray
    y: npt.NDArray[np.int64]
    clip: npt.NDArray[np.int64]
    phase: npt.NDArray[np.int64]
    end_index: npt.NDArray[np.int64]
    changed: FloatArray
    """Largest changed-pixel fraction of a frame pair in the window (what the run-time trigger compares)."""

    def select(self, mask: npt.NDArray[np.bool_]) -> WindowSet:
        return WindowSet(
            self.x[mask], self.y[mask], self.clip[mask], self.phase[mask], self.end_index[mask], self.changed[mask]
        )

    def gated(self, scores: npt.NDArray[np.float64], min_changed_fraction: float) -> npt.NDArray[np.float64]:
        """Scores with the windows below the trigger set to 0, as the analyzer never scores them."""
        return np.where(self.changed >= min_changed_fraction, scores, 0.0)


def read_labels(data_dir: Path) -> list[tuple[Path, int, str]]:
    """(clip path, 1 for fight / 0 for no_fight, source video) for every row of ``labels.csv``."""
    labels_path = data_dir / "labels.csv"
    if not labels_path.is_file():
        raise FileNotFoundError(f"{labels_path} not found: the fight data directory needs a labels.csv")
    rows: list[tuple[Path, int, str]] = []
    with labels_path.open(newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                label = LABELS[row["label"]]
                rows.append((data_dir / row["path"], label, row["source_video"]))
            except KeyError as exc:
                raise ValueError(
                    f"{labels_path}:{line}: needs columns path, label (fight/no_fight), source_video; problem: {exc}"
                ) from exc
    return rows


def decode_clip(path: Path) -> list[GreyFrame]:
    """Every frame of a video file as ingest decodes it, prepared once so that several phases can be sampled."""
    frames = [GreyFrame(prepare(f.image), f.pts_s) for f in decoded_frames(path)]
    if len(frames) < 3:
        raise ValueError(f"{path}: fewer than 3 decodable video frames")
    return frames


def load_clips(data_dir: Path, groups: Collection[str] | None = None) -> list[Clip]:
    """The clips of ``labels.csv``, decoded (only those of the source videos in ``groups`` when given)."""
    return [
        Clip(path, label, group, decode_clip(path))
        for path, label, group in read_labels(data_dir)
        if groups is None or group in groups
    ]


def clip_steps(clip: Clip, fps: float, phase_s: float) -> list[MotionStep]:
    """Motion between the frames analysed at ``fps`` when the analysis joins ``phase_s`` into the clip."""
    kept = list(analysed(clip.frames, fps, phase_s))
    return [motion_step(a.grey, b.grey, b.pts_s - a.pts_s) for a, b in itertools.pairwise(kept)]


def windows_of_steps(steps: Sequence[MotionStep], window_frames: int) -> Iterable[tuple[int, FloatArray, float]]:
    """(index of the window's last frame, features, largest changed fraction) for every full window."""
    pairs = window_frames - 1
    for end in range(pairs, len(steps) + 1):
        window = steps[end - pairs : end]
        yield end, window_features(window), max(s.changed_fraction for s in window)


def build_windows(clips: Sequence[Clip], fps: float, window_s: float, phases: int) -> WindowSet:
    """Every full window of every clip, for ``phases`` evenly spaced sampler phases."""
    window_frames = window_frame_count(window_s, fps)
    xs: list[FloatArray] = []
    meta: list[tuple[int, int, int, int]] = []
    changed: list[float] = []
    for ci, clip in enumerate(clips):
        for p in range(phases):
            steps = clip_steps(clip, fps, p / (phases * fps))
            for end, x, most_changed in windows_of_steps(steps, window_frames):
                xs.append(x)
                changed.append(most_changed)
                meta.append((clip.label, ci, p, end))
    x = np.stack(xs) if xs else np.zeros((0, WINDOW_DIM), np.float32)
    m = np.asarray(meta, np.int64).reshape(-1, 4)
    return WindowSet(x.astype(np.float32), m[:, 0], m[:, 1], m[:, 2], m[:, 3], np.asarray(changed, np.float32))
