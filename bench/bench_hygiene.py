"""Model-hygiene findings on real project trees, for checking by hand (see bench/hygiene_findings.md).

Usage: python bench/bench_hygiene.py TREE [TREE ...] [--verdicts bench/hygiene_findings.md]

Runs the full audit offline (no installed environment, no cache) on each tree and prints every hygiene finding as
one line: tree, rule, component, file:line, and what was found against what the weights expect. With
``--verdicts``, each printed finding is looked up (by tree, rule, component and path:line) in the table of hand
verdicts and the precision is printed: correct / (correct + wrong); findings without a verdict are listed as
unchecked, so a new finding cannot slip past the count. Also prints the time the hygiene analysis adds, as a ratio
against the same audit with the discovery hook stubbed out and the family switched off (measured in this run).
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
import tempfile
import time
from pathlib import Path

from vlicense.discovery import preprocessing
from vlicense.pipeline import AuditOptions, run_audit

REPEAT = 3
HYGIENE_RULES = ("preprocessing-mismatch", "missing-normalization", "processor-mismatch", "untrained-backbone")
_ROW = re.compile(r"^\|\s*(?P<tree>[^|]+?)\s*\|\s*`?(?P<rule>[a-z-]+)`?\s*\|\s*`?(?P<component>[^|`]+?)`?\s*\|\s*`?(?P<where>[^|`]+?)`?\s*\|"
                  r"\s*(?P<verdict>correct|wrong)\b")


def clock() -> datetime.datetime:
    return datetime.datetime(2026, 12, 5, tzinfo=datetime.timezone.utc)


def findings(tree: Path, policy: str) -> list[tuple[str, str, str, str]]:
    """(rule, component, path:line, message) for every hygiene finding of one tree."""
    result = run_audit(AuditOptions(path=tree, policy=policy, offline=True, python="none", cache=False, jobs=1), clock=clock)
    out = []
    for f in result.findings:
        if f.rule in HYGIENE_RULES:
            loc = f.locations[0]
            out.append((f.rule, f.component, f"{loc.path}:{loc.line}", f.message))
    return sorted(out)


def verdicts(path: Path) -> dict[tuple[str, str, str, str], str]:
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            table[(m["tree"], m["rule"], m["component"], m["where"])] = m["verdict"]
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--verdicts", type=Path, help="the Markdown table of hand verdicts")
    args = parser.parse_args()
    known = verdicts(args.verdicts) if args.verdicts else {}
    with tempfile.TemporaryDirectory() as tmp:
        off = Path(tmp) / "off.yaml"
        off.write_text("extends: closed-source-saas\nhygiene: false\n", encoding="utf-8")
        counts = {"correct": 0, "wrong": 0, "unchecked": 0}
        with_hygiene = without = 0.0
        for tree in args.trees:
            # Best of REPEAT runs each way (other processes share the machine).
            base, full = [], []
            for _ in range(REPEAT):
                observe = preprocessing.observe
                preprocessing.observe = lambda module, references: []  # the baseline: no hygiene analysis at all
                try:
                    start = time.perf_counter()
                    run_audit(AuditOptions(path=tree, policy=str(off), offline=True, python="none", cache=False, jobs=1), clock=clock)
                    base.append(time.perf_counter() - start)
                finally:
                    preprocessing.observe = observe
                start = time.perf_counter()
                rows = findings(tree, "closed-source-saas")
                full.append(time.perf_counter() - start)
            without += min(base)
            with_hygiene += min(full)
            for rule, component, where, message in rows:
                verdict = known.get((tree.name, rule, component, where), "unchecked")
                counts[verdict] += 1
                print(f"| {tree.name} | `{rule}` | `{component}` | `{where}` | {verdict} | {message} |")
    checked = counts["correct"] + counts["wrong"]
    print(f"\nfindings: {sum(counts.values())}; correct {counts['correct']}, wrong {counts['wrong']}, unchecked {counts['unchecked']}")
    if checked:
        print(f"precision: {counts['correct'] / checked:.1%} ({counts['correct']}/{checked})")
    if without:
        print(f"audit time with the hygiene family / without: {with_hygiene / without:.2f}x ({with_hygiene:.2f}s / {without:.2f}s)")
    return 0 if counts["unchecked"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
