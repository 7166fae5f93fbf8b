"""`gwanje bench head-mask` times pose heads with the shipped model and the estimated cover, and prints both."""

from __future__ import annotations

import pytest

from gwanje.cli.main import main


def test_bench_head_mask_prints_the_costs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "head-mask", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    for people in (1, 2, 4, 8):
        assert f"pose heads: {people} people in " in out
    assert "estimated head cover: " in out and "ms a person over the pixelation" in out
