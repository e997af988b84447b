"""No stage imports from a stage above it; the knowledge package imports no stage at all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "vlicense"
# Lower layers first. A module may import its own layer and the layers below it.
LAYERS = ["knowledge", "discovery", "resolution", "policy", "report"]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {m for m in found if m.startswith("vlicense.")}


@pytest.mark.parametrize("layer", LAYERS)
def test_no_upward_imports(layer: str) -> None:
    above = LAYERS[LAYERS.index(layer) + 1:]
    problems = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for module in _imported_modules(path):
            parts = module.split(".")
            if len(parts) > 1 and parts[1] in above:
                problems.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert problems == []


def test_knowledge_imports_only_helpers() -> None:
    """The knowledge floor reads data; it may use shared helpers but none of the stages or the CLI."""
    stages = {*LAYERS[1:], "cli", "pipeline", "explain", "config"}
    problems = []
    for path in sorted((PACKAGE / "knowledge").rglob("*.py")):
        for module in _imported_modules(path):
            if module.split(".")[1] in stages:
                problems.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert problems == []
