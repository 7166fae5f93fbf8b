"""`gwanje study`: the studies behind the people cards are commands, and say what to set when data is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from gwanje.cli.main import main
from gwanje.cli.study import STUDIES
from gwanje.config.datasets import DATASETS_ENV


def test_the_people_studies_are_registered() -> None:
    assert {"person", "falls", "zones", "crowding"} <= set(STUDIES)


def test_the_fall_oracle_needs_no_video_and_prints_the_card_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--log-level", "WARNING", "study", "falls", "oracle"]) == 0
    out = capsys.readouterr().out
    assert "falls found 1/9; on-ground boxes seen as down 17/21" in out
    assert "falls found 5/9; on-ground boxes seen as down 17/21" in out


@pytest.mark.parametrize("argv", [["zones"], ["crowding"], ["falls", "scores"], ["person", "eval"]])
def test_a_study_without_its_dataset_says_what_to_set(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(DATASETS_ENV, str(tmp_path))
    assert main(["--log-level", "WARNING", "study", *argv]) == 2
    err = capsys.readouterr().err
    assert DATASETS_ENV in err
    assert "not found" in err
