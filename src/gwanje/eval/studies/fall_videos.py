"""The shipped fall rule on labelled fall videos kept outside the project (``gwanje study fall-videos INDEX``).

``INDEX`` is a CSV with ``path`` (relative to the CSV's folder), ``label`` (``fall`` or ``adl``), and for falls
``fall_start_s`` (the person starts to fall) and ``fall_end_s`` (at rest on the ground). Each clip runs through the
camera pipeline with the default fall rule (person + pose, the default analysis rate). A fall is found when a fall
alert comes no earlier than ``FALL_EARLY_S`` before its start; any fall alert on an ``adl`` clip is false. The delay
is counted from the moment at rest, which is what the issue limits (an alert within 5 s).

``gwanje study fall-videos --clips DIR`` uses the project's own reading of the UP-Fall subject-1 clips
(``labels/falls/upfall-subject1.csv`` beside this module: file names and times only, no footage) with the clips in
``DIR``; how to get the clips is in docs/models/fall.md ("Real fall footage").
"""

from __future__ import annotations

import argparse
import csv
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from gwanje.config.rules import FallRuleConfig
from gwanje.config.schema import AppConfig
from gwanje.eval.studies.common import ANALYSIS_FPS, alerts, cached_detectors
from gwanje.eval.studies.fall_probes import fall_camera
from gwanje.eval.studies.falls import FALL_EARLY_S
from gwanje.runtime.analyze import FileAnalyzer
from gwanje.runtime.detectors import close_all


@dataclass
class FallVideoScore:
    falls: int = 0
    found: int = 0
    adl: int = 0
    adl_false: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    after_rest_s: list[float] = field(default_factory=list)

    def lines(self) -> list[str]:
        delay = "none found"
        if self.after_rest_s:
            median, worst = statistics.median(self.after_rest_s), max(self.after_rest_s)
            delay = f"median {median:.2f} s, max {worst:.2f} s"
        return [
            f"falls found {self.found}/{self.falls}; missed {self.missed}",
            f"daily-activity clips with a fall alert {len(self.adl_false)}/{self.adl} {self.adl_false}",
            f"alert after the person is at rest: {delay}",
        ]


UPFALL_TIMES = Path(__file__).resolve().parent / "labels" / "falls" / "upfall-subject1.csv"


def evaluate(index: Path, clips: Path | None = None) -> FallVideoScore:
    """The clips of ``index`` (in ``clips``, default the index's folder) through the fall rule."""
    folder = clips or index.parent
    rows = list(csv.DictReader(index.open(newline="")))
    app = AppConfig()
    camera = fall_camera(FallRuleConfig().down_time_s, ANALYSIS_FPS)
    detectors = cached_detectors(app, camera)
    score = FallVideoScore()
    try:
        analyzer = FileAnalyzer(app, camera, detectors)
        for row in rows:
            found = alerts(analyzer.run(folder / row["path"]).events, "fall")
            if row["label"] == "fall":
                score.falls += 1
                late = [a for a in found if a >= float(row["fall_start_s"]) - FALL_EARLY_S]
                if late:
                    score.found += 1
                    score.after_rest_s.append(min(late) - float(row["fall_end_s"]))
                else:
                    score.missed.append(row["path"])
            elif row["label"] == "adl":
                score.adl += 1
                if found:
                    score.adl_false.append(row["path"])
            else:
                raise ValueError(f"{index}: label must be fall or adl, got {row['label']!r} for {row['path']}")
    finally:
        close_all(detectors)
    return score


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("index", type=Path, nargs="?", help="CSV: path, label (fall/adl), fall_start_s, fall_end_s")
    where.add_argument(
        "--clips", type=Path, help="folder of the UP-Fall subject-1 clips, scored with the project's times"
    )


def run(args: argparse.Namespace) -> int:
    index = args.index or UPFALL_TIMES
    print(f"fall rule as shipped (down_time_s {FallRuleConfig().down_time_s:g}, {ANALYSIS_FPS:g} fps) on {index}:")
    for line in evaluate(index, args.clips).lines():
        print("  " + line)
    return 0
