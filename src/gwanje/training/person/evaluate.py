"""Recall of person models on lying and standing people they were not trained on, through the real detector.

    python -m gwanje.training.person.evaluate --model src/gwanje/detect/models/nanodet-g-416.onnx --model NEW.onnx

- ``fall-action-laifi`` held-out groups (every 4th group number, ``data.group_split``): recall of ``fallen``
  (lying / falling) and of ``person`` boxes, and the share of detections matching no label;
- ``fight-surv-akti`` on-ground people: the ``down_boxes`` of the hand-labelled falls (their clips' source videos
  are never trained on), at the operating threshold and at the fall rule's faint floor.

A detection hits a label when their IoU is >= 0.4 (highest score first, each label once), as in
``scripts/eval_person.py``. Standing people on CCTV: ``scripts/eval_person.py eval --model NEW.onnx``.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from gwanje.config.datasets import dataset
from gwanje.config.detectors import PersonDetectorConfig
from gwanje.detect.ops import box_iou
from gwanje.detect.person import PersonDetector
from gwanje.training.person.data import LYING, PERSON, load_folder, read_image

MATCH_IOU = 0.4
FALLS_LABELS = ("src/gwanje/eval/studies/labels/fight-surv-akti-falls.json",
                "tests/data/rule_labels/fight-surv-akti-falls.json")  # fmt: skip
"""Where the hand-labelled falls are (first found wins)."""


@dataclass
class Tally:
    hits: int = 0
    labelled: int = 0

    def __str__(self) -> str:
        return f"{self.hits}/{self.labelled} = {self.hits / max(self.labelled, 1):.3f}"


def match(detected: npt.NDArray[np.float32], scores: npt.NDArray[np.float32], labels: npt.NDArray[np.float32]
          ) -> tuple[npt.NDArray[np.bool_], int]:  # fmt: skip
    """Which labels are hit, and how many detections hit none (greedy by score, IoU >= MATCH_IOU)."""
    matched = np.zeros(len(labels), bool)
    unmatched = 0
    if len(detected) == 0:
        return matched, 0
    iou = box_iou(detected[np.argsort(-scores)], labels) if len(labels) else np.zeros((len(detected), 0))
    for row in iou:
        candidates = np.where(matched, -1.0, row)
        if candidates.size and candidates.max() >= MATCH_IOU:
            matched[int(candidates.argmax())] = True
        else:
            unmatched += 1
    return matched, unmatched


def laifi_heldout(detector: PersonDetector, folder: Path) -> dict[str, str]:
    tallies = {view: {LYING: Tally(), PERSON: Tally()} for view in ("eye-level", "elevated")}
    found = unmatched = 0
    for sample in load_folder(folder, image_size=(640, 640)):
        if sample.split != "val":
            continue
        people = detector.detect_image(read_image(sample.image))
        hit, extra = match(people.xyxy, people.confidence, sample.boxes)
        found += len(people)
        unmatched += extra
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, action="append", required=True, help="ONNX file; repeatable")
    parser.add_argument("--threshold", type=float, default=PersonDetectorConfig().threshold)
    parser.add_argument("--faint", type=float, default=0.25, help="also count akti on-ground people at this floor")
    args = parser.parse_args()
    labels = next((Path(p) for p in FALLS_LABELS if Path(p).is_file()), None)
    for model in args.model:
        print(f"== {model}")
        detector = PersonDetector("person", PersonDetectorConfig(model_path=model, threshold=args.threshold))
        for name, value in laifi_heldout(detector, dataset("fall-action-laifi")).items():
            print(f"laifi held-out {name}: {value}")
        if labels is not None:
            print(f"akti on-ground at {args.threshold:g}: {akti_down(detector, dataset('fight-surv-akti'), labels)}")
            faint = PersonDetector("person", PersonDetectorConfig(model_path=model, threshold=args.faint))
            print(f"akti on-ground at {args.faint:g}: {akti_down(faint, dataset('fight-surv-akti'), labels)}")
            faint.close()
        detector.close()


if __name__ == "__main__":
    main()
