"""Time what a pre-commit hook costs: a warm `vlicense audit examples/shelf-auditor --offline`, as a whole process.

Usage: python bench/bench_precommit.py [--project DIR] [--repeat N] [--budget SECONDS] [--importtime]

Each measurement starts a fresh process (interpreter start-up, imports, the audit, the report), the way
pre-commit runs the hook. The first run is discarded (cold file cache, .pyc compilation); the figure is the
median of the warm runs. Baseline, measured in the same run: `python -c "import click"`, the least any
click-based command-line tool pays before doing anything. The ratio audit / baseline is printed with the figure.
With --importtime, the slowest imports of one warm run are listed (python -X importtime).
Exit status 1 when the median exceeds --budget (default 0.5 s), so CI can watch it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(command: list[str], env: dict[str, str], repeat: int) -> list[float]:
    """Wall times of ``repeat`` warm runs of ``command`` (after one discarded warm-up run)."""
    subprocess.run(command, env=env, capture_output=True, check=False)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return times


def slowest_imports(command: list[str], env: dict[str, str], top: int = 15) -> list[tuple[int, str]]:
    """(cumulative microseconds, module) of the top-level imports of one run, slowest first."""
    done = subprocess.run([command[0], "-X", "importtime", *command[1:]], env=env, capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:"):].split("|"))
        if cumulative.isdigit() and not name.startswith(" ") and not line.rstrip().endswith("| "):
            depth = len(line.split("|")[2]) - len(line.split("|")[2].lstrip())
            if depth <= 1:
                rows.append((int(cumulative), name))
    return sorted(rows, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=REPO / "examples" / "shelf-auditor")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--budget", type=float, default=0.5)
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args(argv)

    # PYTHONDONTWRITEBYTECODE would make every run compile vlicense from source (~0.2 s): a hook's venv has its
    # bytecode written at install, so the bench lets the warm-up run write it too.
    env = {k: v for k, v in os.environ.items() if not k.startswith("VLICENSE_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["HF_HUB_OFFLINE"] = "1"
    audit = [sys.executable, "-m", "vlicense", "audit", str(args.project), "--offline"]
    baseline = [sys.executable, "-c", "import click"]

    check = subprocess.run(audit, env=env, capture_output=True, text=True)
    if check.returncode not in (0, 1):
        print(f"audit failed (exit {check.returncode}): {check.stderr.strip()}", file=sys.stderr)
        return 2
    audit_times = timed(audit, env, args.repeat)
    base_times = timed(baseline, env, args.repeat)
    audit_s, base_s = statistics.median(audit_times), statistics.median(base_times)
    print(f"project: {args.project}  (load average, 1 min: {os.getloadavg()[0]:.2f})")
    print(f"warm audit (whole process, median of {args.repeat}): {audit_s:.3f} s  (min {min(audit_times):.3f}, max {max(audit_times):.3f})")
    print(f"baseline `python -c 'import click'` (median):      {base_s:.3f} s")
    print(f"ratio audit / baseline: {audit_s / base_s:.1f}x")
    print(f"budget {args.budget:.2f} s: {'ok' if audit_s <= args.budget else 'OVER BUDGET'}")
    if args.importtime:
        print("slowest top-level imports (cumulative ms):")
        for micros, name in slowest_imports(audit, env):
            print(f"  {micros / 1000:7.1f}  {name}")
    return 0 if audit_s <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
