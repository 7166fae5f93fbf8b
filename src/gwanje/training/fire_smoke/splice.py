"""Replace the smoke channel of a shipped fire/smoke model with the smoke head of a new training run.

    python -m gwanje.training.fire_smoke.splice --base src/gwanje/detect/models/fire_smoke.onnx \\
        --smoke RUN/fire_smoke.onnx --output OUT/fire_smoke.onnx --reference tests/data/fire_smoke_reference.npz

``combine`` builds a model from two runs' PyTorch heads. When the run that gave the shipped fire channel cannot be
re-created bit for bit (its head file is gone and training on another machine gives other weights), a better smoke
head must not change the fire channel: this keeps the base model's graph for everything but the smoke head
(``/head/heads.1/``) and takes that head from the new run, exported with ``combine``'s graph. Both graphs share the
frozen NanoDet-g backbone, the colour cues and the output layout, so the head's inputs are the same tensors.

The written model is checked before it is kept: on the fixed pattern and on random images its fire channel equals
the base's and its smoke channel equals the new run's (ONNX Runtime), and the reference file is rewritten from the
base reference's fire channel and the run's PyTorch smoke head. The ``.json`` keeps the base's fire run report and
threshold and the new run's smoke report and threshold.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gwanje.detect.onnx_session import packaged_model
from gwanje.training.fire_smoke.cli import NANODET_FILE, reference_image

log = logging.getLogger(__name__)

SMOKE_HEAD = "/head/heads.1/"
"""Name prefix of the smoke head's nodes in ``model.export_onnx``'s graph (PerClassHeads: 0 fire, 1 smoke)."""
DONOR_PREFIX = "smoke_head/"
"""Prefix given to the initializers taken from the new run's graph, so none collides with the base's."""


def splice_smoke_head(base: Any, donor: Any) -> Any:
    """A copy of ONNX model ``base`` whose smoke head nodes are ``donor``'s (both from ``model.export_onnx``)."""
    import onnx

    spliced = onnx.ModelProto()
    spliced.CopyFrom(base)
    graph, donor_graph = spliced.graph, donor.graph
    head = [n for n in donor_graph.node if n.name.startswith(SMOKE_HEAD)]
    if not head or not any(n.name.startswith(SMOKE_HEAD) for n in graph.node):
        raise ValueError(f"both models need a smoke head (nodes named {SMOKE_HEAD}...)")
    donor_inits = {i.name: i for i in donor_graph.initializer}
    donor_producer = {o: n for n in donor_graph.node for o in n.output}
    base_tensors = {o for n in graph.node if not n.name.startswith(SMOKE_HEAD) for o in n.output}
    base_tensors |= {i.name for i in graph.input}
    needed = list(head)
    reused: set[str] = set()
    renamed: dict[str, str] = {}
    produced = {o for n in head for o in n.output}
    pending = [i for n in head for i in n.input if i]
    while pending:  # the head's inputs: the base's own tensors, or weights (and the nodes making them) from the donor
        name = pending.pop()
        if name in produced or name in renamed or name in reused:
            continue
        if name in donor_inits:
            renamed[name] = DONOR_PREFIX + name
        elif name in base_tensors:
            reused.add(name)
        elif name in donor_producer:
            node = donor_producer[name]
            needed.append(node)
            produced.update(node.output)
            pending.extend(i for i in node.input if i)
        else:
            raise ValueError(f"the donor's smoke head reads {name!r}, which neither model provides")
    kept = [n for n in graph.node if not n.name.startswith(SMOKE_HEAD)]
    added = []
    for node in needed:
        copy = onnx.NodeProto()
        copy.CopyFrom(node)
        if not copy.name.startswith(SMOKE_HEAD):
            copy.name = DONOR_PREFIX + copy.name
            for k, out in enumerate(copy.output):
                copy.output[k] = renamed.setdefault(out, DONOR_PREFIX + out)
        added.append(copy)
    for node in added:  # inputs last: outputs of added helper nodes were renamed above
        for k, name in enumerate(node.input):
            node.input[k] = renamed.get(name, name)
    del graph.node[:]
    graph.node.extend(_topological(kept + added))
    for name, new_name in renamed.items():
        if name in donor_inits:
            init = onnx.TensorProto()
            init.CopyFrom(donor_inits[name])
            init.name = new_name
            graph.initializer.append(init)
    used = {i for n in graph.node for i in n.input}
    unused = [i for i in graph.initializer if i.name not in used]
    for init in unused:
        graph.initializer.remove(init)
    onnx.checker.check_model(spliced)
    return spliced


def _topological(nodes: list[Any]) -> list[Any]:
    """``nodes`` ordered so that each comes after the nodes making its inputs (ONNX requires it)."""
    producer = {o: k for k, n in enumerate(nodes) for o in n.output}
    order: list[int] = []
    state = [0] * len(nodes)  # 0 new, 1 visiting, 2 done
    for start in range(len(nodes)):
        stack = [(start, False)]
        while stack:
            k, expanded = stack.pop()
            if state[k] == 2:
                continue
            if expanded:
                state[k] = 2
                order.append(k)
                continue
            state[k] = 1
            stack.append((k, True))
            stack.extend((producer[i], False) for i in nodes[k].input if i in producer and state[producer[i]] == 0)
    return [nodes[k] for k in order]


def _cells(model_path: Path, images: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    import onnxruntime as ort

    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    (cells,) = session.run(None, {"image": images})
    return np.asarray(cells, np.float32)


def check_splice(base: Path, donor: Path, spliced: Path, pattern: npt.NDArray[np.uint8]) -> None:
    """Raise unless ``spliced`` gives the base's fire channel and the donor's smoke channel."""
    rng = np.random.default_rng(0)
    images = np.concatenate([reference_image(pattern), rng.random((3, 3, 256, 256), dtype=np.float32)])
    got, want_fire, want_smoke = (_cells(p, images) for p in (spliced, base, donor))
    np.testing.assert_allclose(got[:, 0], want_fire[:, 0], atol=1e-5, err_msg="fire channel changed")
    np.testing.assert_allclose(got[:, 1], want_smoke[:, 1], atol=1e-5, err_msg="smoke channel is not the run's")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gwanje.training.fire_smoke.splice", description=__doc__)
    parser.add_argument("--base", type=Path, required=True, help="the shipped model (its fire channel is kept)")
    parser.add_argument("--smoke", type=Path, required=True, help="the run whose smoke head replaces the base's")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--reference", type=Path, required=True, help="the base's reference file, rewritten")
    parser.add_argument("--backbone", type=Path, help="NanoDet-g ONNX (default: the packaged one)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    import onnx

    from gwanje.training.fire_smoke.backbone import BackboneRunner
    from gwanje.training.fire_smoke.combine import load_run
    from gwanje.training.fire_smoke.model import PerClassHeads, export_onnx, image_cues, probabilities

    head, smoke_report = load_run(args.smoke)
    nanodet = args.backbone if args.backbone is not None else packaged_model(NANODET_FILE)
    base_reference = np.load(args.reference)
    with tempfile.TemporaryDirectory() as tmp:
        donor = Path(tmp) / "donor.onnx"
        export_onnx(PerClassHeads([copy.deepcopy(head), head]), nanodet, donor)  # two modules: two named heads
        spliced = splice_smoke_head(onnx.load(str(args.base)), onnx.load(str(donor)))
        out = Path(tmp) / "spliced.onnx"
        onnx.save(spliced, str(out))
        check_splice(args.base, donor, out, base_reference["pattern"])
        args.output.parent.mkdir(parents=True, exist_ok=True)
        out.replace(args.output)

    import torch

    image = reference_image(base_reference["pattern"])
    f16, f32 = BackboneRunner(nanodet, 1).features(image)
    cues = torch.from_numpy(image_cues(image)) if head.uses_cues else None
    smoke = probabilities(head, torch.from_numpy(f16), torch.from_numpy(f32), cues).numpy()
    cells = base_reference["cells"].copy()
    cells[:, 1] = smoke[:, 1]
    np.savez_compressed(args.reference, pattern=base_reference["pattern"], cells=cells)

    base_report = json.loads(args.base.with_suffix(".json").read_text())
    report = {
        "combined": {"fire": base_report["combined"]["fire"], "smoke": f"{args.smoke.parent.name}/{args.smoke.name}"},
        "thresholds": {"fire": base_report["thresholds"]["fire"], "smoke": smoke_report["thresholds"]["smoke"]},
        "fire_run": base_report["fire_run"],
        "smoke_run": smoke_report,
    }
    args.output.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["thresholds"]))
    print(
        f"wrote {args.output} ({args.output.stat().st_size / 1e6:.2f} MB); fire channel unchanged, smoke from {args.smoke}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
