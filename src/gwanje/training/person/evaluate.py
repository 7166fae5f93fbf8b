"""Recall of person models on lying and standing people they were not trained on, through the real detector.

    gwanje study person-lying [--model NEW.onnx ...]   # default: the shipped person model

- ``fall-action-laifi`` held-out groups (every 4th group number, ``data.group_split``): recall of ``fallen``
  (lying / falling) and of ``person`` boxes, and the share of detections matching no label;
- ``fight-surv-akti`` on-ground people: the ``down_boxes`` of the hand-labelled falls (their clips' source videos
  are never trained on), at the operating threshold and at the fall rule's faint floor.

A detection hits a label when their IoU is >= 0.4 (highest score first, each label once), as in
``gwanje study person eval``. Standing people on CCTV: ``gwanje study person eval --model NEW.onnx``.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gwanje.config.datasets import dataset
from gwanje.config.detectors import PersonDetectorConfig
from gwanje.detect.onnx_session import packaged_model
from gwanje.detect.ops import box_iou
from gwanje.detect.person import MODEL_FILE, PersonDetector
from gwanje.eval.metrics import match_boxes
from gwanje.eval.studies.common import LABELS_DIR
from gwanje.ingest.files import read_image
from gwanje.training.person.data import LYING, PERSON, load_folder

MATCH_IOU = 0.4
FALLS_LABELS = LABELS_DIR / "rules" / "fight-surv-akti-falls.json"
"""The hand-labelled falls (beside the studies)."""


@dataclass
class Tally:
    hits: int = 0
    labelled: int = 0

    def __str__(self) -> str:
        return f"{self.hits}/{self.labelled} = {self.hits / max(self.labelled, 1):.3f}"


def laifi_heldout(detector: PersonDetector, folder: Path) -> dict[str, str]:
    tallies = {view: {LYING: Tally(), PERSON: Tally()} for view in ("eye-level", "elevated")}
    found = unmatched = 0
    for sample in load_folder(folder, image_size=(640, 640)):
        if sample.split != "val":
            continue
        people = detector.detect_image(read_image(sample.image))
        matched = match_boxes(people.xyxy, people.confidence, sample.boxes, MATCH_IOU)
        hit = matched.labels_hit
        found += len(people)
        unmatched += int((~matched.detections_hit).sum())
        for cls, tally in tallies[sample.view].items():
            tally.hits += int(hit[sample.classes == cls].sum())
            tally.labelled += int((sample.classes == cls).sum())
    result = {f"{view} {'lying' if cls == LYING else 'person'}": str(t) for view, d in tallies.items()
              for cls, t in d.items() if t.labelled}  # fmt: skip
    result["detections matching no label"] = f"{unmatched}/{found}"
    return result


def akti_down(detector: PersonDetector, akti: Path, labels: Path) -> Tally:
    import av

    tally = Tally()
    for fall in json.loads(labels.read_text())["falls"]:
        with av.open(str(akti / fall["path"])) as container:
            rate = float(container.streams.video[0].average_rate or 25)
            wanted: dict[int, list[float]] = {round(t * rate): box for t, box in fall["down_boxes"]}
            for index, decoded in enumerate(container.decode(video=0)):
                if index in wanted:
                    image = np.asarray(decoded.to_ndarray(format="bgr24"), np.uint8)
                    height, width = image.shape[:2]
                    box = np.asarray(wanted.pop(index), np.float32) * np.asarray([width, height] * 2, np.float32)
                    people = detector.detect_image(image)
                    tally.labelled += 1
                    tally.hits += int(len(people) > 0 and float(box_iou(people.xyxy, box[None]).max()) >= MATCH_IOU)
                if not wanted:
                    break
        tally.labelled += len(wanted)  # labelled times past the clip's last frame count as misses
    return tally


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--model", type=Path, action="append", help="ONNX file; repeatable (default: the shipped one)")
    parser.add_argument("--threshold", type=float, default=PersonDetectorConfig().threshold)
    parser.add_argument("--faint", type=float, default=0.25, help="also count akti on-ground people at this floor")


def run(args: argparse.Namespace) -> int:
    for model in args.model or [packaged_model(MODEL_FILE)]:
        print(f"== {model}")
        detector = PersonDetector("person", PersonDetectorConfig(model_path=model, threshold=args.threshold))
        for name, value in laifi_heldout(detector, dataset("fall-action-laifi")).items():
            print(f"laifi held-out {name}: {value}")
        print(f"akti on-ground at {args.threshold:g}: {akti_down(detector, dataset('fight-surv-akti'), FALLS_LABELS)}")
        faint = PersonDetector("person", PersonDetectorConfig(model_path=model, threshold=args.faint))
        print(f"akti on-ground at {args.faint:g}: {akti_down(faint, dataset('fight-surv-akti'), FALLS_LABELS)}")
        faint.close()
        detector.close()
    return 0
