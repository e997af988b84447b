"""Held-out door projects (tests/fixtures/holdout_doors): audit each one and print the table of bench/doors_holdout.md.

Usage: python bench/doors_holdout.py [--markdown] [--cases DIR]

``--cases`` audits another directory of cases in the same format (tests/fixtures/holdout_doors2: the second
held-out set, bench/doors_holdout2.md); the default is the first set.

Each case is a small project written the way users write it (README usage of the library, other import styles,
requirements/pyproject, a policy preset, the flows of issue 9); its expected.yaml names the component ids, their
licenses, the verdict and the exit code of ``vlicense audit <case> --format json --offline --python none
--policy <policy>``. A case passes when every expected component is found with its license, no ``absent`` id
is reported, and the verdict and exit code match. Prints one row per case and the pass count.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from pathlib import Path

import yaml

from vlicense.cli import main

CASES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "holdout_doors"


def audit(case: Path, policy: str) -> tuple[int, dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(["audit", str(case), "--format", "json", "--offline", "--python", "none", "--no-cache", "--policy", policy])
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
    return code, json.loads(out.getvalue())


def check(case: Path) -> tuple[dict, str, bool]:
    expected = yaml.safe_load((case / "expected.yaml").read_text())
    code, report = audit(case, expected["policy"])
    found = {c["id"]: c["license"] for c in report["components"]}
    problems = [f"{w['id']} missing" for w in expected["components"] if w["id"] not in found]
    problems += [f"{w['id']}: {found[w['id']]}" for w in expected["components"] if w["id"] in found and found[w["id"]] != w["license"]]
    problems += [f"{a} reported" for a in expected.get("absent", ()) if a in found]
    if (report["verdict"], code) != (expected["verdict"], expected["exit_code"]):
        problems.append(f"verdict {report['verdict']} (exit {code})")
    got = "; ".join(problems) or f"as expected ({report['verdict']}, exit {code})"
    return expected, got, not problems


def main_cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the rows as a Markdown table")
    parser.add_argument("--cases", type=Path, default=CASES, help="directory of cases (default: %(default)s)")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1764374400")
    cases = sorted(p for p in args.cases.iterdir() if (p / "expected.yaml").is_file())
    passed = 0
    if args.markdown:
        print("| case | door | project shape | expected (component: license) | policy -> verdict (exit) | got | result |")
        print("|---|---|---|---|---|---|---|")
    for case in cases:
        expected, got, ok = check(case)
        passed += ok
        want = "; ".join(f"`{c['id']}`: {c['license'] or 'unknown'}" for c in expected["components"]) or "nothing"
        if expected.get("absent"):
            want += "; not " + ", ".join(f"`{a}`" for a in expected["absent"])
        verdict = f"{expected['policy']} -> {expected['verdict']} ({expected['exit_code']})"
        if args.markdown:
            print(f"| {case.name} | {expected['door']} | {expected['shape'].replace('|', '/')} | {want} | {verdict} | {got} | {'pass' if ok else 'FAIL'} |")
        else:
            print(f"{'pass' if ok else 'FAIL'}  {case.name:45} {got}")
    print(f"\n{passed}/{len(cases)} held-out door projects pass", file=sys.stderr if args.markdown else sys.stdout)
    return 0 if passed == len(cases) else 1


if __name__ == "__main__":
    raise SystemExit(main_cli())
