"""`gwanje report workload`: the operator workload, from evaluation results or from a site's store."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from gwanje.cli.store_access import add_store_arguments, open_store
from gwanje.eval.results_io import RESULTS_FILE, read_results
from gwanje.eval.workload import MONITORS_PER_OPERATOR, Staffing, WorkloadInput, estimate, from_results, summary_lines
from gwanje.eval.workload_report import write_workload
from gwanje.eval.workload_store import from_store


def _from_eval(dirs: list[str]) -> WorkloadInput | None:
    results, types = [], []
    for d in dirs:
        got, scored = read_results(Path(d) / RESULTS_FILE)
        results += got
        types += [t for t in scored if t not in types]
    return from_results(results, types)


def _run(args: argparse.Namespace) -> int:
    try:
        staffing = Staffing(
            cameras=args.cameras,
            review_s=args.review_min * 60,
            utilisation=args.utilisation,
            cameras_per_operator=args.cameras_per_operator,
            watch_recall=args.watch_recall,
            confidence=args.confidence,
        )
        if args.from_eval:
            footage = _from_eval(args.from_eval)
            if footage is None:
                print("gwanje report workload: the evaluations scored no video (no footage)", file=sys.stderr)
                return 2
        else:
            store, _ = open_store(args)
            try:
                until = time.time() if args.until is None else args.until
                footage = from_store(store, until, args.since, args.observed_cameras, args.camera_hours)
            finally:
                store.close()
        w = estimate(footage, staffing)
    except ValueError as exc:
        print(f"gwanje report workload: {exc}", file=sys.stderr)
        return 2
    argv = sys.argv[sys.argv.index("report") :] if "report" in sys.argv else ["report", "workload"]
    paths = write_workload(Path(args.out), footage, w, staffing, "gwanje " + shlex.join(argv))
    for line in summary_lines(w):
        print(line.replace("**", ""))
    print(f"wrote {paths[0]} and {paths[1]}")
    return 0


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return value


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="reports on what Gwanje costs and finds (workload)")
    reports = p.add_subparsers(dest="report", metavar="REPORT", required=True)
    w = reports.add_parser(
        "workload",
        help="alerts per camera-hour with 95 %% intervals and the operators needed, with and without Gwanje",
    )
    source = w.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-eval", nargs="+", metavar="DIR", help="--out folders of gwanje eval (results.json)")
    source.add_argument("--from-store", action="store_true", help="the store's events and operator dispositions")
    add_store_arguments(w)
    w.add_argument("--observed-cameras", type=int, help="store: cameras watched in the period (default: stored ones)")
    w.add_argument("--camera-hours", type=float, help="store: camera-hours observed, when known better")
    w.add_argument("--cameras", type=int, required=True, help="cameras of the centre to plan operators for")
    w.add_argument("--out", required=True, help="folder for workload.json and workload.html")
    w.add_argument("--review-min", type=float, default=1.0, help="minutes per alert when not measured (1)")
    w.add_argument("--utilisation", type=_fraction, default=0.5, help="share of an operator's hour on alerts (0.5)")
    w.add_argument(
        "--cameras-per-operator",
        type=int,
        default=MONITORS_PER_OPERATOR,
        help=f"without Gwanje: monitors one operator watches ({MONITORS_PER_OPERATOR}, the MOIS rule)",
    )
    w.add_argument(
        "--watch-recall",
        type=_fraction,
        help="without Gwanje: share of events a watcher notices (your assumption; Gwanje has no source for one)",
    )
    w.add_argument("--confidence", type=_fraction, default=0.95, help="interval confidence (0.95)")
    w.set_defaults(func=_run)
