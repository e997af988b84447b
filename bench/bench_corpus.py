"""Score model discovery against the hand-labelled corpus of real repositories in bench/corpus/labels/.

Usage: python bench/bench_corpus.py [--trees DIR] [--mirror DIR] [--only NAME ...] [--json FILE]

Each label file names a public repository, a commit and the model-load sites a person found by reading it
(bench/corpus/README.md). The bench checks the repository out at that commit from a bare git directory
(``--mirror``, default /work/.mirror, laid out as ``<owner>+<name>/repo``), audits it the way
``vlicense audit TREE --format json --offline --python none`` does, and scores:

- recall: labelled load sites with a model reference or an unresolved entry at the load line, the id line or a
  ``via`` line (and how many carry the labelled component id; for ``unresolvable`` sites, how many are unresolved
  entries);
- precision proxies: labelled non-loads that were reported, and reported references at lines no label names
  (listed, so a person can judge them).

Prints a table per repository and per door, then the misses, then writes a JSON summary (``--json``). Exit 0.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
LABELS = HERE / "corpus" / "labels"
DEFAULT_MIRROR = Path("/work/.mirror")
KINDS = ("load", "non-load")


# ---------------------------------------------------------------------------------------------------- labels


@dataclass(frozen=True)
class Site:
    """One labelled line: a model load (with the id's line when written elsewhere) or a tempting non-load."""

    file: str
    line: int
    kind: str = "load"
    door: str = ""
    id: str | None = None
    id_file: str | None = None
    id_line: int | None = None
    unresolvable: bool = False
    via: tuple[str, ...] = ()  # "file:line" places between the literal and the call (a first-party wrapper's call)
    what: str = ""

    def points(self) -> set[tuple[str, int]]:
        """The (file, line) places where discovery may report this site."""
        found = {(self.file, self.line)}
        if self.id_line:
            found.add((self.id_file or self.file, self.id_line))
        for place in self.via:
            path, _, line = place.rpartition(":")
            found.add((path, int(line)))
        return found


@dataclass
class RepoLabels:
    """A label file: the repository, its pinned commit, the paths checked out and the sites."""

    name: str
    repo: str
    commit: str
    sites: list[Site]
    include: list[str] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.repo.rstrip("/").split("github.com/")[-1]

    def labelled(self, path: str) -> bool:
        """False for paths checked out but deliberately not labelled (vendored library code)."""
        return not any(glob_match(path, pattern) for pattern in self.unlabelled)


@functools.lru_cache(maxsize=None)
def _glob_regex(pattern: str) -> re.Pattern:
    parts = re.split(r"(\*\*/?|\*|\?)", pattern)
    table = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(table.get(part, re.escape(part)) for part in parts))


def glob_match(path: str, pattern: str) -> bool:
    """Glob on a '/'-separated path: '*' and '?' stay inside one segment, '**' spans folders."""
    return _glob_regex(pattern).fullmatch(path) is not None


def load_labels(path: Path) -> RepoLabels:
    """Read and check one label file; a malformed file is a ValueError that names the file and the site."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a mapping")
    for key in ("repo", "commit", "labelled", "sites"):
        if key not in data:
            raise ValueError(f"{path}: missing key {key!r}")
    sites = []
    for number, raw in enumerate(data["sites"] or [], 1):
        where = f"{path.name}: site {number}"
        if not isinstance(raw, dict) or not isinstance(raw.get("file"), str) or not isinstance(raw.get("line"), int):
            raise ValueError(f"{where}: needs file (str) and line (int)")
        unknown = set(raw) - set(Site.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        if not all(isinstance(v, str) and v.rpartition(":")[2].isdigit() for v in raw.get("via", [])):
            raise ValueError(f"{where}: via entries are 'file:line'")
        site = Site(**{**raw, "via": tuple(raw.get("via", ()))})
        if site.kind not in KINDS:
            raise ValueError(f"{where}: kind must be one of {KINDS}")
        if site.kind == "load" and not site.door:
            raise ValueError(f"{where}: a load needs its door")
        if site.kind == "load" and not (site.id or site.unresolvable):
            raise ValueError(f"{where}: a load needs an id or unresolvable: true")
        sites.append(site)
    return RepoLabels(name=path.stem, repo=data["repo"], commit=str(data["commit"]), sites=sites,
                      include=list(data.get("include") or []), unlabelled=list(data.get("unlabelled") or []))


# ---------------------------------------------------------------------------------------------------- trees


def git_dir(mirror: Path, slug: str) -> Path:
    """The repository's git directory under ``mirror``: a fetched snapshot (``<owner>+<name>/repo``, bare or with a
    work tree) or a plain clone (``<owner>__<name>/.git`` or ``<owner>__<name>.git``)."""
    snapshot = mirror / slug.replace("/", "+") / "repo"
    clone = mirror / slug.replace("/", "__")
    for candidate in (snapshot / ".git", snapshot, clone / ".git", clone.with_name(clone.name + ".git")):
        if (candidate / "objects").is_dir():
            return candidate
    return snapshot


def checkout(labels: RepoLabels, gitdir: Path, dest: Path) -> list[str]:
    """Write the commit's files (those ``include`` selects) into ``dest``; return the paths whose blob is absent.

    Snapshots lack files of 4 MiB and more, so ``git archive`` would stop at the first one: blobs are read one by
    one and the absent ones reported instead.
    """
    listing = subprocess.run(["git", f"--git-dir={gitdir}", "ls-tree", "-r", "-z", labels.commit],
                             check=True, capture_output=True).stdout
    wanted = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, name = entry.split(b"\t", 1)
        mode, kind, sha = meta.split()
        path = name.decode("utf-8", "surrogateescape")
        if kind != b"blob" or mode == b"120000":  # symlinks are not followed: a tree must not point outside
            continue
        if labels.include and not any(glob_match(path, pattern) for pattern in labels.include):
            continue
        wanted.append((sha.decode(), path))
    absent = []
    with subprocess.Popen(["git", f"--git-dir={gitdir}", "cat-file", "--batch"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE) as batch:
        for sha, path in wanted:
            batch.stdin.write(sha.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if header[-1] == b"missing":
                absent.append(path)
                continue
            body = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)  # the newline after each object
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
        batch.stdin.close()
    return absent


def ensure_tree(labels: RepoLabels, trees: Path, mirror: Path) -> tuple[Path, list[str]]:
    """The repository's tree under ``trees`` at the labelled commit, checked out unless already there."""
    dest = trees / labels.name
    stamp = trees / f"{labels.name}.commit"
    key = " ".join([labels.commit, *labels.include])  # a changed include list checks the tree out again
    if dest.is_dir() and stamp.is_file() and stamp.read_text().split("\n")[0] == key:
        return dest, stamp.read_text().split("\n")[1:-1]
    gitdir = git_dir(mirror, labels.slug)
    if not gitdir.is_dir():
        raise FileNotFoundError(f"no snapshot of {labels.slug} at {gitdir} (see bench/corpus/README.md)")
    if dest.exists():
        subprocess.run(["rm", "-rf", str(dest)], check=True)
    dest.mkdir(parents=True)
    absent = checkout(labels, gitdir, dest)
    stamp.write_text(key + "\n" + "".join(p + "\n" for p in absent))
    return dest, absent


# ---------------------------------------------------------------------------------------------------- audit


POINTER = "unresolved-origin"


@dataclass(frozen=True)
class Hit:
    """A place the audit reports: a model reference (its id) or an unresolved entry (id None)."""

    path: str
    line: int
    id: str | None
    how: str  # "location", "origin", "unresolved" or POINTER
    text: str = ""


def audit(tree: Path) -> dict:
    """The JSON report of ``vlicense audit TREE --format json --offline --python none`` (no cache)."""
    command = [sys.executable, "-m", "vlicense", "audit", str(tree), "--format", "json", "--offline",
               "--python", "none", "--no-cache", "--fail-on", "never"]
    # The tree's own [tool.vlicense] applies, as for any user; this shell's VLICENSE_* settings do not.
    env = {key: value for key, value in os.environ.items() if not key.startswith("VLICENSE_")}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"vlicense exited {done.returncode} on {tree}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def hits_of(report: dict) -> list[Hit]:
    """Every place a model reference or an unresolved entry is reported at."""
    hits = []
    for component in report.get("components", []):
        if component.get("kind") != "model":
            continue
        for how in ("locations", "origins"):
            for loc in component.get(how) or []:
                hits.append(Hit(loc["path"], int(loc.get("line") or 0), component["id"], how[:-1],
                                loc.get("snippet") or ""))
    for entry in report.get("unresolved", []):
        hits.append(Hit(entry["path"], int(entry.get("line") or 0), None, "unresolved", entry.get("expression") or ""))
        # Where the entry sends the reader (schema_minor 2: the load line, the option without a default): it finds
        # a load there, but claims nothing about the line (not a reported non-load, not an unlabelled report).
        for loc in entry.get("origins") or []:
            hits.append(Hit(loc["path"], int(loc.get("line") or 0), None, POINTER, entry.get("expression") or ""))
    return hits


# ---------------------------------------------------------------------------------------------------- score


@dataclass
class SiteResult:
    site: Site
    found: bool
    id_match: bool
    unresolved: bool


@dataclass
class RepoScore:
    """How one repository's labels fared against the places reported."""

    name: str
    loads: list[SiteResult]
    non_loads_reported: list[Site]
    non_loads: int
    unlabelled: list[Hit]

    @property
    def found(self) -> int:
        return sum(r.found for r in self.loads)


def score(labels: RepoLabels, hits: list[Hit]) -> RepoScore:
    """Match reported places against the labels: a site is found when anything is reported at one of its lines."""
    at: dict[tuple[str, int], list[Hit]] = defaultdict(list)
    for hit in hits:
        at[(hit.path, hit.line)].append(hit)
    results, non_loads_reported, claimed = [], [], set()
    for site in labels.sites:
        points = site.points()
        claimed |= points
        there = [hit for point in points for hit in at.get(point, [])]
        if site.kind == "non-load":
            if any(hit.how != POINTER for hit in there):
                non_loads_reported.append(site)
            continue
        results.append(SiteResult(
            site=site,
            found=bool(there),
            id_match=site.id is not None and any(hit.id == site.id for hit in there),
            unresolved=any(hit.how in ("unresolved", POINTER) for hit in there),
        ))
    unlabelled = sorted({hit for hit in hits if (hit.path, hit.line) not in claimed and labels.labelled(hit.path) and hit.how != POINTER},
                        key=lambda h: (h.path, h.line, h.id or "", h.how))
    return RepoScore(name=labels.name, loads=results, non_loads_reported=non_loads_reported,
                     non_loads=sum(s.kind == "non-load" for s in labels.sites), unlabelled=unlabelled)


def summarize(scores: list[RepoScore]) -> dict:
    """Totals, per repository, per door, and every miss, as plain data for the JSON summary."""

    def block(results: list[SiteResult]) -> dict:
        with_id = [r for r in results if r.site.id]
        unresolvable = [r for r in results if r.site.unresolvable]
        return {
            "loads": len(results),
            "found": sum(r.found for r in results),
            "recall": round(sum(r.found for r in results) / len(results), 3) if results else None,
            "with_id": len(with_id),
            "id_match": sum(r.id_match for r in with_id),
            "unresolvable": len(unresolvable),
            "unresolvable_as_unresolved": sum(r.unresolved for r in unresolvable),
        }

    every = [r for s in scores for r in s.loads]
    doors: dict[str, list[SiteResult]] = defaultdict(list)
    for result in every:
        doors[result.site.door].append(result)
    return {
        "total": {**block(every), "non_loads": sum(s.non_loads for s in scores),
                  "non_loads_reported": sum(len(s.non_loads_reported) for s in scores),
                  "unlabelled_reported": sum(len(s.unlabelled) for s in scores)},
        "repos": {s.name: {**block(s.loads), "non_loads": s.non_loads,
                           "non_loads_reported": [f"{x.file}:{x.line}" for x in s.non_loads_reported],
                           "unlabelled_reported": [f"{h.path}:{h.line} {h.id or '(unresolved)'} {h.text[:80]}"
                                                   for h in s.unlabelled]}
                  for s in scores},
        "doors": {door: block(results) for door, results in sorted(doors.items())},
        "misses": [{"repo": s.name, "at": f"{r.site.file}:{r.site.line}", "door": r.site.door, "id": r.site.id,
                    "id_at": f"{r.site.id_file or r.site.file}:{r.site.id_line}" if r.site.id_line else None,
                    "what": r.site.what}
                   for s in scores for r in s.loads if not r.found],
    }


# ---------------------------------------------------------------------------------------------------- print


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def print_tables(summary: dict) -> None:
    header = f"{'':44} {'loads':>5} {'found':>5} {'recall':>6} {'id ok':>9} {'unres ok':>9} {'non-load':>8} {'other':>5}"
    print(header)
    for name, row in summary["repos"].items():
        print(f"{name[:44]:44} {row['loads']:5} {row['found']:5} {percent(row['found'], row['loads']):>6} "
              f"{row['id_match']:4}/{row['with_id']:<4} {row['unresolvable_as_unresolved']:4}/{row['unresolvable']:<4} "
              f"{len(row['non_loads_reported']):3}/{row['non_loads']:<4} {len(row['unlabelled_reported']):5}")
    total = summary["total"]
    print(f"{'TOTAL':44} {total['loads']:5} {total['found']:5} {percent(total['found'], total['loads']):>6} "
          f"{total['id_match']:4}/{total['with_id']:<4} {total['unresolvable_as_unresolved']:4}/{total['unresolvable']:<4} "
          f"{total['non_loads_reported']:3}/{total['non_loads']:<4} {total['unlabelled_reported']:5}")
    print(f"\n{'door':44} {'loads':>5} {'found':>5} {'recall':>6} {'id ok':>9}")
    for door, row in summary["doors"].items():
        print(f"{door[:44]:44} {row['loads']:5} {row['found']:5} {percent(row['found'], row['loads']):>6} "
              f"{row['id_match']:4}/{row['with_id']:<4}")


def show_labels(labels: RepoLabels, tree: Path) -> None:
    """Print every labelled line next to the text it points at, so a person can check the labels."""
    def text(path: str, line: int) -> str:
        try:
            return (tree / path).read_text(encoding="utf-8", errors="replace").split("\n")[line - 1].strip()[:110]
        except (OSError, IndexError):
            return "<<< NO SUCH LINE >>>"

    for site in labels.sites:
        print(f"{labels.name}: {site.file}:{site.line} [{site.kind} {site.door}] {site.id or ''}")
        print(f"      | {text(site.file, site.line)}")
        if site.id_line:
            print(f"   id | {text(site.id_file or site.file, site.id_line)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", type=Path, help="where the checked-out trees live (default: a temporary folder)")
    parser.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR, help="folder of fetched snapshots")
    parser.add_argument("--labels", type=Path, default=LABELS, help="folder of label files")
    parser.add_argument("--only", nargs="*", default=[], help="label file names (without .yaml) to score")
    parser.add_argument("--json", type=Path, help="write the JSON summary here (default: stdout, after the tables)")
    parser.add_argument("--misses", action="store_true", help="print every missed site and unlabelled report")
    parser.add_argument("--show-labels", action="store_true", help="print each labelled line's text; no audit")
    args = parser.parse_args()

    files = sorted(args.labels.glob("*.yaml"))
    if args.only:
        files = [f for f in files if f.stem in args.only]
    with tempfile.TemporaryDirectory(prefix="vlicense-corpus-") as scratch:
        trees = args.trees or Path(scratch)
        trees.mkdir(parents=True, exist_ok=True)
        scores, seconds, failed = [], {}, {}
        for path in files:
            labels = load_labels(path)
            try:
                tree, absent = ensure_tree(labels, trees, args.mirror)
            except FileNotFoundError as exc:
                print(f"skipped {labels.name}: {exc}", file=sys.stderr)
                continue
            if args.show_labels:
                show_labels(labels, tree)
                continue
            start = time.perf_counter()
            try:
                report = audit(tree)
            except RuntimeError as exc:  # one broken audit must not hide the other repositories' numbers
                print(f"audit failed for {labels.name}: {exc}", file=sys.stderr)
                failed[labels.name] = str(exc)[-500:]
                continue
            seconds[labels.name] = round(time.perf_counter() - start, 2)
            scores.append(score(labels, hits_of(report)))
    if args.show_labels:
        return 0
    summary = summarize(scores)
    summary["audit_seconds"] = seconds
    summary["audit_failed"] = failed
    print_tables(summary)
    if args.misses:
        print("\nmissed load sites:")
        for miss in summary["misses"]:
            print(f"  {miss['repo']}: {miss['at']} [{miss['door']}] {miss['id'] or '(unresolvable)'}  {miss['what']}")
        print("\nreported at lines no label names:")
        for name, row in summary["repos"].items():
            for entry in row["unlabelled_reported"]:
                print(f"  {name}: {entry}")
    text = json.dumps(summary, indent=2, sort_keys=True)
    if args.json:
        args.json.write_text(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
