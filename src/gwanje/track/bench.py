"""Synthetic tracking benchmark: ``python -m gwanje.track.bench``.

People walk at constant speeds and bounce off the frame edges; each frame some detections are
dropped, boxes jitter and confidences vary, as a real detector's do. Prints id switches (a
ground-truth person whose track id changes), ids created per person, and the tracker's time per
frame. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from gwanje.core.detections import Detections
from gwanje.track.tracker import Tracker


def run(people: int, seconds: float, fps: float, drop: float, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    width, height = 1280, 720
    heights = rng.uniform(80, 200, people)
    feet = rng.uniform([50, 200], [width - 50, height - 10], (people, 2))
    velocity = rng.uniform(-60, 60, (people, 2))  # px/s: about half a body height per second
    tracker = Tracker()
    last_id: dict[int, int] = {}
    ids_of: dict[int, set[int]] = {}
    switches = 0
    elapsed = 0.0
    frames = round(seconds * fps)
    for f in range(frames):
        feet += velocity / fps
        velocity[(feet[:, 0] < 20) | (feet[:, 0] > width - 20), 0] *= -1
        velocity[(feet[:, 1] < 200) | (feet[:, 1] > height - 10), 1] *= -1
        seen = rng.random(people) >= drop
        boxes = np.stack(
            [feet[:, 0] - heights * 0.2, feet[:, 1] - heights, feet[:, 0] + heights * 0.2, feet[:, 1]], axis=1
        )
        boxes += rng.normal(0, 3, boxes.shape)
        detections = Detections.from_arrays(
            boxes[seen], rng.uniform(0.3, 0.95, people)[seen], "person", data={"person": np.flatnonzero(seen)}
        )
        start = time.perf_counter()
        tracked = tracker.update(detections, f / fps)
        elapsed += time.perf_counter() - start
        for person, track_id in zip(tracked.data["person"].tolist(), tracked.tracker_id.tolist(), strict=True):
            switches += person in last_id and last_id[person] != track_id
            last_id[person] = track_id
            ids_of.setdefault(person, set()).add(track_id)
    ids_per_person = sum(len(ids) for ids in ids_of.values()) / max(len(ids_of), 1)
    return {"id_switches": switches, "ids_per_person": ids_per_person, "ms_per_frame": 1000 * elapsed / frames}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--drop", type=float, default=0.1, help="fraction of detections missed each frame")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    result = run(args.people, args.seconds, args.fps, args.drop, args.seed)
    print(
        f"{args.people} people, {args.seconds:g} s at {args.fps:g} fps, {args.drop:.0%} missed: "
        f"{result['id_switches']:.0f} id switches, {result['ids_per_person']:.2f} ids per person, "
        f"{result['ms_per_frame']:.2f} ms per frame"
    )


if __name__ == "__main__":
    main()
