"""`gwanje audit verify`: check that no entry of the audit log was edited or removed."""

from __future__ import annotations

import argparse
from typing import Any

from gwanje.cli.store_access import open_store


def _verify(args: argparse.Namespace) -> int:
    store, _media = open_store(args)
    try:
        report = store.verify_audit()
    finally:
        store.close()
    if report.ok:
        print(f"audit log intact: {report.entries} entries; head {report.head}")
        print("keep the head elsewhere: removing the newest entries leaves a shorter chain that still verifies")
        return 0
    print(f"audit log TAMPERED: {len(report.problems)} problem(s) in {report.entries} entries")
    for problem in report.problems:
        print(f"  {problem}")
    return 1


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="the tamper-evident audit log")
    kinds = p.add_subparsers(dest="audit", metavar="ACTION", required=True)
    v = kinds.add_parser("verify", help="recompute the hash chain; exit status 1 when an entry was edited or removed")
    v.add_argument("--config", help="YAML config whose store is read (default: ./data, as serve)")
    v.set_defaults(func=_verify)
