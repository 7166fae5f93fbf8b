"""`gwanje bench clip-mask` masks a generated clip with the shipped detector and prints what it cost."""

from __future__ import annotations

import pytest

from gwanje.cli.main import main


def test_bench_clip_mask_prints_the_cost(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "clip-mask", "--seconds", "0.5", "--fps", "10"]) == 0
    out = capsys.readouterr().out
    assert "clip masking: 5 frames (0 s at 10 fps, 640x360) in " in out and "ms a frame" in out
