"""`gwanje export manifest --from-store --out DIR`: a site's decided events and clips as a `gwanje eval` test set.

Clips are exported with people pixelated by the web app's clip masking (the shipped person detector; masked copies
are shared with the web app's cache in ``<data_dir>/masked-clips``); ``--unmasked --reason TEXT`` writes them as
stored, each an ``unmask`` entry in the audit log with the reason."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gwanje.api.clip_masking import ClipMasker
from gwanje.api.masking import SnapshotMasker
from gwanje.cli.store_access import add_store_arguments, cli_actor, open_store, store_config
from gwanje.core.errors import ConfigError
from gwanje.eval.store_export import ClipMask, export_manifest


def _run(args: argparse.Namespace) -> int:
    reason = (args.reason or "").strip()
    if args.unmasked and not reason:
        raise ConfigError("--unmasked needs --reason TEXT (why the clips leave unmasked; it goes to the audit log)")
    if reason and not args.unmasked:
        raise ConfigError("--reason goes with --unmasked (clips are masked otherwise)")
    mask: ClipMask | None = None
    if not args.unmasked:
        mask = ClipMasker(SnapshotMasker().find_people, store_config(args).data_dir / "masked-clips").masked
    store, media = open_store(args)
    try:
        summary = export_manifest(
            store, media, Path(args.out), args.since, args.until, args.actor, mask=mask, unmasked_reason=reason
        )
    finally:
        store.close()
    print(
        f"wrote {summary.manifest}: {summary.rows} clip(s) ({'unmasked' if args.unmasked else 'people masked'}), "
        f"{summary.confirmed} confirmed and "
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
    m.add_argument(
        "--unmasked", action="store_true", help="write the clips as stored, people not masked (needs --reason)"
    )
    m.add_argument("--reason", help="why the clips are exported unmasked (written to the audit log)")
    m.set_defaults(func=_run)
