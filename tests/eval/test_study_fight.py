"""`gwanje study fight` runs the service's pipeline: the same events as `gwanje analyze` on a generated fight clip."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from gwanje.cli.main import main
from gwanje.eval.metrics import confusion
from gwanje.eval.studies.fight import FightRig, held_out_videos, item_result, read_clips
from gwanje.runtime.analyze import FileAnalyzer
from tests.detect.fight_scenes import calm_frames, scuffle_frames, write_dataset
from tests.support.media import write_clip

FPS = 10


@pytest.fixture(scope="module")
def scuffle_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """People walking calmly for 2 s, then scuffling for 3 s (the shipped model raises a fight on it)."""
    frames = itertools.chain(calm_frames(2 * FPS, FPS, seed=1), scuffle_frames(3 * FPS, FPS, seed=1))
    return write_clip(tmp_path_factory.mktemp("fight") / "scuffle.mp4", frames, fps=FPS)


@pytest.mark.slow
def test_study_gives_the_events_gwanje_analyze_gives(scuffle_clip: Path) -> None:
    rig = FightRig(person_detector=True)
    try:
        run = rig.run(scuffle_clip)
        analysis = FileAnalyzer(rig.app, rig.camera, rig.detectors).run(scuffle_clip)
    finally:
        rig.close()
    assert run.alerts, "the scuffle raises a fight event"
    assert [(a.event_type, a.alert_s, a.start_s) for a in run.alerts] == [
        (e.type, e.alert_s, e.start_s) for e in analysis.events
    ]
    assert run.frames == analysis.frames
    assert run.duration_s == pytest.approx(analysis.duration_s)
    # the fight starts after 2 s of calm walking; the window needs 1.4 s of frames before its first score
    assert run.alerts[0].alert_s >= 2.0
    assert 0 < run.fight_frames <= run.frames
    assert all(0.0 < share <= 1.0 for share in run.box_shares)
    result = item_result(0, scuffle_clip, True, run)
    assert confusion([result], "fight").tp == 1


def test_clips_come_from_labels_and_the_shipped_holdout_list(tmp_path: Path) -> None:
    (tmp_path / "labels.csv").write_text("path,label,source_video\nfight/a.mp4,fight,v1\nno_fight/b.mp4,no_fight,v2\n")
    clips = read_clips(tmp_path)
    assert [(c.path.name, c.fight, c.source_video) for c in clips] == [("a.mp4", True, "v1"), ("b.mp4", False, "v2")]
    held = held_out_videos()
    assert len(held) == 6  # the card: 6 of the 33 source videos are held out


@pytest.mark.slow
def test_normal_mode_counts_frames_and_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_dataset(tmp_path / "akti", videos=1, clips_per_video=1, fps=FPS)
    assert main(["study", "fight", "normal", "--data", str(data / "no_fight")]) == 0
    out = capsys.readouterr().out
    frames = re.search(r"frames (\d+), frames with a fight detection (\d+)", out)
    assert frames is not None
    assert int(frames.group(1)) == 10  # a 2-s clip sampled at the default 5 fps
    assert "fight events 0 in 2 s" in out
