"""Entry point of the `gwanje` command: each sub-command lives in its own module with a `register` function."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

from gwanje.core.errors import GwanjeError

# Modules that define sub-commands; each has `register(subparsers)` setting `func` on its parser.
COMMAND_MODULES: tuple[str, ...] = (
    "gwanje.cli.config_cmds",
    "gwanje.cli.train",
    "gwanje.cli.analyze",
    "gwanje.cli.eval_cmd",
    "gwanje.cli.serve",
    "gwanje.cli.bench",
    "gwanje.cli.study",
    "gwanje.cli.report",
    "gwanje.cli.export",
    "gwanje.cli.users",
    "gwanje.cli.audit_cmd",
    "gwanje.cli.worker",
    # one line per command module; keep this list in this form so parallel edits merge cleanly
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gwanje",
        description="Gwanje (관제): AI CCTV monitoring that alerts operators when something needs a human.",
    )
    parser.add_argument(
        "--log-level", default=None, help="DEBUG, INFO, WARNING or ERROR (default: from the config, INFO)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=(args.log_level or "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return func(args)
    except GwanjeError as exc:
        print(f"gwanje {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
