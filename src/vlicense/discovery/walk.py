"""Walk a project tree: yield the files discovery examines, prune environments/caches/build output, label scopes."""

from __future__ import annotations

import fnmatch
import os
import stat
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from vlicense.model import SkippedFile

# Directories that hold somebody else's code or generated output, never the project's own sources.
PRUNED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "site-packages",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
        # Jupyter autosave copies would double every notebook reference.
        ".ipynb_checkpoints",
    }
)
# Build output: pruned unless the directory is itself a Python package (a package may be called ``build``).
BUILD_DIRS = frozenset({"build", "dist"})

TEST_DIRS = frozenset({"tests", "test"})
SCOPE_DIRS = (("docs", "docs"), ("doc", "docs"), ("examples", "example"), ("example", "example"), ("scripts", "script"))


@dataclass(frozen=True)
class ProjectFile:
    """A regular file under the root: its absolute path, its POSIX path relative to the root, and its scope."""

    path: Path
    rel: str
    scope: str
    size: int
    mtime_ns: int = 0
    inode: int = 0


@dataclass
class WalkResult:
    """Files found (sorted by relative path), and the entries that could not be examined."""

    files: list[ProjectFile] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def scope_of(rel: str) -> str:
    """Scope label from a relative path: test, docs, example, script, notebook or runtime."""
    parts = tuple(p for p in rel.split("/") if p)  # asked of every walked file: no PurePosixPath here
    dirs, name = parts[:-1], parts[-1] if parts else ""
    if any(d in TEST_DIRS for d in dirs) or name == "conftest.py":
        return "test"
    if name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py")):
        return "test"
    for d in dirs:
        for dirname, label in SCOPE_DIRS:
            if d == dirname:
                return label
    if name.endswith(".ipynb"):
        return "notebook"
    return "runtime"


def _excluded(rel: str, name: str, patterns: Sequence[str]) -> bool:
    # A pattern may name a relative path ("data/*"), a bare name ("legacy"), or a file glob ("*.ipynb").
    return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def _prune_dir(name: str, entries: list[os.DirEntry[str]]) -> bool:
    names = {e.name for e in entries}
    # Any virtual environment, whatever its name.
    if "pyvenv.cfg" in names:
        return True
    return name in BUILD_DIRS and "__init__.py" not in names


def walk(root: Path, wanted: Callable[[str], bool], *, exclude: Sequence[str] = (), use_git: bool = True) -> WalkResult:
    """Files under ``root`` (a directory or one file) for which ``wanted(rel_path)`` is true.

    Inside a git work tree (and git is installed) the candidate files are the ones git knows (tracked and
    untracked, minus .gitignore'd); the same pruning and exclusion rules apply on top. Otherwise the tree is
    walked. Never follows symlinked directories (loops, trees outside the project). Broken links, special files
    and unreadable directories that would have been examined become SkippedFile entries.
    """
    patterns = [p.rstrip("/") for p in exclude if p and p.strip("/")]
    result = WalkResult()
    if root.is_file() or (not root.is_dir() and root.exists()):
        _add_file(root, root.name, wanted, patterns, result)
        result.files.sort(key=lambda f: f.rel)
        return result
    if not root.is_dir():
        result.skipped.append(SkippedFile(root.name or str(root), "path does not exist"))
        return result
    listed = git_files(root) if use_git else None
    if listed is not None:
        _from_list(root, listed, wanted, patterns, result)
        result.files.sort(key=lambda f: f.rel)
        result.skipped.sort(key=lambda s: (s.path, s.reason))
        return result
    stack: list[tuple[str, list[os.DirEntry[str]] | str]] = [("", _list(root))]
    while stack:
        rel_dir, listing = stack.pop()
        if isinstance(listing, str):
            result.skipped.append(SkippedFile(rel_dir or ".", listing))
            continue
        for entry in listing:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name in PRUNED_DIRS or entry.name.endswith(".egg-info") or _excluded(rel, entry.name, patterns):
                    continue
                sub = _list(Path(entry.path))
                if not isinstance(sub, str) and _prune_dir(entry.name, sub):
                    continue
                stack.append((rel, sub))
                continue
            if entry.is_symlink() and _is_dir_link(entry.path):
                # Symlinked directories are not followed: they may loop or point outside the project. Said so,
                # unless the name is one that is pruned anyway (a .venv link) or excluded.
                if not (entry.name in PRUNED_DIRS or _excluded(rel, entry.name, patterns)):
                    result.skipped.append(SkippedFile(rel, "symlink to a directory, not followed (it may loop or leave the project)"))
                continue
            _add_file(Path(entry.path), rel, wanted, patterns, result)
    result.files.sort(key=lambda f: f.rel)
    result.skipped.sort(key=lambda s: (s.path, s.reason))
    return result


def in_git_work_tree(root: Path) -> bool:
    """Whether ``root`` or one of its ancestors holds a ``.git`` (directory, or file for worktrees/submodules)."""
    path = root.resolve()
    for candidate in (path, *path.parents):
        if (candidate / ".git").exists():
            return True
    return False


# The scanned repository's own .git/config is hostile input: core.fsmonitor names a command git runs while it
# lists files. These overrides keep git from running anything the repository configures.
GIT_SAFE_CONFIG = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.untrackedCache=false")


def git_files(root: Path) -> list[str] | None:
    """Paths (relative to ``root``) git lists as tracked or untracked-not-ignored; None without git or a repo."""
    if not in_git_work_tree(root):
        return None
    try:
        done = subprocess.run(
            ["git", *GIT_SAFE_CONFIG, "-c", "core.quotepath=off", "ls-files", "-co", "--exclude-standard", "-z"],
            cwd=root, capture_output=True, timeout=60, check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return sorted({p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p})


def _from_list(root: Path, listed: list[str], wanted: Callable[[str], bool], patterns: Sequence[str], result: WalkResult) -> None:
    names = set(listed)
    venvs = {str(PurePosixPath(p).parent) for p in listed if PurePosixPath(p).name == "pyvenv.cfg"}
    pruned_cache: dict[str, bool] = {}

    def pruned(rel_dir: str) -> bool:
        if rel_dir in pruned_cache:
            return pruned_cache[rel_dir]
        parts = PurePosixPath(rel_dir).parts
        answer = False
        for i, part in enumerate(parts):
            here = "/".join(parts[: i + 1])
            if (part in PRUNED_DIRS or part.endswith(".egg-info") or here in venvs or _excluded(here, part, patterns)
                    or (part in BUILD_DIRS and f"{here}/__init__.py" not in names)):
                answer = True
                break
        pruned_cache[rel_dir] = answer
        return answer

    for rel in listed:
        parent = str(PurePosixPath(rel).parent)
        if parent not in ("", ".") and pruned(parent):
            continue
        path = root / rel
        if os.path.islink(path) and _is_dir_link(str(path)):
            name = PurePosixPath(rel).name
            if not (name in PRUNED_DIRS or _excluded(rel, name, patterns)):
                result.skipped.append(SkippedFile(rel, "symlink to a directory, not followed (it may loop or leave the project)"))
            continue
        if not os.path.lexists(path):
            continue  # tracked but deleted in the work tree: not part of the project any more
        _add_file(path, rel, wanted, patterns, result)


def _list(path: Path) -> list[os.DirEntry[str]] | str:
    """The directory's entries, or the reason it cannot be listed."""
    try:
        with os.scandir(path) as it:
            return list(it)
    except PermissionError:
        return "permission denied (directory cannot be listed)"
    except OSError as exc:
        return f"directory cannot be listed ({exc.strerror or exc})"


def _is_dir_link(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def _add_file(path: Path, rel: str, wanted: Callable[[str], bool], patterns: Sequence[str], result: WalkResult) -> None:
    name = path.name
    if not wanted(rel) or _excluded(rel, name, patterns):
        return
    try:
        st = os.stat(path)  # follows a symlinked file to its target
    except FileNotFoundError:
        result.skipped.append(SkippedFile(rel, "broken symbolic link" if os.path.islink(path) else "file vanished"))
        return
    except PermissionError:
        result.skipped.append(SkippedFile(rel, "permission denied"))
        return
    except OSError as exc:
        result.skipped.append(SkippedFile(rel, f"cannot stat file ({exc.strerror or exc})"))
        return
    if not stat.S_ISREG(st.st_mode):
        # Opening a FIFO or a device would block or read forever.
        kind = "FIFO" if stat.S_ISFIFO(st.st_mode) else "directory" if stat.S_ISDIR(st.st_mode) else "special file"
        result.skipped.append(SkippedFile(rel, f"not a regular file ({kind})"))
        return
    result.files.append(ProjectFile(path=path, rel=rel, scope=scope_of(rel), size=st.st_size, mtime_ns=st.st_mtime_ns, inode=st.st_ino))
