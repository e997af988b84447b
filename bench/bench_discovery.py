"""Time discovery and a full offline audit (cold and warm cache) against deptry's import scan of the same tree.

Usage: python bench/bench_discovery.py [--tree DIR] [--double DIR] [--repeat N]

Without --tree, the tree is assembled from the source of installed packages (about 15 MB of real code, as in
bench_audit.py). The large tree of issue 9 (about 60 MB of real code with big notebooks: timm, detectron2,
open_clip, supervision, Grounded-SAM, ...) is built from pinned repositories by bench/build_tree.py:

    python bench/build_tree.py /tmp/trees/x1                 # 1x
    python bench/build_tree.py /tmp/trees/x2 --copies 2      # the same repositories twice: 2x
    python bench/bench_discovery.py --tree /tmp/trees/x1 --double /tmp/trees/x2

deptry (pip install deptry) is measured in the same run, in-process, the way its CLI scans:
``python_file_finder.get_all_python_files_in`` then ``imports.extract.get_imported_modules_from_list_of_files``
(Rust parser, all cores). "cold" = empty vlicense cache directory; "warm" = the same tree again with the cache
the cold run wrote. Every figure is the minimum of --repeat runs (the machine may be shared: the minimum is the
least disturbed run); "cpu" adds the worker processes' time. Targets (issue 9): cold audit <= deptry, warm audit
<= 20% of cold, and the 2x tree about twice the 1x tree (linear).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_audit import assemble_tree


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def min_time(function, repeat: int, before=None) -> tuple[float, float]:
    """(minimum wall time, CPU time of that run) over ``repeat`` calls."""
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        if before is not None:
            before()
        cpu, start = _cpu(), time.perf_counter()
        function()
        wall = time.perf_counter() - start
        best = min(best, (wall, _cpu() - cpu))
    return best


def deptry_scan(tree: Path) -> int:
    from deptry.imports.extract import get_imported_modules_from_list_of_files
    from deptry.python_file_finder import get_all_python_files_in

    files = get_all_python_files_in((tree,), exclude=(), extend_exclude=(), using_default_exclude=True)
    return len(get_imported_modules_from_list_of_files(files))


def parse_floor(tree: Path, found) -> tuple[float, float, int, float]:
    """(parse seconds, lexer seconds, files, MB), each split ideally over the cores: CPython's ast.parse of just the
    .py files holding a finding, and vlicense's import lexer (the cheap pass) over every .py file. An analysis
    built on the ast module that reports every file's imports cannot cost less than their sum: it is an oracle that
    knew in advance which files to parse, with the analysis, notebooks, linking and the audit free."""
    import ast

    from vlicense.discovery import prefilter

    rels = {loc.path for loc in [*(m.location for m in found.models), *(u.location for u in found.unresolved),
                                 *(h.location for h in found.hygiene)] if loc.path.endswith(".py")}
    sources = [(tree / rel).read_bytes() for rel in sorted(rels)]
    cores = os.cpu_count() or 1
    start = time.perf_counter()
    for source in sources:
        try:
            ast.parse(source)
        except (SyntaxError, ValueError):
            pass  # repaired sources (IPython lines) cost the analysis more, not less
    parse = (time.perf_counter() - start) / cores
    every = sorted(str(p.relative_to(tree)) for p in tree.rglob("*.py") if p.is_file())
    start = time.perf_counter()
    for rel in every:
        prefilter(str(tree / rel), rel)
    lexer = (time.perf_counter() - start) / cores
    return parse, lexer, len(sources), sum(map(len, sources)) / 1e6


def tree_size(tree: Path) -> tuple[int, float]:
    files = [p for p in tree.rglob("*") if p.suffix in (".py", ".ipynb") and p.is_file()]
    return len(files), sum(p.stat().st_size for p in files) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, help="tree to scan (default: assembled from installed packages)")
    parser.add_argument("--double", type=Path, help="the same tree twice (build_tree.py --copies 2): linearity check")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import logging

    from vlicense.discovery import discover
    from vlicense.pipeline import AuditOptions, run_audit

    logging.disable(logging.WARNING)  # deptry logs every file it cannot parse
    try:
        import deptry.imports.extract  # import cost is not part of the scan
    except ImportError:
        print("deptry is not installed (pip install deptry)", file=sys.stderr)
        return 2

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="vlicense-bench-") as scratch:
        scratch_path = Path(scratch)
        tree = args.tree or assemble_tree(scratch_path / "tree")
        files, size_mb = tree_size(tree)
        cache = scratch_path / "cache"
        os.environ["VLICENSE_CACHE_DIR"] = str(cache)

        def clear() -> None:
            for path in cache.glob("*"):
                path.unlink()

        def audit(root: Path):
            return lambda: run_audit(AuditOptions(path=root, policy="closed-source-saas", offline=True))

        deptry, deptry_cpu = min_time(lambda: deptry_scan(tree), args.repeat)
        modules = deptry_scan(tree)
        cold_discover, cold_cpu = min_time(lambda: discover(tree), args.repeat, before=clear)
        serial_discover, _ = min_time(lambda: discover(tree, jobs=1), args.repeat, before=clear)
        cold_audit, audit_cpu = min_time(audit(tree), args.repeat, before=clear)
        audit(tree)()  # leaves a warm cache
        warm_discover, _ = min_time(lambda: discover(tree), args.repeat)
        warm_audit, _ = min_time(audit(tree), args.repeat)
        found = discover(tree)
        floor_parse, floor_lexer, floor_files, floor_mb = min(parse_floor(tree, found) for _ in range(args.repeat))
        if args.double:
            double_files, double_mb = tree_size(args.double)
            double_audit, double_cpu = min_time(audit(args.double), args.repeat, before=clear)
    print(f"tree: {files} .py/.ipynb files, {size_mb:.1f} MB, {os.cpu_count()} cores; min of {args.repeat} runs")
    # Other processes on the machine distort wall times (CPU times less): the load says how quiet it was.
    print(f"load average (1 min) before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}")
    print(f"deptry import scan (Rust):           {deptry:6.2f} s  (cpu {deptry_cpu:.2f} s, {modules} modules)")
    print(f"vlicense discover, cold:             {cold_discover:6.2f} s  (cpu {cold_cpu:.2f} s; serial: {serial_discover:.2f} s)")
    print(f"vlicense discover, warm:             {warm_discover:6.2f} s")
    print(f"vlicense audit (offline), cold:      {cold_audit:6.2f} s  (cpu {audit_cpu:.2f} s)")
    print(f"vlicense audit (offline), warm:      {warm_audit:6.2f} s")
    print(f"ratio cold audit / deptry:           {cold_audit / deptry:6.2f}   (target <= 1.00)")
    print(f"ratio cold discover / deptry:        {cold_discover / deptry:6.2f}")
    floor = floor_parse + floor_lexer
    print(f"floor of an ast-based analysis:      {floor:6.2f} s  = {floor / deptry:.2f}x deptry (ast.parse of the {floor_files} "
          f".py files holding a finding, {floor_mb:.1f} MB: {floor_parse:.2f} s, + the import lexer over every .py file: "
          f"{floor_lexer:.2f} s; each / {os.cpu_count()} cores)")
    print(f"ratio warm audit / cold audit:       {warm_audit / cold_audit:6.2f}   (target <= 0.20)")
    print(f"ratio warm discover / cold discover: {warm_discover / cold_discover:6.2f}")
    if args.double:
        print(f"2x tree: {double_files} files, {double_mb:.1f} MB; cold audit {double_audit:.2f} s (cpu {double_cpu:.2f} s)")
        print(f"ratio 2x / 1x cold audit:            {double_audit / cold_audit:6.2f}   (linear: about 2; cpu {double_cpu / audit_cpu:.2f})")
    print(f"found: {len(found.imports)} imports, {len(found.models)} models, {len(found.unresolved)} unresolved, "
          f"{len(found.skipped)} skipped, {found.files_scanned} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
