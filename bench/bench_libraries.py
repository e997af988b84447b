"""Library license resolution on a real environment: vlicense vs pip-licenses, measured in the same run.

Usage: python bench/bench_libraries.py [--site DIR ...] [--python PY] [--pip-licenses EXE] [--repeat N]

Without --site, the current interpreter's site directories are used. pip-licenses runs as a subprocess
(``--format=json --with-system``) on the same environment (``--python`` names that environment's interpreter;
derived from the site dir layout when not given). Our side is timed the same way, as a subprocess that reads the
environment and resolves every distribution, so both include interpreter start-up; the in-process time and an
importlib.metadata-based equivalent are printed too. Prints: packages, share we resolve to a valid SPDX
expression (and how many of those are specific ids rather than a "family, variant unspecified" ref), share of
pip-licenses answers that are valid SPDX, agreement where pip-licenses' answer is valid SPDX, and the wall-time
ratio ours / pip-licenses. Lists what we leave unresolved and why.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from license_expression import get_spdx_licensing
from packaging.utils import canonicalize_name

from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.resolution import spdx
from vlicense.resolution.merge import kb_license_fact, merge_facts
from vlicense.resolution.environment import find_site_dirs
from vlicense.resolution.installed import Environment

_OURS_SNIPPET = """
import sys
from pathlib import Path
from vlicense.resolution.installed import Environment
env = Environment.from_paths([Path(p) for p in sys.argv[1:]])
resolved = {name: d.license for name, d in env.distributions.items()}
print(len(resolved))
"""


def _timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _interpreter_for(site_dirs: list[Path]) -> str | None:
    for site in site_dirs:
        for prefix in list(site.parents)[:4]:
            for candidate in ("bin/python3", "bin/python", "Scripts/python.exe"):
                exe = prefix / candidate
                if exe.exists():
                    return str(exe)
    return None


def _importlib_equivalent(site_dirs: list[Path]) -> dict[str, str | None]:
    """The same resolution through importlib.metadata (what pip-licenses builds on), for a timing comparison."""
    from importlib.metadata import distributions

    out: dict[str, str | None] = {}
    for dist in distributions(path=[str(s) for s in site_dirs]):
        meta = dist.metadata
        name = canonicalize_name(meta["Name"] or "")
        if not name or name in out:
            continue
        value = spdx.normalize(meta.get("License-Expression"))
        if value is None:
            value = spdx.from_classifiers(c for c in (meta.get_all("Classifier") or []) if c.startswith("License"))
        if value is None:
            value = spdx.normalize(meta.get("License"))
        out[name] = value
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", action="append", type=Path, help="site-packages directory (repeatable)")
    parser.add_argument("--python", help="the interpreter of that environment, for pip-licenses --python")
    parser.add_argument("--pip-licenses", default=shutil.which("pip-licenses") or "/tmp/devvenv/bin/pip-licenses")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    if args.site:
        site_dirs = [s.resolve() for s in args.site]
        target_python = args.python or _interpreter_for(site_dirs)
    else:
        site_dirs = list(find_site_dirs(Path.cwd(), args.python).site_dirs)
        target_python = args.python or sys.executable

    # Ours, in-process (warm: license-expression's SPDX table already loaded) and as a cold subprocess.
    Environment.from_paths(site_dirs)
    t_ours_warm, env = _timed(lambda: Environment.from_paths(site_dirs), args.repeat)
    t_ours_cold, _ = _timed(lambda: subprocess.run([sys.executable, "-c", _OURS_SNIPPET, *map(str, site_dirs)],
                                                  check=True, capture_output=True), args.repeat)
    t_importlib, _ = _timed(lambda: _importlib_equivalent(site_dirs), args.repeat)

    pip_cmd = [args.pip_licenses, "--format=json", "--with-system"]
    if target_python:
        pip_cmd.append(f"--python={target_python}")
    t_pip, proc = _timed(lambda: subprocess.run(pip_cmd, check=False, capture_output=True, text=True), args.repeat)
    pip_answers: dict[str, str] = {}
    if proc.returncode == 0:
        for row in json.loads(proc.stdout):
            pip_answers[canonicalize_name(row["Name"])] = row["License"]
    else:
        print(f"pip-licenses failed ({proc.returncode}): {proc.stderr.strip()[:300]}")

    dists = env.distributions
    total = len(dists)
    valid = [n for n, d in dists.items() if d.license is not None and spdx.is_valid(d.license)]
    specific = [n for n in valid if not spdx.is_vague(dists[n].license)]
    licensing = get_spdx_licensing()
    pip_valid = {n: a for n, a in pip_answers.items() if spdx.is_valid(a)}
    compared = agree = 0
    disagreements = []
    for name, answer in sorted(pip_valid.items()):
        ours = dists.get(name).license if name in dists else None
        if name not in dists:
            continue
        compared += 1
        if ours is not None and licensing.is_equivalent(licensing.parse(answer), licensing.parse(ours)):
            agree += 1
        else:
            disagreements.append((name, answer, ours))

    def pct(part: int, whole: int) -> str:
        return f"{100.0 * part / whole:.1f}%" if whole else "n/a"

    print(f"environment: {', '.join(map(str, site_dirs))}")
    print(f"packages (ours): {total}   packages (pip-licenses): {len(pip_answers)}")
    print(f"resolved by us to a valid SPDX expression: {len(valid)}/{total} = {pct(len(valid), total)}"
          f"  (specific, not a 'variant unspecified' ref: {pct(len(specific), total)})")
    print(f"pip-licenses answers that are valid SPDX: {len(pip_valid)}/{len(pip_answers)} = "
          f"{pct(len(pip_valid), len(pip_answers))}")
    print(f"agreement where pip-licenses is valid SPDX: {agree}/{compared} = {pct(agree, compared)}")
    for name, answer, ours in disagreements:
        print(f"  differs: {name}: pip-licenses {answer!r}, ours {ours!r}")
    print(f"time ours (subprocess, cold): {t_ours_cold * 1000:.0f} ms   pip-licenses (subprocess): "
          f"{t_pip * 1000:.0f} ms   ratio ours/pip-licenses: {t_ours_cold / t_pip:.2f}")
    print(f"time ours (in-process, warm): {t_ours_warm * 1000:.1f} ms   importlib.metadata equivalent "
          f"(in-process): {t_importlib * 1000:.1f} ms   ratio: {t_ours_warm / t_importlib:.2f}")
    # What an audit reports: installed metadata first, the bundled knowledge base where the metadata says nothing.
    kb = KnowledgeBase.load()
    audited = {}
    for name, dist in dists.items():
        fact = kb.library(name)
        facts = list(dist.facts) + ([kb_license_fact(fact)] if fact is not None else [])
        audited[name] = merge_facts(facts)[0]
    audited_valid = [n for n, lic in audited.items() if lic is not None and spdx.is_valid(lic)]
    print(f"as an audit reports it (installed metadata, then the knowledge base): {len(audited_valid)}/{total} = "
          f"{pct(len(audited_valid), total)} valid SPDX")
    unresolved = [d for d in dists.values() if d.license is None or not spdx.is_valid(d.license)]
    print(f"unresolved ({len(unresolved)}):")
    for dist in unresolved:
        why = "; ".join(f.detail for f in dist.facts) or "no license metadata"
        print(f"  {dist.name} {dist.version}: {why}")
    vague = [d for d in dists.values() if d.license and spdx.is_vague(d.license)]
    print(f"family known, variant unspecified ({len(vague)}): "
          + ", ".join(f"{d.name}={d.license}" for d in vague))
    if env.problems:
        print(f"unreadable ({len(env.problems)}): " + "; ".join(f"{p.path}: {p.reason}" for p in env.problems))
    return 0


if __name__ == "__main__":
    sys.exit(main())
