"""Time a full offline audit of a large tree of real Python code against a baseline measured in the same run.

Usage: python bench/bench_audit.py [--tree DIR] [--repeat N]

Without --tree, the bench assembles a tree from the source of packages installed in this environment
(about 15 MB of real code), so the figure is reproducible on any machine with the test extra installed.
Baseline: one bare ``ast.parse`` of every .py file in the tree (the least any static scanner must do).
The figure printed is audit time / baseline time.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Pure-Python packages pulled in by the core and test extras: real, varied code that every machine has.
DEFAULT_PACKAGES = (
    "pip", "setuptools", "huggingface_hub", "jinja2", "click", "yaml", "packaging", "license_expression",
    "boolean", "jsonschema", "pytest", "_pytest", "pluggy", "platformdirs", "piplicenses", "build", "hatchling",
    "cyclonedx", "idna", "certifi", "markupsafe", "attr", "attrs", "referencing", "rpds", "tqdm", "filelock",
    "fsspec", "prettytable", "wcwidth", "pyparsing", "httpx", "httpcore", "anyio", "h11", "sniffio",
)


def assemble_tree(target: Path, budget_bytes: int = 15_000_000) -> Path:
    """Copy the .py files of installed packages into ``target`` until about ``budget_bytes`` of code."""
    total = 0
    for name in DEFAULT_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        source = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(source.rglob("*.py")):
            if total >= budget_bytes:
                return target
            relative = Path(name) / path.relative_to(source)
            destination = target / "vendor_tree" / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            total += path.stat().st_size
    return target


def time_it(function, repeat: int) -> float:
    """Median wall time of ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def parse_all(tree: Path) -> int:
    count = 0
    for path in tree.rglob("*.py"):
        try:
            ast.parse(path.read_bytes())
            count += 1
        except (SyntaxError, ValueError):
            pass
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, help="tree to audit (default: assembled from installed packages)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from vlicense.pipeline import AuditOptions, run_audit

    with tempfile.TemporaryDirectory(prefix="vlicense-bench-") as scratch:
        tree = args.tree or assemble_tree(Path(scratch))
        files = list(tree.rglob("*.py"))
        size_mb = sum(p.stat().st_size for p in files) / 1e6
        # Cold: no per-file cache (every file read and analyzed); warm: the cache filled by a first run.
        os.environ["VLICENSE_CACHE_DIR"] = str(Path(scratch) / "cache")
        cold_options = AuditOptions(path=tree, policy="closed-source-saas", offline=True, cache=False)
        warm_options = AuditOptions(path=tree, policy="closed-source-saas", offline=True, cache=True)
        baseline = time_it(lambda: parse_all(tree), args.repeat)
        cold = time_it(lambda: run_audit(cold_options), args.repeat)
        run_audit(warm_options)
        warm = time_it(lambda: run_audit(warm_options), args.repeat)
        result = run_audit(cold_options)
    print(f"tree: {len(files)} .py files, {size_mb:.1f} MB")
    print(f"baseline (bare ast.parse of every file): {baseline:.2f} s")
    print(f"vlicense audit, cold (offline, no cache, median of {args.repeat}): {cold:.2f} s")
    print(f"vlicense audit, warm (offline, cache filled, median of {args.repeat}): {warm:.2f} s")
    print(f"ratio cold audit / baseline: {cold / baseline:.2f}")
    print(f"ratio warm audit / baseline: {warm / baseline:.2f}")
    print(f"components: {len(result.components)}, unresolved: {len(result.unresolved)}, skipped: {len(result.skipped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
