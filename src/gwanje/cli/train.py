"""`gwanje train MODEL --data DIR`: train one of the project's own models and export it to ONNX.

Training needs the optional extra: `pip install -e '.[train]'` (PyTorch CPU build, pinned).
"""

from __future__ import annotations

import argparse
from importlib import import_module
from typing import Any

# model name -> module in gwanje.training with `add_arguments(parser)` and `run(args) -> int`
TRAINERS: dict[str, str] = {
    "fire-smoke": "gwanje.training.fire_smoke.cli",
    "fight": "gwanje.training.fight.cli",
    "person": "gwanje.training.person.cli",
}


def _run(args: argparse.Namespace) -> int:
    module = import_module(TRAINERS[args.model])
    return int(module.run(args))


def register(sub: Any) -> None:
    p = sub.add_parser("train", help="train a model of the project on a data directory and export it to ONNX")
    models = p.add_subparsers(dest="model", metavar="MODEL", required=True)
    for name, module_name in TRAINERS.items():
        mp = models.add_parser(name, help=f"train the {name} model")
        try:
            import_module(module_name).add_arguments(mp)
        except ModuleNotFoundError as exc:  # the trainer module itself is missing, not torch
            if exc.name == module_name:
                mp.set_defaults(func=lambda _a, n=name: _missing(n))
                continue
            raise
        mp.set_defaults(func=_run)


def _missing(name: str) -> int:
    print(f"the {name} trainer is not part of this build")
    return 2
