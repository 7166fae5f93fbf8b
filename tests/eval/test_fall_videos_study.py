"""`gwanje study fall-videos INDEX` scores the shipped fall rule on a labelled video list: a drawn collapse is found
within the issue's 5 s of coming to rest, and the same scene cut before the fall is a daily-activity clip with none."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gwanje.cli.main import main
from gwanje.eval.studies.fall_videos import UPFALL_TIMES
from tests.support.collapse import CollapseScene
from tests.support.media import write_clip


@pytest.mark.slow
def test_a_drawn_collapse_is_found_and_the_walk_before_it_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = CollapseScene(fps=10)
    write_clip(tmp_path / "fall.mp4", scene.frames(scene.down_s() + 6.0), fps=10)
    write_clip(tmp_path / "walk.mp4", scene.frames(scene.collapse_s - 0.5), fps=10)
    index = tmp_path / "index.csv"
    index.write_text(
        f"path,label,fall_start_s,fall_end_s\nfall.mp4,fall,{scene.collapse_s},{scene.down_s()}\nwalk.mp4,adl,,\n"
    )
    assert main(["--log-level", "WARNING", "study", "fall-videos", str(index)]) == 0
    out = capsys.readouterr().out
    assert "falls found 1/1" in out
    assert "daily-activity clips with a fall alert 0/1 []" in out
    delay = float(out.split("at rest: median ")[1].split(" s")[0])
    assert 0.0 <= delay <= 5.0


def test_the_committed_up_fall_times_are_complete_and_in_order() -> None:
    """The project's own reading of UP-Fall subject 1 (times only): 30 falls and 36 daily activities on two cameras,
    each fall starting before it comes to rest, both cameras of a trial read alike."""
    rows = list(csv.DictReader(UPFALL_TIMES.open(newline="")))
    assert [r["label"] for r in rows].count("fall") == 30 and [r["label"] for r in rows].count("adl") == 36
    assert {r["scene"] for r in rows} == {"C1", "C2"}
    times = {}
    for row in rows:
        if row["label"] == "fall":
            start, rest = float(row["fall_start_s"]), float(row["fall_end_s"])
            assert 0.0 <= start < rest, row
            times.setdefault(row["path"].rsplit("_", 1)[0], set()).add((start, rest))
    assert all(len(t) == 1 for t in times.values())
