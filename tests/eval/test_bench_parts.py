"""`gwanje bench PART` runs each part end to end on tiny inputs; what they print is checked, never how fast it was."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gwanje.cli.main import main
from gwanje.detect.person import MODEL_FILE
from gwanje.eval.bench_cameras import Playback, cameras
from tests.support.media import moving_box_frames, write_clip


@pytest.mark.slow
def test_bench_ingest_reports_every_decode_way(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "ingest", "--seconds", "1", "--width", "160", "--height", "96", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    for stage in ("decode (PyAV, 1 thread)", "decode + convert to BGR numpy", "open_source iteration"):
        assert re.search(re.escape(stage) + r".*\d+\.\d\d\s+\d+\.\d\d\s+\d+", out), stage
    assert "motion gate per analysed frame, p95" in out


@pytest.mark.slow
def test_bench_inference_goes_through_the_worker(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "inference", "--cameras", "2", "--frames", "2"]) == 0
    out = capsys.readouterr().out
    assert f"model {MODEL_FILE}" in out
    worker = re.search(r"worker, 2 camera threads: .* mean batch (\d+\.\d+), rejected (\d+)", out)
    assert worker is not None
    assert 1.0 <= float(worker.group(1)) <= 2.0
    assert worker.group(2) == "0"


@pytest.mark.slow
def test_bench_clip_buffer_finishes_a_clip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = write_clip(tmp_path / "cctv.mp4", moving_box_frames(18 * 10, width=160, height=96), fps=10)
    assert main(["bench", "clip-buffer", str(video), "--width", "160"]) == 0
    out = capsys.readouterr().out
    peak = re.search(r"ring buffer peak: [\d.]+ MB JPEG data in (\d+) frames", out)
    assert peak is not None
    assert int(peak.group(1)) == 51  # pre_s 5 s at the clip's 10 fps, both ends kept (docs/events.md)
    assert re.search(r"clip: [\d.]+ MB MP4", out)


def test_bench_clip_buffer_says_when_the_video_is_too_short(tmp_path: Path) -> None:
    video = write_clip(tmp_path / "short.mp4", moving_box_frames(20, width=160, height=96), fps=10)
    assert main(["bench", "clip-buffer", str(video), "--width", "160"]) == 2


@pytest.mark.slow
def test_bench_out_writes_the_camera_counts_and_the_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench"
    args = ["bench", "--out", str(out), "--width", "160", "--height", "96", "--warmup", "0.5", "--window", "1"]
    assert main([*args, "--max-cameras", "2", "--seconds", "1"]) == 0
    report = json.loads((out / "bench.json").read_text())
    decode, pipeline = report["decode_only"]["cameras"], report["pipeline"]["cameras"]
    assert 0 <= pipeline <= 2 and 0 <= decode <= 2
    assert report["decode_only"]["at_limit"] == (decode == 2)
    assert report["ratio"] == (round(pipeline / decode, 3) if decode else None)
    assert [t["cameras"] for t in report["decode_only"]["trials"]][:2] == [1, 2] or decode == 0
    assert report["pipeline"]["cpu_percent_per_camera"] is None or report["pipeline"]["cpu_percent_per_camera"] > 0
    assert report["peak_rss_mb"] > 0
    assert "onset_to_alert_s" in report
    assert any(stage.startswith("pipeline with motion gate") for stage in report["stage_ms"])
    assert (out / "cameras_vs_cpu.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    captured = capsys.readouterr()
    assert re.search(r"\[bench\] decode_only: 1 cameras -> (NOT )?sustained \(dropped", captured.err)
    assert "wrote" in captured.out


@pytest.mark.slow
def test_bench_clip_buffer_measures_the_packet_clips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = write_clip(tmp_path / "cam.mp4", moving_box_frames(25 * 28, width=160, height=96), fps=25, gop=50)
    assert main(["bench", "clip-buffer", str(video), "--mode", "packets"]) == 0
    out = capsys.readouterr().out
    held = re.search(r"ring buffer peak: [\d.]+ MB of packets \((\d+) packets\)", out)
    assert held is not None
    # pre_s 5 s + 3 s of margin + up to one 2-s group of pictures, at 25 fps
    assert 8 * 25 <= int(held.group(1)) <= 10 * 25 + 1
    assert re.search(r"push_packets\(\): [\d.]+ ms per decoded frame", out)


def test_bench_substream_cameras_analyse_the_sub_stream_and_record_the_main_one(tmp_path: Path) -> None:
    play = Playback([Path("main.mp4")], 25, 5, ["fire_smoke"], sub_files=[Path("sub.mp4")])
    analysed = cameras(play, 2, ["fire_smoke"])
    assert [(c.source.url, c.source.record_url) for c in analysed] == [("sub.mp4", "main.mp4")] * 2
    decoded_only = cameras(play, 2, [], analysed=False)
    assert [(c.source.url, c.source.record_url) for c in decoded_only] == [("main.mp4", None)] * 2
    with pytest.raises(SystemExit, match="WIDTHxHEIGHT"):
        main(["bench", "--out", str(tmp_path / "out"), "--substream", "640"])
    with pytest.raises(SystemExit, match="does not go with --files"):
        main(["bench", "--out", str(tmp_path / "out"), "--substream", "640x360", "--files", "a.mp4"])
    assert not (tmp_path / "out").exists(), "refused before anything is written"
