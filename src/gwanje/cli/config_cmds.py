"""`gwanje version`, `gwanje check-config FILE` and `gwanje config-schema`."""

from __future__ import annotations

import argparse
import json
from typing import Any

from gwanje import __version__
from gwanje.config import AppConfig, load_config
from gwanje.config.reference import markdown_reference


def _version(_: argparse.Namespace) -> int:
    print(f"gwanje {__version__}")
    return 0


def _check_config(args: argparse.Namespace) -> int:
    cfg = load_config(args.file)
    print(f"{args.file}: OK ({len(cfg.cameras)} camera(s), detectors: {', '.join(sorted(cfg.detectors)) or 'none'})")
    return 0


def _config_schema(args: argparse.Namespace) -> int:
    if args.format == "markdown":
        print(markdown_reference(), end="")
    else:
        print(json.dumps(AppConfig.model_json_schema(), indent=2))
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("version", help="print the version")
    p.set_defaults(func=_version)
    p = sub.add_parser("check-config", help="validate a configuration file and explain every problem")
    p.add_argument("file")
    p.set_defaults(func=_check_config)
    p = sub.add_parser("config-schema", help="print the configuration's JSON Schema (for editors) or its reference")
    p.add_argument("--format", choices=["json", "markdown"], default="json")
    p.set_defaults(func=_config_schema)
