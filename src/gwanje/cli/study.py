"""`gwanje study NAME ...`: the research evaluations behind the model cards' figures, on the live pipeline.

Each study is a module with ``add_arguments(parser)`` and ``run(args) -> int``: in ``gwanje.eval.studies``, or in
the model's training folder where it scores a model on that training's held-out split (fire/smoke, person);
it prints the figures a model card quotes, so every figure there comes from a command.
"""

from __future__ import annotations

import argparse
from importlib import import_module
from typing import Any

# study name -> (module in gwanje.eval.studies, one-line help); one line per study so parallel edits merge cleanly
STUDIES: dict[str, tuple[str, str]] = {
    "manifests": ("gwanje.eval.studies.manifests", "write gwanje eval manifests of the held-out public data"),
    "fire-smoke": ("gwanje.training.fire_smoke.eval", "fire/smoke card: test-split figures of the shipped model"),
    "fire-smoke-holdout": (
        "gwanje.training.fire_smoke.holdout",
        "fire/smoke candidate vs shipped: test split, unseen indoor scenes, greyscale",
    ),
    "fight": ("gwanje.eval.studies.fight", "fight card: held-out clips, normal footage, evidence boxes, CPU cost"),
    "person": ("gwanje.eval.studies.person", "person detector: recall/precision on labelled frames, cost, tracked"),
    "falls": ("gwanje.eval.studies.falls", "fall rule on labelled knock-down clips, and why falls are missed"),
    "fall-videos": (
        "gwanje.eval.studies.fall_videos",
        "the shipped fall rule on labelled fall/daily-activity videos listed in a CSV (data kept outside the project)",
    ),
    "zones": ("gwanje.eval.studies.zones", "zone and line rules on a hand-labelled video"),
    "person-lying": (
        "gwanje.training.person.evaluate",
        "person models on lying and standing people held out of training",
    ),
    "crowding": ("gwanje.eval.studies.crowding", "crowding rule on clips with hand-counted people"),
}


def _run(args: argparse.Namespace) -> int:
    module = import_module(STUDIES[args.study][0])
    return int(module.run(args))


def register(sub: Any) -> None:
    p = sub.add_parser("study", help="re-run a research evaluation behind a model card's figures (needs the datasets)")
    studies = p.add_subparsers(dest="study", metavar="STUDY", required=True)
    for name, (module_name, help_text) in STUDIES.items():
        sp = studies.add_parser(name, help=help_text)
        import_module(module_name).add_arguments(sp)
        sp.set_defaults(func=_run)
