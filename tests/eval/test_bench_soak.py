"""`gwanje bench soak`: the growth verdict on made-up series, and a short real run, clean and with a leak injected
through the sampling hook (a parameter of ``run``; no product code is patched)."""

from __future__ import annotations

import argparse
import json
import mmap
import os
import threading
from pathlib import Path
from typing import IO

import pytest

from gwanje.eval import bench_soak
from gwanje.eval.soak_growth import Sample, Tolerance, TooFewSamples, judge


def _series(rss: list[float], fds: list[int], threads: list[int]) -> list[Sample]:
    return [
        Sample(
            t_s=float(i + 1),
            camera_hours=(i + 1) * 0.01,
            video_hours_decoded=(i + 1) * 0.1,
            rss_mb=r,
            fds=f,
            threads=t,
            db_bytes=0,
            events=0,
            outbox=0,
            outbox_pending=0,
            media_bytes=0,
            frames_skipped=0,
        )
        for i, (r, f, t) in enumerate(zip(rss, fds, threads, strict=True))
    ]


def _verdicts(samples: list[Sample]) -> dict[str, bool]:
    return {g.resource: g.grows for g in judge(samples, Tolerance())}


def test_noise_and_transient_handles_are_flat() -> None:
    rss = [400.0 + (3.0 if i % 3 == 0 else -2.0) for i in range(40)]
    fds = [20 + (4 if i % 7 == 0 else 0) for i in range(40)]  # a clip file open now and then
    threads = [30 + (12 if i % 5 == 0 else 0) for i in range(40)]  # encoder threads come and go
    assert _verdicts(_series(rss, fds, threads)) == {"rss_mb": False, "fds": False, "threads": False}


def test_steady_growth_of_each_resource_fails() -> None:
    rss = [400.0 + 2.0 * i for i in range(40)]  # 80 MB over the run: more than 5 % and more than 20 MB
    fds = [20 + i // 4 for i in range(40)]
    threads = [30 + i // 8 for i in range(40)]
    assert _verdicts(_series(rss, fds, threads)) == {"rss_mb": True, "fds": True, "threads": True}


def test_growth_only_during_warm_up_is_not_a_leak() -> None:
    rss = [300.0 + 10.0 * min(i, 15) for i in range(40)]  # fills during the first half, then stays
    fds = [10 + min(i, 15) for i in range(40)]
    assert _verdicts(_series(rss, fds, [30] * 40)) == {"rss_mb": False, "fds": False, "threads": False}


def test_too_few_samples_are_refused() -> None:
    with pytest.raises(TooFewSamples):
        judge(_series([1.0] * 4, [1] * 4, [1] * 4), Tolerance())


class Leak:
    """Each sample: 8 MB kept, a file left open and a thread left waiting (a test-only hook, given to ``run``).

    The memory is fresh anonymous pages, written: heap bytes could reuse what earlier tests of the same process freed
    (the allocator keeps it), so the resident size would not move and the leak would go unseen."""

    def __init__(self) -> None:
        self.kept: list[mmap.mmap] = []
        self.files: list[IO[bytes]] = []
        self.stop = threading.Event()

    def __call__(self, index: int) -> None:
        pages = mmap.mmap(-1, 8 << 20)
        pages.write(bytes([index % 251 + 1]) * (8 << 20))
        self.kept.append(pages)
        self.files.append(open(os.devnull, "rb"))  # noqa: SIM115 - leaked on purpose, closed by close()
        threading.Thread(target=self.stop.wait, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        for f in self.files:
            f.close()
        for pages in self.kept:
            pages.close()


def _args(out: Path, *extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    bench_soak.add_arguments(parser)
    run = ["--cameras", "2", "--camera-hours", "5", "--seconds", "12", "--sample-s", "0.5", *extra]
    return parser.parse_args(["--out", str(out), *run, "--width", "160", "--height", "96", "--clip-s", "20"])


@pytest.mark.slow
def test_a_short_soak_is_flat_and_an_injected_leak_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 6 s of warm-up is too short for handles and threads to settle (clip files, webhook connections and encoder
    # threads still come and go: clean runs were judged +3 threads and +5 fds), so the clean run tolerates 10 of
    # each; the leak run below (one of each per sample, 24 in all) is judged at the default tolerances of 2
    assert bench_soak.run(_args(tmp_path / "clean", "--max-threads", "10", "--max-fds", "10")) == 0
    summary = json.loads((tmp_path / "clean" / "soak.json").read_text())
    assert summary["verdict"] == "flat"
    assert summary["stopped_by"] == "seconds cap"
    assert summary["cameras"] == 2 and summary["camera_hours"] > 0
    assert summary["video_hours_decoded"] >= summary["camera_hours"]
    assert summary["samples"] >= 20
    assert set(summary["growth"]) == {"rss_mb", "fds", "threads"}
    for name in ("rss_mb", "fds", "threads", "db_bytes", "events", "outbox", "media_bytes"):
        assert set(summary["resources"][name]) == {"first", "last", "max"}
    assert summary["resources"]["events"]["last"] >= 1  # the clip's fire made events
    assert summary["alerts_received"] >= 1
    assert summary["resources"]["db_bytes"]["last"] > 0
    rows = (tmp_path / "clean" / "soak.csv").read_text().splitlines()
    assert rows[0].startswith("t_s,camera_hours,") and len(rows) == summary["samples"] + 1
    assert (tmp_path / "clean" / "soak.png").stat().st_size > 0
    assert "verdict: flat" in capsys.readouterr().out

    leak = Leak()
    try:
        assert bench_soak.run(_args(tmp_path / "leak"), on_sample=leak) == 1
    finally:
        leak.close()
    leaked = json.loads((tmp_path / "leak" / "soak.json").read_text())
    assert leaked["verdict"] == "growth"
    assert all(leaked["growth"][name]["grows"] for name in ("rss_mb", "fds", "threads"))
    out = capsys.readouterr().out
    assert "rss_mb   GROWS" in out and "verdict: GROWTH, failing" in out
