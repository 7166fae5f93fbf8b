"""`gwanje export manifest --from-store --out DIR`: a site's decided events and clips as a `gwanje eval` test set."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gwanje.cli.store_access import add_store_arguments, cli_actor, open_store
from gwanje.eval.store_export import export_manifest


def _run(args: argparse.Namespace) -> int:
    store, media = open_store(args)
    try:
        summary = export_manifest(store, media, Path(args.out), args.since, args.until, args.actor)
    finally:
        store.close()
    print(
        f"wrote {summary.manifest}: {summary.rows} clip(s), {summary.confirmed} confirmed and "
        f"{summary.false_alarms} false alarm(s)"
    )
    for reason, n in sorted(summary.skipped.items()):
        print(f"  left out {n}: {reason}")
    print(f"score it with: gwanje eval {summary.manifest} --out EVAL_DIR")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("export", help="export data of a site (its own test set)")
    kinds = p.add_subparsers(dest="export", metavar="WHAT", required=True)
    m = kinds.add_parser(
        "manifest", help="events the operators confirmed or dismissed, with clips, as an eval manifest"
    )
    m.add_argument("--from-store", action="store_true", required=True, help="read the store (the only source)")
    m.add_argument("--out", required=True, help="folder for manifest.csv and clips/")
    add_store_arguments(m)
    m.add_argument("--actor", default=cli_actor(), help="name written to the audit log for the exported clips")
    m.set_defaults(func=_run)
