"""`gwanje version`, `gwanje check-config FILE` (with the camera changes stored in its data_dir) and
`gwanje config-schema`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gwanje import __version__
from gwanje.config import AppConfig, load_config
from gwanje.config.managed import override_problems
from gwanje.config.managed_channels import CHANNELS_FILE, ManagedChannels
from gwanje.config.reference import markdown_reference
from gwanje.core.errors import ConfigError


def _version(_: argparse.Namespace) -> int:
    print(f"gwanje {__version__}")
    return 0


def _check_config(args: argparse.Namespace) -> int:
    cfg = load_config(args.file)
    print(f"{args.file}: OK ({len(cfg.cameras)} camera(s), detectors: {', '.join(sorted(cfg.detectors)) or 'none'})")
    return max(_check_camera_changes(cfg), _check_channel_changes(cfg))


def _check_camera_changes(cfg: AppConfig) -> int:
    stored = override_problems(cfg)  # the cameras as changed in the web app, layered over the file's at start
    if stored is None:
        return 0
    path, changed, problems = stored
    if not problems:
        print(f"{path}: OK ({changed} camera(s) changed at run time)")
        return 0
    print(f"{path}: {len(problems)} problem(s); the service will not start until they are fixed:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 2


def _check_channel_changes(cfg: AppConfig) -> int:
    """The alert channels as changed in the web app, layered over the file's as the service does at start."""
    path = cfg.store.data_dir / CHANNELS_FILE
    if not path.is_file():
        return 0
    try:
        ManagedChannels(cfg.alerts, path)
    except ConfigError as error:
        print(f"{error}; the service will not start until it is fixed", file=sys.stderr)
        return 2
    print(f"{path}: OK")
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
    p = sub.add_parser(
        "check-config",
        help="validate a configuration file and the camera changes stored in its data_dir (every problem at once)",
    )
    p.add_argument("file")
    p.set_defaults(func=_check_config)
    p = sub.add_parser("config-schema", help="print the configuration's JSON Schema (for editors) or its reference")
    p.add_argument("--format", choices=["json", "markdown"], default="json")
    p.set_defaults(func=_config_schema)
