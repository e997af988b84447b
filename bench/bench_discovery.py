"""Time discovery and a full offline audit (cold and warm cache) against deptry's import scan of the same tree.

Usage: python bench/bench_discovery.py [--tree DIR] [--repeat N]

Without --tree, the tree is assembled from the source of installed packages (about 15 MB of real code, as in
bench_audit.py). deptry (pip install deptry) is measured in the same run, in-process, the way its CLI scans:
``python_file_finder.get_all_python_files_in`` then ``imports.extract.get_imported_modules_from_list_of_files``
(Rust parser, all cores). "cold" = empty vlicense cache directory; "warm" = the same tree again with the cache
the cold run wrote. Targets (issue 3): cold audit <= deptry, warm audit <= 20% of cold.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_audit import assemble_tree


def median_time(function, repeat: int, before=None) -> float:
    samples = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def deptry_scan(tree: Path) -> int:
    from deptry.imports.extract import get_imported_modules_from_list_of_files
    from deptry.python_file_finder import get_all_python_files_in

    files = get_all_python_files_in((tree,), exclude=(), extend_exclude=(), using_default_exclude=True)
    return len(get_imported_modules_from_list_of_files(files))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, help="tree to scan (default: assembled from installed packages)")
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

    with tempfile.TemporaryDirectory(prefix="vlicense-bench-") as scratch:
        scratch_path = Path(scratch)
        tree = args.tree or assemble_tree(scratch_path / "tree")
        files = list(tree.rglob("*.py"))
        size_mb = sum(p.stat().st_size for p in files) / 1e6
        cache = scratch_path / "cache"
        os.environ["VLICENSE_CACHE_DIR"] = str(cache)
        options = AuditOptions(path=tree, policy="closed-source-saas", offline=True)

        def clear() -> None:
            for path in cache.glob("*"):
                path.unlink()

        deptry = median_time(lambda: deptry_scan(tree), args.repeat)
        modules = deptry_scan(tree)
        cold_discover = median_time(lambda: discover(tree), args.repeat, before=clear)
        serial_discover = median_time(lambda: discover(tree, jobs=1), args.repeat, before=clear)
        cold_audit = median_time(lambda: run_audit(options), args.repeat, before=clear)
        run_audit(options)  # leaves a warm cache
        warm_discover = median_time(lambda: discover(tree), args.repeat)
        warm_audit = median_time(lambda: run_audit(options), args.repeat)
        found = discover(tree)
    print(f"tree: {len(files)} .py files, {size_mb:.1f} MB, {os.cpu_count()} cores")
    print(f"deptry import scan (Rust):           {deptry:6.2f} s  ({modules} modules)")
    print(f"vlicense discover, cold:             {cold_discover:6.2f} s  (serial: {serial_discover:.2f} s)")
    print(f"vlicense discover, warm:             {warm_discover:6.2f} s")
    print(f"vlicense audit (offline), cold:      {cold_audit:6.2f} s")
    print(f"vlicense audit (offline), warm:      {warm_audit:6.2f} s")
    print(f"ratio cold audit / deptry:           {cold_audit / deptry:6.2f}   (target <= 1.00)")
    print(f"ratio cold discover / deptry:        {cold_discover / deptry:6.2f}")
    print(f"ratio warm audit / cold audit:       {warm_audit / cold_audit:6.2f}   (target <= 0.20)")
    print(f"ratio warm discover / cold discover: {warm_discover / cold_discover:6.2f}")
    print(f"found: {len(found.imports)} imports, {len(found.models)} models, {len(found.unresolved)} unresolved, "
          f"{len(found.skipped)} skipped, {found.files_scanned} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
