"""`gwanje bench soak`: run many cameras as fast as the machine allows and fail when memory, fds or threads grow.

The monitoring :class:`Service` itself (readers, motion gate, detectors through the inference workers, tracker, rules,
events, evidence, SQLite store, retention, alert outbox delivered to a local webhook receiver) runs ``--cameras``
cameras that each loop a generated clip of the demo scene (a fire in every loop) as fast as possible (``realtime:
false``), in a temporary data directory, until the cameras have analysed ``--camera-hours`` of video or ``--seconds``
have passed. Every ``--sample-s`` it reads this process's resident memory, open file descriptors and threads, the
database's size and rows, and the media folder's size. The verdict (:mod:`gwanje.eval.soak_growth`) fits a line to
RSS, fds and threads over the second half of the run; the exit status is 1 when one grows.

A camera-hour here is an hour of analysis work: 3600 x analysis fps frames handled by a camera's pipeline. The
readers wait for the analysis (``wait_for_analysis``): a file played as fast as possible would otherwise decode far
faster than its frames are analysed and spend most of the CPU on frames thrown away (an earlier soak decoded 21.7
hours of video for 1.6 camera-hours analysed), so the video decoded (``video_hours_decoded``) now equals the
camera-hours, give or take the frames of the clip the analysis rate skips.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from gwanje.config.alerts import AlertsConfig, WebhookConfig
from gwanje.config.camera import CameraConfig, SourceConfig
from gwanje.config.schema import AppConfig
from gwanje.config.store import RetentionConfig, StoreConfig
from gwanje.eval.bench_cameras import AlertCatcher, _quiet, cpu_model, peak_rss_mb
from gwanje.eval.soak_growth import Growth, Sample, Tolerance, TooFewSamples, describe, judge
from gwanje.eval.soak_report import growth_summary, resources_summary, write_csv, write_json, write_plot
from gwanje.ingest.demo import DemoSettings
from gwanje.ingest.demo_clip import write_demo_clip
from gwanje.runtime.service import Service

SampleHook = Callable[[int], None]
"""Called with the sample's number just before each sample is read (tests inject a leak through it)."""


@dataclass(frozen=True)
class SoakSettings:
    cameras: int = 4
    camera_hours: float = 1.0
    max_seconds: float | None = None
    sample_s: float = 5.0
    analysis_fps: float = 5.0
    detectors: list[str] = field(default_factory=lambda: ["fire_smoke"])
    width: int = 640
    height: int = 360
    clip_s: float = 60.0
    media_gb: float = 0.2
    retention_check_s: float = 20.0
    tolerance: Tolerance = field(default_factory=Tolerance)


@dataclass
class SoakResult:
    settings: SoakSettings
    samples: list[Sample]
    growths: list[Growth]
    stopped_by: str
    alerts_received: int
    camera_states: dict[str, str]

    @property
    def grows(self) -> bool:
        return any(g.grows for g in self.growths)


def process_reading() -> tuple[float, int, int]:
    """Resident MB, open file descriptors and OS threads of this process (Linux /proc; elsewhere peak RSS, -1 fds
    and Python threads)."""
    try:
        resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
        fds = len(os.listdir("/proc/self/fd"))
        status = Path("/proc/self/status").read_text()
    except OSError:
        return peak_rss_mb(), -1, threading.active_count()
    threads = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("Threads:"))
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / (1024.0 * 1024.0), fds, threads


def dir_bytes(root: Path) -> int:
    """Bytes in the files under ``root`` (files that retention deletes while we walk are skipped)."""
    total = 0
    for folder, _, names in os.walk(root):
        for name in names:
            try:
                total += os.stat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def db_bytes(data_dir: Path) -> int:
    """The SQLite database with its write-ahead log and shared-memory index."""
    return sum(p.stat().st_size for p in data_dir.glob("gwanje.db*") if p.is_file())


def row_counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        events = int(conn.execute(text("SELECT count(*) FROM events")).scalar_one())
        outbox = int(conn.execute(text("SELECT count(*) FROM outbox_messages")).scalar_one())
    return events, outbox


def soak_cameras(settings: SoakSettings, clip: Path) -> list[CameraConfig]:
    return [
        CameraConfig(
            id=f"soak{i}",
            source=SourceConfig(url=str(clip), loop=True, realtime=False, wait_for_analysis=True, decode_threads=1),
            analysis_fps=settings.analysis_fps,
            detectors=list(settings.detectors),
        )
        for i in range(settings.cameras)
    ]


def read_sample(service: Service, data_dir: Path, started: float, settings: SoakSettings) -> Sample:
    stats = service.camera_status()
    handled = sum(s.frames_analyzed + s.frames_motion_skipped for s in stats)
    rss, fds, threads = process_reading()
    events, outbox = row_counts(service.store.engine)
    return Sample(
        t_s=round(time.monotonic() - started, 2),
        camera_hours=handled / settings.analysis_fps / 3600.0,
        video_hours_decoded=sum(s.frames_decoded for s in stats) / settings.analysis_fps / 3600.0,
        rss_mb=round(rss, 2),
        fds=fds,
        threads=threads,
        db_bytes=db_bytes(data_dir),
        events=events,
        outbox=outbox,
        outbox_pending=service.alerts_pending(),
        media_bytes=dir_bytes(data_dir / "media"),
        frames_skipped=sum(s.frames_skipped for s in stats),
    )


def _say(line: str) -> None:
    print(f"[soak] {line}", file=sys.stderr, flush=True)


def run_soak(settings: SoakSettings, on_sample: SampleHook | None = None, progress_every_s: float = 60.0) -> SoakResult:
    """Run the service on looped generated clips until the camera-hours are analysed or ``max_seconds`` passed."""
    with (
        tempfile.TemporaryDirectory(prefix="gwanje-soak-") as tmp,
        _quiet("gwanje", "alembic"),
        AlertCatcher(keep=False) as catcher,
    ):
        data_dir = Path(tmp) / "data"
        # the clip's rate is the analysis rate: every decoded frame is one the pipeline could take
        demo = DemoSettings(fps=settings.analysis_fps, fire_start_s=min(10.0, settings.clip_s / 4))
        clip = write_demo_clip(Path(tmp) / "soak.mp4", settings.clip_s, demo, (settings.width, settings.height))
        retention = RetentionConfig(max_media_gb=settings.media_gb, check_interval_s=settings.retention_check_s)
        config = AppConfig(
            cameras=soak_cameras(settings, clip),
            store=StoreConfig(data_dir=data_dir, retention=retention),
            alerts=AlertsConfig(webhooks=[WebhookConfig(name="soak", url=catcher.url)]),
        )
        service = Service(config)
        samples: list[Sample] = []
        stopped_by = "camera-hours"
        try:
            service.start()
            started = last_said = time.monotonic()
            while True:
                time.sleep(max(0.0, started + (len(samples) + 1) * settings.sample_s - time.monotonic()))
                if on_sample is not None:
                    on_sample(len(samples))
                sample = read_sample(service, data_dir, started, settings)
                samples.append(sample)
                if time.monotonic() - last_said >= progress_every_s:
                    last_said = time.monotonic()
                    _say(
                        f"{sample.t_s:.0f} s: {sample.camera_hours:.2f} camera-hours, RSS {sample.rss_mb:.0f} MB, "
                        f"{sample.fds} fds, {sample.threads} threads, {sample.events} events, "
                        f"DB {sample.db_bytes / 1e6:.1f} MB, media {sample.media_bytes / 1e6:.1f} MB"
                    )
                if sample.camera_hours >= settings.camera_hours:
                    break
                if settings.max_seconds is not None and sample.t_s >= settings.max_seconds:
                    stopped_by = "seconds cap"
                    break
            states = {s.camera_id: str(s.state) for s in service.camera_status()}
        finally:
            service.stop()
        alerts = catcher.count
    return SoakResult(settings, samples, judge(samples, settings.tolerance), stopped_by, alerts, states)


def summary(result: SoakResult) -> dict[str, object]:
    samples, s = result.samples, result.settings
    last = samples[-1]
    return {
        "verdict": "growth" if result.grows else "flat",
        "stopped_by": result.stopped_by,
        "cameras": s.cameras,
        "camera_hours": round(last.camera_hours, 4),
        "camera_hours_target": s.camera_hours,
        "video_hours_decoded": round(last.video_hours_decoded, 4),
        "wall_s": last.t_s,
        "camera_hours_per_wall_hour": round(last.camera_hours / (last.t_s / 3600.0), 2) if last.t_s else None,
        "samples": len(samples),
        "frames_skipped": last.frames_skipped,
        "alerts_received": result.alerts_received,
        "camera_states_at_end": result.camera_states,
        "growth": growth_summary(result.growths),
        "resources": resources_summary(samples),
        "tolerance": asdict(s.tolerance),
        "settings": {k: v for k, v in asdict(s).items() if k != "tolerance"},
        "machine": {
            "cpus": os.cpu_count(),
            "processor": cpu_model(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="write soak.csv, soak.json and soak.png here")
    parser.add_argument("--camera-hours", type=float, default=1.0, help="stop once this much video is analysed")
    parser.add_argument("--cameras", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=None, help="stop after this many wall seconds at the latest")
    parser.add_argument("--sample-s", type=float, default=5.0, help="seconds between samples")
    parser.add_argument("--detectors", default="fire_smoke", help="comma-separated detector names")
    parser.add_argument("--analysis-fps", type=float, default=5.0)
    parser.add_argument("--width", type=int, default=640, help="generated clip width")
    parser.add_argument("--height", type=int, default=360, help="generated clip height")
    parser.add_argument("--clip-s", type=float, default=60.0, help="generated clip length (one fire per loop)")
    parser.add_argument("--media-gb", type=float, default=0.2, help="media budget: retention deletes beyond it")
    parser.add_argument("--max-rss-pct", type=float, default=Tolerance.rss_pct, help="RSS growth tolerated, %%")
    parser.add_argument("--max-rss-mb", type=float, default=Tolerance.rss_mb, help="RSS growth tolerated, MB")
    parser.add_argument("--max-fds", type=float, default=Tolerance.fds, help="fd growth tolerated over the run")
    parser.add_argument("--max-threads", type=float, default=Tolerance.threads, help="thread growth tolerated")


def settings_from(args: argparse.Namespace) -> SoakSettings:
    if args.cameras < 1 or args.camera_hours <= 0 or args.sample_s <= 0:
        raise SystemExit("--cameras, --camera-hours and --sample-s must be positive")
    return SoakSettings(
        cameras=args.cameras,
        camera_hours=args.camera_hours,
        max_seconds=args.seconds,
        sample_s=args.sample_s,
        analysis_fps=args.analysis_fps,
        detectors=[n.strip() for n in args.detectors.split(",") if n.strip()],
        width=args.width,
        height=args.height,
        clip_s=args.clip_s,
        media_gb=args.media_gb,
        tolerance=Tolerance(args.max_rss_pct, args.max_rss_mb, args.max_fds, args.max_threads),
    )


def report(result: SoakResult, out: Path) -> int:
    """Write DIR/soak.csv, soak.json and soak.png, print the figures and the verdict; 1 when something grows."""
    out.mkdir(parents=True, exist_ok=True)
    info = summary(result)
    write_csv(out / "soak.csv", result.samples)
    write_json(out / "soak.json", info)
    write_plot(out / "soak.png", result.samples, result.growths)
    last = result.samples[-1]
    print(
        f"soak: {result.settings.cameras} cameras, {last.camera_hours:.3f} camera-hours analysed in {last.t_s:.0f} s "
        f"({info['camera_hours_per_wall_hour']} per wall hour; stopped by {result.stopped_by}), "
        f"{last.events} events, {result.alerts_received} alerts delivered, DB {last.db_bytes / 1e6:.1f} MB, "
        f"media {last.media_bytes / 1e6:.1f} MB"
    )
    for growth in result.growths:
        print(describe(growth))
    print(f"verdict: {'GROWTH, failing' if result.grows else 'flat'}; wrote {out}/soak.csv, soak.json, soak.png")
    return 1 if result.grows else 0


def run(args: argparse.Namespace, on_sample: SampleHook | None = None) -> int:
    settings = settings_from(args)
    try:
        result = run_soak(settings, on_sample)
    except TooFewSamples as exc:
        print(f"soak: {exc}", file=sys.stderr)
        return 2
    return report(result, Path(args.out))
