"""Fail only on findings new since a git ref: audit the ref's tree in a temporary copy, compare fingerprints.

The ref is materialized with ``git archive <ref>`` into a temporary folder (extracted with tarfile's "data"
filter: no absolute paths, no links out of the folder, no device files), so the user's work tree, index and
branches are never touched, and nothing from the ref is executed: the audit there is the same static audit.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

from vlicense.discovery.walk import GIT_SAFE_CONFIG
from vlicense.errors import UsageError
from vlicense.model import Finding
from vlicense.policy.baseline import apply_known

Runner = Callable[[Path], list[Finding]]
_GIT_TIMEOUT = 120  # seconds; a huge repository archive is slow, a hung git must not hang CI forever


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *GIT_SAFE_CONFIG, *args], cwd=cwd, capture_output=True, timeout=_GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed", fix="install git, or drop --new-since") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} timed out after {_GIT_TIMEOUT}s", where=str(cwd)) from None


def _stderr(proc: subprocess.CompletedProcess[bytes]) -> str:
    """git's last stderr line (its actual complaint), or the exit status."""
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else f"exit {proc.returncode}"


def findings_at_ref(root: Path, ref: str, run: Runner) -> list[Finding]:
    """Run ``run`` on the project as it was at ``ref`` (same sub-folder of the repository) and return its findings."""
    root = root if root.is_dir() else root.parent
    if not ref or ref.startswith("-"):  # a ref starting with '-' would be read by git as an option
        raise UsageError(f"invalid git ref {ref!r}", fix="pass a branch, tag or commit, e.g. --new-since origin/main")
    top = _git(["rev-parse", "--show-toplevel"], root)
    if top.returncode != 0:
        raise UsageError("not inside a git repository", where=str(root), fix="--new-since needs the project under git")
    toplevel = Path(top.stdout.decode("utf-8", "replace").strip())
    commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    if commit.returncode != 0:
        raise UsageError(f"unknown git ref {ref!r}", where=str(toplevel),
                         fix="check the name (git branch -a, git tag), and fetch it in CI (e.g. fetch-depth: 0)")
    sha = commit.stdout.decode().strip()
    try:
        sub = root.resolve().relative_to(toplevel.resolve())
    except ValueError:
        sub = Path()
    archive = _git(["archive", "--format=tar", sha], toplevel)
    if archive.returncode != 0:
        raise UsageError(f"git archive {ref} failed: {_stderr(archive)}", where=str(toplevel))
    with tempfile.TemporaryDirectory(prefix="vlicense-ref-") as tmp:
        dest = Path(tmp) / "tree"
        dest.mkdir()
        try:
            with tarfile.open(fileobj=io.BytesIO(archive.stdout), mode="r:") as tar:
                tar.extractall(dest, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise UsageError(f"cannot unpack {ref}: {exc}", where=str(toplevel)) from None
        target = dest / sub
        if not target.is_dir():
            return []  # the project folder did not exist at the ref: every finding is new
        return run(target)


def new_since(root: Path, ref: str, run: Runner) -> set[str]:
    """Fingerprints of the findings present at ``ref`` (the ones that are therefore not new)."""
    return {f.fingerprint for f in findings_at_ref(root, ref, run) if f.fingerprint}


def apply_new_since(findings: list[Finding], old: list[Finding], ref: str) -> list[Finding]:
    """Lower findings that already existed at ``ref`` (same fingerprint, not more severe now) to info."""
    known: dict[str, str] = {}
    for f in old:
        if f.fingerprint and (f.fingerprint not in known or _rank(f.severity) > _rank(known[f.fingerprint])):
            known[f.fingerprint] = f.severity
    return apply_known(findings, known, f"already present at {ref}")


def _rank(severity: str) -> int:
    return {"info": 0, "warning": 1, "error": 2}.get(severity, 0)
