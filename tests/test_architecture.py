"""The shape of the code, checked: imports flow one way, no import circle, the wiring names no rule or detector,
no package uses another's private names, and no tracked file carries a path of one machine."""

from __future__ import annotations

import ast
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "gwanje"

LAYERS: dict[str, int] = {
    "core": 0,
    "config": 1,
    "ingest": 2,
    "detect": 2,
    "track": 2,
    "store": 2,
    "events": 3,
    "alerts": 3,
    "runtime": 4,
    "api": 5,
    "eval": 5,
    "web": 6,
    "training": 6,
    "cli": 7,
}
"""A package may import only packages of a lower layer (and itself); see docs/architecture.md."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in SRC.rglob("*.py")}


def _imports(path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, str, int]]:
    """(imported module, imported name or '', line) for every gwanje import of a file, deferred ones included."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("gwanje."):
                    yield alias.name, "", node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("gwanje"):
            assert node.module is not None
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield (sub, "", node.lineno) if sub in modules else (node.module, alias.name, node.lineno)


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else ""


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(LAYERS), f"add {sorted(packages - set(LAYERS))} to LAYERS and to docs/architecture.md"


def test_imports_flow_one_way() -> None:
    modules = _modules()
    wrong: list[str] = []
    for name, path in modules.items():
        source = _package(name)
        for target, _, line in _imports(path, modules):
            goal = _package(target)
            if source and goal and goal != source and LAYERS[goal] >= LAYERS[source]:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {source} (layer {LAYERS[source]}) imports {target}")
    assert not wrong, "imports running back up or sideways:\n" + "\n".join(wrong)


def test_no_import_circle() -> None:
    modules = _modules()
    graph = {name: {t for t, _, _ in _imports(path, modules) if t in modules} for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    # a package's __init__ re-exporting its own modules is not a circle between stages
    circles = [c for c in circles if len({_package(m) for m in c}) > 1 or len(c) > 2]
    assert not circles, f"import circles: {circles}"


def test_no_package_uses_another_packages_private_names() -> None:
    modules = _modules()
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: imports {target}.{name}"
        for module, path in modules.items()
        for target, name, line in _imports(path, modules)
        if name.startswith("_") and not name.startswith("__") and _package(target) != _package(module)
    ]
    assert not wrong, "\n".join(wrong)


RULE_OR_DETECTOR = re.compile(
    r"\b(\w+RuleConfig|Fall\w*|Intrusion\w*|Loitering\w*|Crowding\w*|LineCrossing\w*|FireSmoke\w*|Fight\w*|Person\w*|Pose\w*)\b"
    r"|[\"'](fire|smoke|fight|fall|person|pose|intrusion|loitering|crowding|line_crossing)[\"']"
)


def test_the_wiring_names_no_rule_and_no_detector() -> None:
    """runtime/ builds every camera from what rules declare they need and detectors declare they produce."""
    named = [
        f"{p.relative_to(ROOT)}:{n}: {m.group(0)}"
        for p in sorted((SRC / "runtime").rglob("*.py"))
        for n, text in enumerate(p.read_text().splitlines(), 1)
        if not text.lstrip().startswith("#")
        for m in RULE_OR_DETECTOR.finditer(text.split("#")[0])
    ]
    assert not named, "runtime/ names rules or detectors:\n" + "\n".join(named)


MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|home|root|tmp|Users|mnt)/[\w.-]+")


def test_no_tracked_file_carries_a_machine_path() -> None:
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    found: list[str] = []
    for rel in listed.splitlines():
        path = ROOT / rel
        if path.suffix not in {".py", ".md", ".json", ".txt", ".yaml", ".yml", ".toml", ".csv", ".cfg", ".ini"}:
            continue
        if not path.is_file() or rel == "tests/test_architecture.py":
            continue
        for n, text in enumerate(path.read_text(errors="replace").splitlines(), 1):
            found += [f"{rel}:{n}: {m.group(0)}" for m in MACHINE_PATH.finditer(text)]
    assert not found, "paths of one machine in tracked files (use relative paths or GWANJE_DATASETS):\n" + "\n".join(
        found
    )
