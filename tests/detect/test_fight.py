"""FightAnalyzer with the shipped model: per-camera windows, trigger, box, odd input, reference outputs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import av
import numpy as np
import pytest

from gwanje.config.detectors import FightDetectorConfig
from gwanje.core.detections import Detections
from gwanje.core.errors import ModelLoadError
from gwanje.core.frame import Frame
from gwanje.detect.base import TrackAnalyzer
from gwanje.detect.fight import FightAnalyzer
from gwanje.detect.fight_features import FEATURE_VERSION, WINDOW_DIM
from gwanje.detect.onnx_session import packaged_model
from tests.detect.fight_scenes import calm_frames, flame_frames, scuffle_frames
from tests.support.media import static_frames, write_clip

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "fight_reference.npz"
FPS = 5.0


def _frames(
    images: Iterable[np.ndarray], camera: str = "cam", fps: float = FPS, start: float = 0.0, segment: int = 0
) -> list[Frame]:
    return [Frame(camera, i, start + i / fps, 1e9 + start + i / fps, img, segment) for i, img in enumerate(images)]


def _run(
    analyzer: FightAnalyzer,
    frames: Iterable[Frame],
    tracks: Detections | None = None,
    regions: Detections | None = None,
) -> list[Detections]:
    return [analyzer.analyze(f, tracks if tracks is not None else Detections.empty(), regions) for f in frames]


@pytest.fixture
def analyzer() -> Iterable[FightAnalyzer]:
    a = FightAnalyzer("fight", FightDetectorConfig())
    yield a
    a.close()


@pytest.fixture
def eager() -> Iterable[FightAnalyzer]:
    """Reports every scored window (threshold 0, no trigger), to see when and where it scores."""
    a = FightAnalyzer("fight", FightDetectorConfig(threshold=0.0, trigger_changed_fraction=0.0))
    yield a
    a.close()


def test_is_a_track_analyzer(analyzer: FightAnalyzer) -> None:
    assert isinstance(analyzer, TrackAnalyzer)
    assert analyzer.produces.regions == {"fight"} and not analyzer.produces.enriches_tracks


def test_shipped_model_reproduces_the_committed_reference_outputs(analyzer: FightAnalyzer) -> None:
    ref = np.load(REFERENCE)
    assert ref["features"].shape[1] == WINDOW_DIM
    assert int(ref["feature_version"]) == FEATURE_VERSION
    np.testing.assert_allclose(analyzer.score(ref["features"]), ref["scores"], atol=1e-5)


def test_quiet_dark_and_uniform_frames_never_score(analyzer: FightAnalyzer) -> None:
    images = list(static_frames(12, value=0)) + list(static_frames(12, value=200))
    assert all(len(d) == 0 for d in _run(analyzer, _frames(images)))


def test_no_window_scores_before_the_window_is_full(eager: FightAnalyzer) -> None:
    results = _run(eager, _frames(scuffle_frames(12, FPS, seed=3)))
    first = next(i for i, d in enumerate(results) if len(d))
    # 1.6 s at 5 fps = 8 frames: the first full window ends on the 8th frame (index 7)
    assert first == 7
    assert all(len(d) == 1 for d in results[first:])


def test_detection_is_labelled_fight_with_a_box_inside_the_frame(eager: FightAnalyzer) -> None:
    (last,) = [d for d in _run(eager, _frames(scuffle_frames(10, FPS, seed=4))) if len(d)][-1:]
    assert last.label.tolist() == ["fight"]
    assert 0.0 <= float(last.confidence[0]) <= 1.0
    x1, y1, x2, y2 = last.xyxy[0]
    assert 0 <= x1 < x2 <= 320 and 0 <= y1 < y2 <= 180
    assert (x2 - x1) * (y2 - y1) < 0.5 * 320 * 180, "the box covers the scuffle, not the whole frame"


def test_the_box_covers_the_window_motion_when_the_last_pair_is_still(eager: FightAnalyzer) -> None:
    """The evidence box spans the fast motion of the whole window: a last frame pair with nothing fast in it (a
    pause between blows) must not turn the box into the whole frame."""
    images = list(scuffle_frames(9, FPS, seed=4))
    images.append(images[-1].copy())  # the last pair does not move
    (last,) = [d for d in _run(eager, _frames(images)) if len(d)][-1:]
    x1, y1, x2, y2 = last.xyxy[0]
    assert (x2 - x1) * (y2 - y1) < 0.5 * 320 * 180, "the box covers the scuffle, not the whole frame"


def test_scuffle_scores_higher_than_calm_walking(eager: FightAnalyzer) -> None:
    scuffle = [float(d.confidence[0]) for d in _run(eager, _frames(scuffle_frames(15, FPS, 5), "a")) if len(d)]
    calm = [float(d.confidence[0]) for d in _run(eager, _frames(calm_frames(15, FPS, 5), "b")) if len(d)]
    assert np.mean(scuffle) > np.mean(calm)


def test_cameras_keep_separate_windows(eager: FightAnalyzer) -> None:
    a = _frames(scuffle_frames(9, FPS, 6), "a")
    b = _frames(scuffle_frames(9, FPS, 7), "b")
    results = [eager.analyze(f, Detections.empty()) for pair in zip(a, b, strict=True) for f in pair]
    # interleaving does not mix windows: each camera reaches a full window on its own 8th frame
    assert [len(d) for d in results[:14]] == [0] * 14
    assert len(results[14]) == 1 and len(results[15]) == 1


def test_a_gap_or_a_new_frame_size_restarts_the_window(eager: FightAnalyzer) -> None:
    frames = _frames(scuffle_frames(8, FPS, 8))
    assert len(_run(eager, frames)[-1]) == 1
    after_gap = _frames(scuffle_frames(3, FPS, 9), start=frames[-1].pts_s + 5.0)
    assert all(len(d) == 0 for d in _run(eager, after_gap))
    small = _frames((img[:90, :160].copy() for img in scuffle_frames(3, FPS, 10)), start=after_gap[-1].pts_s + 0.2)
    assert all(len(d) == 0 for d in _run(eager, small))


def test_a_new_stream_segment_restarts_the_window(eager: FightAnalyzer) -> None:
    frames = _frames(scuffle_frames(11, FPS, 8))
    assert len(_run(eager, frames[:8])[-1]) == 1
    same = _run(eager, frames[8:])  # the stream goes on: the full window keeps scoring
    assert all(len(d) == 1 for d in same)
    broken = _frames(scuffle_frames(3, FPS, 8), start=frames[-1].pts_s + 1 / FPS, segment=1)
    assert all(len(d) == 0 for d in _run(eager, broken))  # reconnected: the window fills again first


def test_people_requirement_and_people_box() -> None:
    a = FightAnalyzer("fight", FightDetectorConfig(threshold=0.0, trigger_changed_fraction=0.0, require_people=True))
    try:
        one = Detections.from_arrays([[100, 40, 130, 110]], [0.9], "person")
        assert all(len(d) == 0 for d in _run(a, _frames(scuffle_frames(10, FPS, 11), "one"), one))
        two = Detections.from_arrays([[0, 0, 320, 180], [10, 10, 330, 190]], [0.9, 0.8], "person")
        results = _run(a, _frames(scuffle_frames(10, FPS, 11), "two"), two)
        boxes = [d.xyxy[0].tolist() for d in results if len(d)]
        assert boxes and boxes[-1] == [0.0, 0.0, 330.0, 190.0]
    finally:
        a.close()


@pytest.mark.parametrize("seed", [1, 3])
def test_a_flickering_fire_is_a_fight_only_outside_fire_and_smoke_boxes(analyzer: FightAnalyzer, seed: int) -> None:
    images, flame = flame_frames(15, FPS, seed)

    def scores(camera: str, regions: Detections | None) -> list[float]:
        results = _run(analyzer, _frames(images, camera), regions=regions)
        return [float(d.confidence[0]) if len(d) else 0.0 for d in results]

    alone = scores("none", None)
    assert sum(s >= 0.5 for s in alone) >= 4, "the flame alone scores as a fight: the failure being fixed"
    assert not any(scores("fire", Detections.from_arrays([flame], [0.7], "fire")))
    assert not any(scores("smoke", Detections.from_arrays([flame], [0.7], "smoke")))
    # the same motion outside the region, or a box that is no fire/smoke region, still counts
    assert scores("elsewhere", Detections.from_arrays([[6, 9, 96, 90]], [0.7], "fire")) == pytest.approx(
        alone, abs=1e-3
    )
    assert scores("person", Detections.from_arrays([flame], [0.7], "person")) == pytest.approx(alone, abs=1e-6)


def test_a_pair_is_masked_with_the_regions_of_both_its_frames(eager: FightAnalyzer) -> None:
    images, flame = flame_frames(12, FPS, seed=1)
    fire = Detections.from_arrays([flame], [0.7], "fire")
    always = _run(eager, _frames(images, "always"), regions=fire)
    # the fire detector finds the flame only on every other frame (as when its box flickers or jumps)
    alternate = [
        eager.analyze(f, Detections.empty(), fire if i % 2 else Detections.empty())
        for i, f in enumerate(_frames(images, "alternate"))
    ]
    scored = [(a, b) for a, b in zip(always, alternate, strict=True) if len(a)]
    assert scored and all(float(a.confidence[0]) == float(b.confidence[0]) for a, b in scored)


def test_decoded_clip_through_the_per_frame_api(tmp_path: Path, analyzer: FightAnalyzer) -> None:
    path = write_clip(tmp_path / "calm.mp4", calm_frames(50, 25, seed=12), fps=25)
    frames = []
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i % 5 == 0:  # 25 fps file analysed at 5 fps
                frames.append(frame.to_ndarray(format="bgr24"))
    results = _run(analyzer, _frames(frames))
    assert len(results) == 10
    assert all(len(d) in (0, 1) for d in results)


def test_missing_model_or_a_model_for_other_features_is_refused(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    with pytest.raises(ModelLoadError, match="not found"):
        FightAnalyzer("fight", FightDetectorConfig(model_path=tmp_path / "missing.onnx"))
    model = onnx.load(str(packaged_model("fight.onnx")))
    for prop in model.metadata_props:
        if prop.key == "feature_version":
            prop.value = str(FEATURE_VERSION + 100)
    old = tmp_path / "old.onnx"
    onnx.save(model, str(old))
    with pytest.raises(ModelLoadError, match="retrain"):
        FightAnalyzer("fight", FightDetectorConfig(model_path=old))
