"""`gwanje bench head-mask`: the cost of covering masked people's heads (pose-placed on event snapshots, estimated
from the box on live frames and clips), on the generated demo street at 640x360.

Pose is timed for 1, 2, 4 and 8 people (copies of one person box: each is one pose call); the estimated cover is
timed as its extra cost over the body pixelation alone. It lives in ``cli`` because it measures the API's masking.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable

from gwanje.api.head_mask import Box
from gwanje.api.masking import mask_boxes, mask_people, shipped_pose_heads
from gwanje.ingest.demo import DemoScene, DemoSettings

PERSON: Box = (200.0, 60.0, 280.0, 330.0)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.add_argument("--repeat", type=int, default=10, help="pose calls timed per crowd size (default 10)")


def _ms(call: Callable[[], object], repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - started) / repeat * 1000


def run(args: argparse.Namespace) -> int:
    image = DemoScene(DemoSettings(seed=3, fps=10.0, fire_start_s=1e6)).render(40)
    heads = shipped_pose_heads()
    heads(image, [PERSON])  # the model loads once per server, not per snapshot
    for people in (1, 2, 4, 8):
        took = _ms(functools.partial(heads, image, [PERSON] * people), args.repeat)
        print(f"pose heads: {people} people in {took:.1f} ms")
    body = _ms(lambda: mask_boxes(image, [PERSON]), 20 * args.repeat)
    both = _ms(lambda: mask_people(image, [PERSON]), 20 * args.repeat)
    print(f"estimated head cover: {max(0.0, both - body):.2f} ms a person over the pixelation ({body:.2f} ms)")
    return 0
