"""Weights resolved OFFLINE through the full identify + resolve path vs research/weights-facts.csv (117 rows).

Usage: python bench/bench_weights.py [-v]

Each row's component ids become the references discovery would emit (a loader call, or a manifest line for
libraries), go through ``build_components`` with the Hub offline, an empty Hugging Face cache and no installed
environment (so libraries resolve from the knowledge base), and the resolved license is compared with the
expected normalized license. Prints the share answered correctly (goal 100%) and lists every miss, then the size
of the offline Hub snapshot (hub_models.yaml) and how many of its values were read from the Hub card.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from vlicense.model import Discovery, Location, ModelReference, RequirementReference
from vlicense.resolution.components import build_components
from vlicense.resolution.hf import HubResolver
from vlicense.resolution.installed import Environment
from vlicense.knowledge.knowledge_base import KnowledgeBase

HERE = Location("app.py", 1)

# The expected table lives with the tests (copied once from ../shared/research/weights-facts.csv, which CI lacks).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "kb"))
from weights_facts_table import ROWS  # noqa: E402


def reference(component_id: str) -> ModelReference | RequirementReference:
    """The reference discovery would emit for a component id (DESIGN.md section 4)."""
    kind, _, rest = component_id.partition(":")
    if kind == "pypi":
        return RequirementReference(rest.lower().replace("_", "-"), "", Location("requirements.txt", 1))
    if kind == "torchvision":
        return ModelReference("torchvision", "", HERE, variant=rest)
    if kind == "timm":
        return ModelReference("timm", rest, HERE)
    if kind == "open_clip":
        model, _, tag = rest.partition(":")
        return ModelReference("open_clip", model, HERE, variant=tag)
    if kind == "hf":
        return ModelReference("huggingface", rest, HERE)
    if kind == "ultralytics":
        return ModelReference("ultralytics", rest, HERE, variant="YOLO")
    if kind == "torchhub":
        repo, _, entry = rest.rpartition(":")
        return ModelReference("torchhub", repo, HERE, variant=entry)
    return ModelReference(kind, rest, HERE)  # type: ignore[arg-type]  # rfdetr:<ModelClass>


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every row")
    args = parser.parse_args()
    kb = KnowledgeBase.load()
    cases = [(row, cid, expected) for row, ids, expected in ROWS for cid in ids]
    with tempfile.TemporaryDirectory() as empty_cache:
        hub = HubResolver(offline=True, cache_dir=Path(empty_cache))
        start = time.perf_counter()
        found = Discovery()
        for _, cid, _ in cases:
            ref = reference(cid)
            (found.requirements if isinstance(ref, RequirementReference) else found.models).append(ref)
        components = build_components(found, environment=Environment.from_paths([], None), kb=kb, hub=hub,
                                      project_path=lambda name: None)
        elapsed = time.perf_counter() - start
    by_id = {c.id: c for c in components}
    rows_ok: dict[int, bool] = {}
    misses = []
    for row, cid, expected in cases:
        key = cid if not cid.startswith("pypi:") else "pypi:" + cid[5:].lower().replace("_", "-")
        component = by_id.get(key)
        got = component.license if component else "<no component>"
        ok = component is not None and got == expected
        rows_ok[row] = rows_ok.get(row, True) and ok
        if not ok:
            misses.append(f"  row {row}: {cid}: expected {expected}, got {got}")
        elif args.verbose:
            print(f"  row {row}: {cid}: {got} [{component.license_source}]")
    ids_ok = len(cases) - len(misses)
    print(f"weights-facts rows answered correctly offline: {sum(rows_ok.values())}/{len(rows_ok)} "
          f"({100.0 * sum(rows_ok.values()) / len(rows_ok):.1f}%)")
    print(f"component ids answered correctly offline: {ids_ok}/{len(cases)} ({100.0 * ids_ok / len(cases):.1f}%)")
    print(f"resolution time for {len(cases)} references: {elapsed * 1000:.0f} ms")
    hub = [fact for cid in sorted(kb.model_ids()) if cid.startswith("hf:") and (fact := kb.model(cid))]
    card = sum(1 for fact in hub if fact.basis == "card")
    print(f"offline Hub snapshot: {len(hub)} models, {sum(1 for f in hub if f.license)} with a license; "
          f"{card} read from their Hub card, {len(hub) - card} inferred from upstream")
    if misses:
        print("misses:")
        print("\n".join(misses))
    return 0 if not misses else 1


if __name__ == "__main__":
    sys.exit(main())
