"""`gwanje bench --out DIR`: how many cameras this machine sustains, decoding only and with the whole pipeline.

Each trial plays N copies of a video file (by default a generated 1280x720 25 fps H.264 clip of the demo scene,
a fire included) at their native rate, as N cameras:

* decode only: N :class:`CameraReader` threads (the service's reader: decode, decimate to the analysis fps,
  latest-frame buffer) and a consumer per camera that takes each analysis frame;
* pipeline: the monitoring :class:`Service` itself with N cameras (reader, motion gate, detectors through the
  inference workers, tracker, rules, events, SQLite store, alert outbox) in a temporary data directory.

After a warm-up the counters of each camera are read at the start and end of a window: analysis frames due
(window x analysis fps), frames the consumer handled, and frames decoded against those the stream's clock
asked for (a shortfall is a growing backlog). :func:`gwanje.eval.bench_capacity.find_capacity` grows N.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import platform
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from gwanje.config.alerts import AlertsConfig, WebhookConfig
from gwanje.config.camera import CameraConfig, SourceConfig
from gwanje.config.schema import AppConfig
from gwanje.config.store import StoreConfig
from gwanje.core.health import StreamStats
from gwanje.eval.bench import measure
from gwanje.eval.bench_capacity import MAX_BACKLOG_S, MAX_DROPPED, CameraRun, Capacity, RunCameras, Trial, find_capacity
from gwanje.ingest.demo import DemoSettings
from gwanje.ingest.demo_clip import write_demo_clip
from gwanje.ingest.reader import CameraReader
from gwanje.runtime.service import Service


@dataclass(frozen=True)
class Playback:
    files: list[Path]
    """Played round-robin: camera i plays ``files[i % len(files)]``."""
    camera_fps: float
    analysis_fps: float
    detectors: list[str]
    warmup_s: float = 3.0
    window_s: float = 10.0
    fire_start_s: float | None = None
    """Where the generated clip's fire starts (pts): the known onset of the event whose alert is timed."""
    sub_files: list[Path] | None = None
    """With ``--substream``: the cameras' sub-streams, which the pipeline analyses (``files`` are then its record
    streams, and what decoding only decodes)."""


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    scale = 1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def cameras(play: Playback, n: int, detectors: Sequence[str], analysed: bool = True) -> list[CameraConfig]:
    """N cameras; ``analysed`` ones play the sub-streams when there are any, the main streams recorded beside."""
    out = []
    for i in range(n):
        main = str(play.files[i % len(play.files)])
        sub = str(play.sub_files[i % len(play.sub_files)]) if play.sub_files and analysed else None
        source = SourceConfig(
            url=sub or main, record_url=main if sub else None, loop=True, realtime=True, decode_threads=1
        )
        out.append(
            CameraConfig(id=f"bench{i}", source=source, analysis_fps=play.analysis_fps, detectors=list(detectors))
        )
    return out


class AlertCatcher:
    """A local webhook receiver: the time each alert message arrived, and the message (only counted in ``count``
    when ``keep`` is false: a soak of many hours must not hold every message)."""

    def __init__(self, keep: bool = True) -> None:
        self.received: list[tuple[float, dict[str, Any]]] = []
        self.count = 0
        catcher = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                arrived = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.end_headers()
                catcher.count += 1
                if not keep:
                    return
                with contextlib.suppress(ValueError):
                    catcher.received.append((arrived, json.loads(body)))

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/alerts"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> AlertCatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def onset_to_alert(received: list[tuple[float, dict[str, Any]]], onset_pts_s: float) -> list[float]:
    """Seconds from a known onset to each start alert of a fire or smoke event that began at or after it.

    The onset's wall time is the event's ``start_time`` moved back by ``start_pts_s - onset_pts_s`` (the
    start time and position are of the same frame; a paced file's wall time runs with its pts). Events that
    began before the onset (false alarms, or an earlier loop of the file) are left out."""
    out = []
    for arrived, message in received:
        event = message.get("event", {})
        if event.get("state") != "start" or event.get("type") not in ("fire", "smoke"):
            continue
        pts = float(event["start_pts_s"])
        if pts < onset_pts_s - 0.5:
            continue
        onset_wall = float(event["start_time"]) - (pts - onset_pts_s)
        out.append(arrived - onset_wall)
    return out


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _window(play: Playback, n: int, read: Callable[[], list[StreamStats]]) -> Trial:
    """Wait out the warm-up, then read every camera's counters over the window."""
    time.sleep(play.warmup_s)
    before = {s.camera_id: s for s in read()}
    cpu0, wall0 = time.process_time(), time.monotonic()
    time.sleep(play.window_s)
    after = read()
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    runs = []
    for s in after:
        b = before.get(s.camera_id, StreamStats(camera_id=s.camera_id))
        handled = (s.frames_analyzed + s.frames_motion_skipped) - (b.frames_analyzed + b.frames_motion_skipped)
        decoded_short = wall * play.camera_fps - (s.frames_decoded - b.frames_decoded)
        runs.append(
            CameraRun(
                due=round(wall * play.analysis_fps),
                analysed=handled,
                backlog_s=max(0.0, decoded_short - 1) / play.camera_fps,
            )
        )
    return Trial(n, runs, wall, cpu_s=cpu, peak_rss_mb=peak_rss_mb())


def decode_only_runner(play: Playback) -> RunCameras:
    def run(n: int) -> Trial:
        readers = [CameraReader(c) for c in cameras(play, n, [], analysed=False)]
        stop = threading.Event()

        def consume(reader: CameraReader) -> None:
            while not stop.is_set():
                if reader.get(timeout=0.2) is not None:
                    reader.mark_analyzed()

        threads = [threading.Thread(target=consume, args=(r,), daemon=True) for r in readers]
        for r in readers:
            r.start()
        for t in threads:
            t.start()
        try:
            return _window(play, n, lambda: [r.stats for r in readers])
        finally:
            stop.set()
            for r in readers:
                r.request_stop()
            for r in readers:
                r.stop()
            for t in threads:
                t.join(2.0)

    return run


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Camera start/stop and migration lines would drown the progress lines; warnings still show."""
    loggers = [logging.getLogger(n) for n in names]
    levels = [log.level for log in loggers]
    for log in loggers:
        log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for log, level in zip(loggers, levels, strict=True):
            log.setLevel(level)


def pipeline_runner(play: Playback) -> RunCameras:
    def run(n: int) -> Trial:
        with (
            tempfile.TemporaryDirectory(prefix="gwanje-bench-") as tmp,
            _quiet("gwanje", "alembic"),
            AlertCatcher() as catcher,
        ):
            config = AppConfig(
                cameras=cameras(play, n, play.detectors),
                store=StoreConfig(data_dir=Path(tmp)),
                alerts=AlertsConfig(webhooks=[WebhookConfig(name="bench", url=catcher.url, states=["start"])]),
            )
            service = Service(config)
            try:
                service.start()
                trial = _window(play, n, service.camera_status)
            finally:
                service.stop()
            if play.fire_start_s is None:
                return trial
            return dataclasses.replace(trial, alert_latencies_s=onset_to_alert(catcher.received, play.fire_start_s))

    return run


def trial_row(trial: Trial, sustained: bool) -> dict[str, object]:
    return {
        "cameras": trial.cameras,
        "sustained": sustained,
        "dropped_fraction": round(trial.dropped_fraction, 4),
        "backlog_s": round(trial.backlog_s, 2),
        "cpu_percent": round(trial.cpu_percent_per_camera * trial.cameras, 1),
        "cpu_percent_per_camera": round(trial.cpu_percent_per_camera, 2),
        "peak_rss_mb": round(trial.peak_rss_mb, 1),
        "window_s": round(trial.wall_s, 2),
    }


def capacity_summary(cameras_found: int, rows: list[dict[str, object]], max_cameras: int) -> dict[str, object]:
    """The found count, and CPU % per camera and memory at that count (the largest sustained trial).
    ``at_limit``: the search stopped at ``--max-cameras``, so the machine may sustain more."""
    at = [r for r in rows if r["cameras"] == cameras_found and r["sustained"]]
    best = at[-1] if at else {}
    return {
        "cameras": cameras_found,
        "at_limit": cameras_found >= max_cameras,
        "cpu_percent_per_camera": best.get("cpu_percent_per_camera"),
        "peak_rss_mb": best.get("peak_rss_mb"),
        "trials": rows,
    }


def write_plot(path: Path, modes: dict[str, list[dict[str, object]]], cores: int) -> None:
    """Cameras vs process CPU % (100 % = one core), one line per mode; failed trials drawn hollow."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for (label, trials), colour in zip(modes.items(), ("tab:blue", "tab:red"), strict=False):
        rows = sorted(trials, key=lambda r: int(str(r["cameras"])))
        xs = [int(str(r["cameras"])) for r in rows]
        ys = [float(str(r["cpu_percent"])) for r in rows]
        ax.plot(xs, ys, color=colour, label=label)
        for x, y, r in zip(xs, ys, rows, strict=True):
            ax.plot([x], [y], "o", color=colour, fillstyle="full" if r["sustained"] else "none")
    ax.axhline(100 * cores, color="grey", linestyle=":", label=f"{cores} cores")
    ax.set_xlabel("cameras")
    ax.set_ylabel("process CPU % (100 = one core)")
    ax.set_title("gwanje bench: cameras vs CPU (hollow: not sustained)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def onset_summary(found: Capacity, fire_start_s: float | None) -> dict[str, object]:
    """p50/p95 of onset to alert over the sustained pipeline trials (a late alert of an overloaded run says
    nothing about a machine that is not overloaded)."""
    if fire_start_s is None:
        return {"onset_to_alert_s": None, "onset_to_alert_note": "given files: no event at a known time"}
    values = [v for t in found.trials if t.sustained() for v in t.alert_latencies_s]
    if not values:
        return {"onset_to_alert_s": None, "onset_to_alert_note": "no fire or smoke alert came in a sustained trial"}
    return {
        "onset_to_alert_s": {
            "p50": round(percentile(values, 0.5), 3),
            "p95": round(percentile(values, 0.95), 3),
            "alerts": len(values),
            "onset_pts_s": fire_start_s,
        }
    }


def cpu_model() -> str:
    """The CPU's model name where /proc/cpuinfo says it (Linux), else what the platform module knows."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _progress(mode: str) -> Callable[[Trial, bool], None]:
    def say(trial: Trial, ok: bool) -> None:
        print(
            f"[bench] {mode}: {trial.cameras} cameras -> {'sustained' if ok else 'NOT sustained'} "
            f"(dropped {trial.dropped_fraction:.1%}, backlog {trial.backlog_s:.1f} s, "
            f"CPU {trial.cpu_percent_per_camera:.1f} %/camera, peak RSS {trial.peak_rss_mb:.0f} MB)",
            file=sys.stderr,
            flush=True,
        )

    return say


def run_capacity(args: argparse.Namespace) -> int:
    """`gwanje bench --out DIR`: decode-only and pipeline camera counts, per-stage ms, DIR/bench.json + plot."""
    sub_size = _size(args.substream) if args.substream else None
    if sub_size and args.files:
        raise SystemExit("--substream generates the sub-stream of the generated camera; it does not go with --files")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = [n.strip() for n in args.detectors.split(",") if n.strip()]
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="gwanje-bench-") as tmp:
        files = [Path(f) for f in args.files or []]
        sub_files: list[Path] | None = None
        fire_start_s: float | None = None
        if not files:
            length = args.warmup + args.window + 5.0
            fire_start_s = args.warmup + 1.0  # the fire starts in the warm-up, its alert comes in the window
            scene = DemoSettings(fps=args.camera_fps, fire_start_s=fire_start_s)
            print(f"[bench] generating a {length:.0f} s {args.width}x{args.height} H.264 clip", file=sys.stderr)
            files = [write_demo_clip(Path(tmp) / "camera.mp4", length, scene, (args.width, args.height))]
            if sub_size:
                print(f"[bench] and its {sub_size[0]}x{sub_size[1]} sub-stream", file=sys.stderr)
                sub_files = [write_demo_clip(Path(tmp) / "sub.mp4", length, scene, sub_size, args.substream_bit_rate)]
        play = Playback(
            files, args.camera_fps, args.analysis_fps, names, args.warmup, args.window, fire_start_s, sub_files
        )
        results: dict[str, Capacity] = {}
        rows: dict[str, list[dict[str, object]]] = {}
        for mode, runner in (("decode_only", decode_only_runner(play)), ("pipeline", pipeline_runner(play))):
            found = find_capacity(runner, max_cameras=args.max_cameras, progress=_progress(mode), confirm=args.confirm)
            results[mode] = found
            rows[mode] = [trial_row(t, t.sustained()) for t in found.trials]
            print(f"[bench] {mode}: {found.cameras} cameras sustained", file=sys.stderr, flush=True)
    print(f"[bench] per-stage CPU ms on a {args.seconds:g} s generated 720p clip", file=sys.stderr, flush=True)
    stages = measure(names, seconds=args.seconds, camera_fps=args.camera_fps, analysis_fps=args.analysis_fps)
    decode, pipeline = results["decode_only"].cameras, results["pipeline"].cameras
    report: dict[str, object] = {
        "machine": {
            "cpus": cores,
            "platform": platform.platform(),
            "processor": cpu_model(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "settings": {
            "files": [str(f) for f in args.files] if args.files else f"generated {args.width}x{args.height} H.264",
            "substream": (
                f"pipeline analyses a generated {args.substream} H.264 sub-stream at {args.substream_bit_rate} bit/s "
                "and records the main stream's packets (source.record_url); decoding only decodes the main stream"
                if args.substream
                else None
            ),
            "camera_fps": args.camera_fps,
            "analysis_fps": args.analysis_fps,
            "detectors": names,
            "warmup_s": args.warmup,
            "window_s": args.window,
            "max_cameras": args.max_cameras,
            "confirm": args.confirm,
            "criterion": f"dropped analysis frames < {MAX_DROPPED:.0%} and backlog <= {MAX_BACKLOG_S:g} s per camera",
        },
        "decode_only": capacity_summary(decode, rows["decode_only"], args.max_cameras),
        "pipeline": capacity_summary(pipeline, rows["pipeline"], args.max_cameras),
        "ratio": round(pipeline / decode, 3) if decode else None,
        **onset_summary(results["pipeline"], fire_start_s),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "stage_ms": {s.stage.strip(): round(s.ms_per_frame, 2) for s in stages},
    }
    (out / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    write_plot(out / "cameras_vs_cpu.png", {"decode only": rows["decode_only"], "pipeline": rows["pipeline"]}, cores)
    print(f"decode only: {decode} cameras; pipeline ({'+'.join(names)}): {pipeline} cameras; ratio {report['ratio']}")
    print(f"wrote {out / 'bench.json'} and {out / 'cameras_vs_cpu.png'}")
    return 0


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise SystemExit(f"--substream wants WIDTHxHEIGHT, e.g. 640x360; got {text!r}") from None
    if width < 16 or height < 16 or width % 2 or height % 2:
        raise SystemExit(f"--substream {text}: both sides even and at least 16 pixels")
    return width, height
