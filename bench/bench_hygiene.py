"""Model-hygiene findings on real project trees, for checking by hand (see bench/hygiene_findings.md).

Usage: python bench/bench_hygiene.py TREE [TREE ...] [--verdicts bench/hygiene_findings.md]

Runs the full audit offline (no installed environment, no cache) on each tree and prints every hygiene finding as
one line: tree, rule, component, file:line, and what was found against what the weights expect. With
``--verdicts``, each printed finding is looked up (by tree, rule, component and path:line) in the table of hand
verdicts and the precision is printed: correct / (correct + wrong); findings without a verdict are listed as
unchecked, so a new finding cannot slip past the count. Also prints the CPU time the hygiene analysis adds, as a ratio
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

from collections import Counter

from vlicense.discovery import discover, preprocessing
from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.pipeline import AuditOptions, project_path_finder, run_audit
from vlicense.resolution.hygiene import ConfigReader, HygieneSources

REPEAT = 5
HYGIENE_RULES = ("preprocessing-mismatch", "missing-normalization", "processor-mismatch", "untrained-backbone")
_ROW = re.compile(r"^\|\s*(?P<tree>[^|]+?)\s*\|\s*`?(?P<rule>[a-z-]+)`?\s*\|\s*`?(?P<component>[^|`]+?)`?\s*\|\s*`?(?P<where>[^|`]+?)`?\s*\|"
                  r"\s*(?P<verdict>correct|wrong)\b")


def clock() -> datetime.datetime:
    return datetime.datetime(2026, 12, 5, tzinfo=datetime.timezone.utc)


SUMMARY: list[str] = []


def findings(tree: Path, policy: str) -> list[tuple[str, str, str, str]]:
    """(rule, component, path:line, message) for every hygiene finding of one tree."""
    result = run_audit(AuditOptions(path=tree, policy=policy, offline=True, python="none", cache=False, jobs=1), clock=clock)
    out = []
    for f in result.findings:
        if f.rule in HYGIENE_RULES:
            loc = f.locations[0]
            out.append((f.rule, f.component, f"{loc.path}:{loc.line}", f.message))
    return sorted(out)


def config_known(obs, tree: Path) -> bool:
    """Whether the weights' data config (and, for a processor, both configs) could be read, i.e. the path is judged."""
    kb = KnowledgeBase.load()
    sources = HygieneSources(tree, None, project_path_finder(tree))
    refs = [r for r in (obs.model, obs.processor) if r is not None]
    if obs.kind == "untrained":
        return True
    reader = ConfigReader(kb, sources)
    return all(reader.config(reader.identify(r), r.revision) is not None for r in refs)


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
    parser.add_argument("--paths", action="store_true", help="also list every path followed to a model (judged or not)")
    args = parser.parse_args()
    known = verdicts(args.verdicts) if args.verdicts else {}
    with tempfile.TemporaryDirectory() as tmp:
        off = Path(tmp) / "off.yaml"
        off.write_text("extends: closed-source-saas\nhygiene: false\n", encoding="utf-8")
        counts = {"correct": 0, "wrong": 0, "unchecked": 0}
        with_hygiene = without = 0.0
        for tree in args.trees:
            # Best of REPEAT runs each way, in CPU time of this process: other processes share the machine and
            # wall-clock ratios drifted by +-0.08 from run to run on the same trees.
            base, full = [], []
            for _ in range(REPEAT):
                observe = preprocessing.observe
                preprocessing.observe = lambda module, references: []  # the baseline: no hygiene analysis at all
                try:
                    start = time.process_time()
                    run_audit(AuditOptions(path=tree, policy=str(off), offline=True, python="none", cache=False, jobs=1), clock=clock)
                    base.append(time.process_time() - start)
                finally:
                    preprocessing.observe = observe
                start = time.process_time()
                rows = findings(tree, "closed-source-saas")
                full.append(time.process_time() - start)
            without += min(base)
            with_hygiene += min(full)
            found = discover(tree, cache=False, jobs=1)
            kinds = Counter(o.kind for o in found.hygiene)
            judged = sum(1 for o in found.hygiene if config_known(o, tree))
            SUMMARY.append(f"{tree.name}: {len(found.models)} model loads, {len(found.hygiene)} paths followed to a model "
                           f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items())) or 'none'}), "
                           f"{judged} with the weights' config known (judged)")
            if args.paths:
                for o in found.hygiene:
                    model = o.model.name if o.model else o.name
                    steps = "; ".join(f"{s.op}@{s.location.line}" for s in o.steps) or (o.processor.name if o.processor else "")
                    SUMMARY.append(f"    {o.kind} {o.location.path}:{o.location.line} -> {model} [{steps}] complete={o.complete}")
            for rule, component, where, message in rows:
                verdict = known.get((tree.name, rule, component, where), "unchecked")
                counts[verdict] += 1
                print(f"| {tree.name} | `{rule}` | `{component}` | `{where}` | {verdict} | {message} |")
    print("\n" + "\n".join(SUMMARY))
    checked = counts["correct"] + counts["wrong"]
    print(f"\nfindings: {sum(counts.values())}; correct {counts['correct']}, wrong {counts['wrong']}, unchecked {counts['unchecked']}")
    if checked:
        print(f"precision: {counts['correct'] / checked:.1%} ({counts['correct']}/{checked})")
    if without:
        print(f"audit time with the hygiene family / without: {with_hygiene / without:.2f}x ({with_hygiene:.2f}s / {without:.2f}s)")
    return 0 if counts["unchecked"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
