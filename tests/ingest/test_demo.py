"""The generated demo scene: deterministic, moving, and with a fire that appears and goes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gwanje.config.camera import SourceConfig
from gwanje.core.errors import SourceFormatError
from gwanje.core.frame import Image
from gwanje.ingest import iter_file_frames, open_source, probe_duration
from gwanje.ingest.demo import DemoScene, DemoSettings
from gwanje.ingest.demo_clip import main


def _fire_pixels(img: Image) -> int:
    """Bright, saturated orange/yellow pixels (red > green > blue, red high)."""
    b, g, r = (img[..., i].astype(np.int16) for i in range(3))
    return int(((r > 200) & (g > 80) & (r - b > 90) & (g > b)).sum())


def test_same_seed_same_frames_other_seed_other_scene() -> None:
    a, b = DemoScene(DemoSettings(seed=5)), DemoScene(DemoSettings(seed=5))
    assert np.array_equal(a.render(321), b.render(321))
    assert not np.array_equal(a.render(321), DemoScene(DemoSettings(seed=6)).render(321))


def test_fire_and_smoke_appear_during_the_fire_window_only() -> None:
    settings = DemoSettings(seed=2, fps=15, fire_start_s=10, fire_period_s=40, fire_duration_s=15)
    scene = DemoScene(settings)
    quiet = scene.render(5 * 15)
    burning = scene.render(18 * 15)
    assert scene.fire_time(5) is None and scene.fire_time(18) == pytest.approx(8.0)
    assert _fire_pixels(quiet) < 20
    assert _fire_pixels(burning) > 1500
    # The flame flickers: frames a quarter second apart differ in the fire area far more than elsewhere.
    later = scene.render((18 * 15) + 4)
    change = np.abs(later.astype(np.int16) - burning.astype(np.int16))
    assert change[100:232, 420:520].mean() > 3 * change[0:80, 0:200].mean()
    # A grey plume covers the wall above the fire: a change there, without the colour of the flame.
    above = np.abs(burning[0:70, 380:560].astype(np.int16) - quiet[0:70, 380:560].astype(np.int16))
    assert above.mean() > 5 and _fire_pixels(burning[0:70, 380:560]) == 0
    assert scene.fire_time(10 + 40 + 1) == pytest.approx(1.0)  # and it comes back every period


def test_the_walker_moves() -> None:
    scene = DemoScene(DemoSettings(seed=1))
    diff = np.abs(scene.render(0).astype(np.int16) - scene.render(15).astype(np.int16)).max(axis=2)
    assert (diff > 60).sum() > 200  # more than sensor noise: a person-sized change


def test_demo_url_settings_and_errors() -> None:
    with open_source(SourceConfig(url="demo:?seed=9&fps=10")) as source:
        assert source.paced and not source.finite
        first = next(iter(source))
        assert first.image.shape == (360, 640, 3) and first.pts_s == 0.0
    with pytest.raises(SourceFormatError, match="unknown demo setting 'colour'"):
        open_source(SourceConfig(url="demo:?colour=red"))
    with pytest.raises(SourceFormatError, match="not a number"):
        open_source(SourceConfig(url="demo:?fps=fast"))


def test_demo_clip_file_decodes_to_the_rendered_scene(tmp_path: Path) -> None:
    out = tmp_path / "demo.mp4"
    assert main([str(out), "--seconds", "1", "--seed", "4", "--fire-start", "0.2"]) == 0
    frames = list(iter_file_frames(out, analysis_fps=15))
    assert len(frames) == 15 and frames[0].image.shape == (360, 640, 3)
    expected = DemoScene(DemoSettings(seed=4, fire_start_s=0.2)).render(10)
    error = np.abs(frames[10].image.astype(np.int16) - expected.astype(np.int16)).mean()
    assert error < 8  # the same picture, give or take H.264 losses
    assert probe_duration(out) == pytest.approx(1.0, abs=0.1)
