"""Static scan of a project (never imports or runs it): imports, manifests, model loader calls, weight files."""

from __future__ import annotations

import ast
import contextlib
import gc
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple
from pathlib import Path, PurePosixPath

from vlicense import __version__
from vlicense.bounded import FILE_SECONDS, Budget, OverLimit
from vlicense.discovery import command_calls, downloads, fastimports, manifests, notebooks, python_configs, recover, registry, shell, weights
from vlicense.discovery.callers import WrapperModules, absolute_parts, module_parts
from vlicense.discovery.cache import ANALYZER_VERSION, Cache, content_hash, decode, entry_key, pack_imports, unpack_imports
from vlicense.discovery.first_party import PROJECT_MARKERS, FirstParty
from vlicense.discovery.loaders import may_call_loader
from vlicense.discovery.loaders.base import Reference, is_project_dir_factory
from vlicense.discovery.loaders.by_name import may_load_through_project_class, names_known_weight, passes_weight_keyword
from vlicense.discovery.project import (
    LOADER_MODULES,
    FileResult,
    ModuleAnalysis,
    ProjectIndex,
    may_instantiate_config,
)
from vlicense.discovery.python_ast import (
    PythonSyntaxError,
    RawImport,
    SourceText,
    parse,
)
from vlicense.discovery.sources import (
    MAX_NOTEBOOK_BYTES,
    MAX_PYTHON_BYTES,
    MAX_TEXT_BYTES,
    Unreadable,
    decode_python,
    decode_text,
    read_bytes,
)
from vlicense.discovery.walk import ProjectFile, walk
from vlicense.knowledge import weight_urls
from vlicense.model import (
    Discovery,
    ImportReference,
    Location,
    ModelReference,
    RequirementReference,
    SkippedFile,
)

__all__ = ["discover"]

STDLIB = frozenset(sys.stdlib_module_names) | {"__future__", "__main__"}
MAX_NOTEBOOK_RETRIES = 50
# Full analysis (~150 ms per MB of source) goes to workers above this many bytes: starting two fork workers costs
# ~10 ms, and each worker parses again the modules its files look values up in.
PARALLEL_BYTES = 300_000
# The cheap pass (read, hash, import lexer: ~10 ms per MB) goes to workers above this many bytes of source
# (starting two fork workers costs ~10 ms).
PARALLEL_PREFILTER_BYTES = 4_000_000
MAX_WRAPPER_ROUNDS = 3
SYS_PATH = "sys.path"
# Config/shell/lock-file scanners go to the workers (alongside the Python analysis) above this many bytes.
PARALLEL_SCAN_BYTES = 1_000_000


def _wanted(rel: str) -> bool:
    lowered = rel.lower()
    if lowered.endswith((".py", ".ipynb")) or weights.is_weight_file(rel) or manifests.is_manifest(rel):
        return True
    return bool(registry.scanners_for(rel))


def discover(root: Path, *, exclude: Sequence[str] = (), cache: bool = True, jobs: int | None = None,
             use_git: bool = True, workers_started: Callable[[], None] | None = None) -> Discovery:
    """Scan ``root`` (a directory, or one file whose paths are relative to its parent) and return what it uses.

    ``cache``: reuse per-file results from the user cache dir (``VLICENSE_CACHE_DIR`` overrides it);
    ``jobs``: worker processes for parsing (None: all cores when the tree is large, 1: serial);
    ``use_git``: inside a git work tree, list files with git so .gitignore is honored;
    ``workers_started``: called once, in this thread, as soon as worker processes run (never when the run is
    serial): work that does not depend on the project can then use the time this thread spends waiting on them
    (a thread started there exists only after the fork, so no worker inherits it half-way).
    Never raises for bad input inside the tree: such files become ``SkippedFile`` entries with a reason.
    """
    root = Path(root)
    base = root.parent if root.is_file() else root
    registry.load_builtin_scanners()
    walked = walk(root, _wanted, exclude=exclude, use_git=use_git)
    store = Cache() if cache else None
    try:
        with _fewer_gc_passes():
            run_key = _run_key(base, walked, exclude, use_git) if store is not None else None
            if store is not None and run_key is not None:
                remembered = _remembered_run(store, run_key, base)
                if remembered is not None:
                    return remembered
            run = _Run(base, walked.files, walked.skipped, store, jobs)
            run.workers_started = workers_started
            try:
                found = run.run()
                if store is not None and run_key is not None:
                    _remember_run(store, run_key, found, run)
            finally:
                run.close()
                run.dispose()
            return found
    finally:
        if store is not None:
            store.close()


# ------------------------------------------------------------------------------------- whole-run cache
# A warm run of an unchanged tree should cost a walk and one cache read. The key is everything a run's answer
# depends on inside the walked tree (each file's path, size, mtime, inode and scope, the walk's own skips, the
# analyzer and scanner versions, the options); the entry also records what it depended on outside that list
# (folders whose existence decided a reference, requirements files included but not walked), re-checked on use.


def _run_key(base: Path, walked: object, exclude: Sequence[str], use_git: bool) -> str | None:
    files = walked.files  # type: ignore[attr-defined]
    if any(not f.mtime_ns for f in files):
        return None  # a file system without usable mtimes: only the per-file cache (content hashes) is safe
    identity = [
        ANALYZER_VERSION, __version__, registry.versions(), str(base.resolve()), sorted(exclude), use_git,
        [(f.rel, f.size, f.mtime_ns, f.inode, f.scope) for f in files],
        [(s.path, s.reason) for s in walked.skipped],  # type: ignore[attr-defined]
    ]
    return "run:" + hashlib.sha256(json.dumps(identity, separators=(",", ":")).encode()).hexdigest()


def _remembered_run(store: Cache, key: str, base: Path) -> Discovery | None:
    entry = store.get(key)
    if not isinstance(entry, dict):
        return None
    try:
        for check, expected in entry["dirs"].items():
            parent, _, path = check.partition("|")
            if is_project_dir_factory(base, parent)(path) != expected:
                return None
        for rel, expected in entry["outside"].items():
            if _stat_signature(base / rel) != expected:
                return None
        found = entry["discovery"]
        return Discovery(
            imports=found["imports"], models=found["models"], requirements=found["requirements"],
            unresolved=found["unresolved"], skipped=found["skipped"], files_scanned=found["files_scanned"],
            first_party=frozenset(found["first_party"]), hygiene=found["hygiene"],
            own_distributions=frozenset(found["own_distributions"]),
        )
    except (KeyError, TypeError, AttributeError, ValueError):
        return None  # an entry this version did not write: run again


def _remember_run(store: Cache, key: str, found: Discovery, run: _Run) -> None:
    walked = {f.rel for f in run.files}
    outside = {rel: _stat_signature(run.base / rel) for rel in [*run.manifest_files, *run.data_files()] if rel not in walked}
    store.put(key, {
        "discovery": {
            "imports": found.imports, "models": found.models, "requirements": found.requirements,
            "unresolved": found.unresolved, "skipped": found.skipped, "files_scanned": found.files_scanned,
            "first_party": sorted(found.first_party), "hygiene": found.hygiene,
            "own_distributions": sorted(found.own_distributions),
        },
        "dirs": run.directory_checks(),
        "outside": outside,
    })


def _stat_signature(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return "-"
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


@contextlib.contextmanager
def _fewer_gc_passes():
    """Run with a much higher collection threshold, and what each analyzed file leaves alive kept out of the
    collector's way (restored after).

    A run allocates millions of small objects that stay alive (syntax trees, scopes, import records): the default
    threshold keeps triggering collections that walk all of them again (a third of a cold run's time on a 15 MB
    tree), and even a raised one makes every older-generation pass walk every tree parsed so far (a quarter of a
    second each on a 60 MB tree). So after each file the survivors are frozen (``gc.freeze``: moved out of the
    generations in constant time); passes then only look at what the current file allocated. Unfrozen at the end
    (unless the caller froze objects of its own), so cycles left by the run are still collected later.
    """
    global _FREEZE
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], 50_000), max(old[1], 20), max(old[2], 20))
    outer, _FREEZE = _FREEZE, gc.get_freeze_count() == 0
    try:
        yield
    finally:
        if _FREEZE:
            gc.unfreeze()
        _FREEZE = outer
        gc.set_threshold(*old)


# Set while a run may freeze what analyzed files leave alive (forked workers inherit it).
_FREEZE = False


def _settle() -> None:
    """After one file: what it left alive is kept out of later collections (see _fewer_gc_passes)."""
    if _FREEZE:
        gc.freeze()


@dataclass
class _PyFile:
    pf: ProjectFile
    sha: str
    data: bytes | None  # None when the stat cache vouched for the content (not read this run)
    result: FileResult | None = None
    mode: str = ""  # "imports" | "full"


class _Run:
    """One discovery run: hash, reuse cached results, analyze the rest (serially or in workers), link."""

    def __init__(self, base: Path, files: list[ProjectFile], skipped: list[SkippedFile], cache: Cache | None, jobs: int | None) -> None:
        self.base = base
        self.files = files
        self.skipped = list(skipped)
        self.cache = cache
        self.jobs = jobs
        self.root_key = str(base.resolve())
        self.stats = cache.stats(self.root_key) if cache is not None else {}
        rels = [f.rel for f in files]
        self.first_party = FirstParty(rels)
        self.roots = _roots(rels)
        self.scopes = {f.rel: f.scope for f in files}
        self.py_rels = [f.rel for f in files if f.rel.lower().endswith(".py")]
        # A scanner's answer can depend on which other files exist (a config naming weights/best.pt is a load of
        # that file only if it is in the project), so its cached results are keyed by the list of walked files too.
        self.tree_digest = hashlib.sha256("\n".join(sorted(rels)).encode()).hexdigest()[:16]
        self._index: ProjectIndex | None = None
        self.shas: dict[str, str] = {}
        self.files_scanned = 0
        self.wrapper_modules: set[str] = set()
        self._workers: ProcessPoolExecutor | None = None
        # Modules re-analyzed after wrapper knowledge changed, in order (workers forget their analyses too).
        self._forgotten: list[str] = []
        self.workers_started: Callable[[], None] | None = None  # see discover()

    def _launched(self) -> None:
        """The workers run (all forked at the first submit): tell the caller, once."""
        started, self.workers_started = self.workers_started, None
        if started is not None:
            started()

    @property
    def index(self) -> ProjectIndex:
        if self._index is None:
            self._index = ProjectIndex(self.base, self.py_rels, self.roots, self.scopes)
        return self._index

    # ------------------------------------------------------------------ content

    def _known_sha(self, pf: ProjectFile) -> str:
        """The content hash the stat cache vouches for (same size, mtime and inode), else ""."""
        known = self.stats.get(pf.rel)
        if known is not None and known[:3] == (pf.size, pf.mtime_ns, pf.inode) and pf.mtime_ns:
            return known[3]
        return ""

    def _content(self, pf: ProjectFile, limit: int) -> tuple[str, bytes | None]:
        """(sha256, bytes or None when unchanged since the cached stat)."""
        sha = self._known_sha(pf)
        if sha:
            return sha, None
        data = read_bytes(pf.path, limit)
        sha = content_hash(data)
        self._put_stat(pf, sha)
        return sha, data

    def _put_stat(self, pf: ProjectFile, sha: str) -> None:
        if self.cache is not None and pf.mtime_ns:
            self.cache.put_stat(self.root_key, pf.rel, pf.size, pf.mtime_ns, pf.inode, sha)

    def _read(self, item: _PyFile) -> bytes:
        if item.data is None:
            item.data = read_bytes(item.pf.path, MAX_PYTHON_BYTES)
        return item.data

    # ------------------------------------------------------------------ run

    def run(self) -> Discovery:
        python: list[_PyFile] = []
        nbs: list[_PyFile] = []
        reader = manifests.ManifestReader(self.base)
        self.manifest_files = reader.files_read
        other: list[Reference] = []
        extra_imports: list[ImportReference] = []
        requirements: list[RequirementReference] = []
        scans: list[tuple[ProjectFile, registry.ScannerEntry, str | None]] = []
        for pf in self.files:
            lowered = pf.rel.lower()
            ok = True
            try:
                if manifests.is_manifest(pf.rel):
                    reader.read(pf.path, pf.rel)
                elif lowered.endswith(".py"):
                    # The hash comes from the stat cache, or later from the cheap pass (which reads the file).
                    sha = self._known_sha(pf)
                    if sha:
                        self.shas[pf.rel] = sha
                    python.append(_PyFile(pf, sha, None))
                    ok = False  # counted once analyzed
                elif lowered.endswith(".ipynb"):
                    sha, data = self._content(pf, MAX_NOTEBOOK_BYTES)
                    nbs.append(_PyFile(pf, sha, data))
                    ok = False
                elif weights.is_weight_file(pf.rel):
                    other.append(weights.weight_reference(pf))
            except Unreadable as exc:
                self.skipped.append(SkippedFile(pf.rel, str(exc)))
                ok = False
            except Exception as exc:  # noqa: BLE001 - a bug must not abort the audit; it is reported, not hidden
                self.skipped.append(SkippedFile(pf.rel, f"internal error while scanning ({type(exc).__name__}: {exc})"))
                ok = False
            scanned = self._scanners(pf, scans, other, extra_imports, requirements)
            if ok or (scanned and not lowered.endswith((".py", ".ipynb"))):
                self.files_scanned += 1
        # Scanner work the cache did not answer runs in the workers alongside the Python analysis when large.
        pending = self._start_scans(scans)
        self._python(python, nbs)
        self._finish_scans(scans, pending, other, extra_imports, requirements)
        results = [i.result for i in python + nbs if i.result is not None]
        self.files_scanned += len(results)
        return self._link(results, reader, other, extra_imports, requirements)

    def _scanners(self, pf: ProjectFile, todo: list, other: list, imports: list, requirements: list) -> bool:
        """Cached scanner results for ``pf`` are added now; the others are queued on ``todo`` (with their cache key)."""
        entries = registry.scanners_for(pf.rel)
        for entry in entries:
            key = None
            scan = None
            if self.cache is not None:
                try:
                    sha, _ = self._content(pf, MAX_TEXT_BYTES * 20)
                    key = entry_key(f"scan:{entry.name}:{entry.version}:{self.tree_digest}", pf.rel, pf.scope, sha)
                    scan = self.cache.get(key)
                except Unreadable:
                    key = None
            if isinstance(scan, registry.FileScan):
                _add_scan(scan, other, imports, requirements, self.skipped)
            else:
                todo.append((pf, entry, key))
        return bool(entries)

    def _start_scans(self, todo: list) -> list | None:
        """Futures of the queued scans in the worker pool (None: they run serially in _finish_scans)."""
        jobs = self.jobs if self.jobs is not None else (os.cpu_count() or 1)
        if jobs <= 1 or sum(pf.size for pf, _, _ in todo) < PARALLEL_SCAN_BYTES:
            return None
        try:
            pool = self._pool(jobs)
            batches = [todo[k::jobs * 2] for k in range(jobs * 2)]
            pending = [(batch, pool.submit(_scan_files, [(pf.rel, pf.scope, entry.name) for pf, entry, _ in batch])) for batch in batches if batch]
        except Exception:  # noqa: BLE001 - no worker processes here: scan serially
            return None
        self._launched()
        return pending

    def _finish_scans(self, todo: list, pending: list | None, other: list, imports: list, requirements: list) -> None:
        outcomes: list[tuple[tuple, registry.FileScan | str]] = []
        if pending is not None:
            try:
                for batch, future in pending:
                    outcomes += zip(batch, future.result())
            except Exception:  # noqa: BLE001 - a broken pool: scan serially
                outcomes = []
        if not outcomes:
            outcomes = [(item, _scan_file(item[0].rel, item[0].scope, item[1].name, item[0].path)) for item in todo]
        for (pf, entry, key), scan in outcomes:
            if isinstance(scan, str):
                self.skipped.append(SkippedFile(pf.rel, f"internal error in {entry.name} scanner ({scan})"))
                continue
            if key is not None and self.cache is not None:
                self.cache.put(key, scan)
            _add_scan(scan, other, imports, requirements, self.skipped)

    # ------------------------------------------------------------------ python & notebooks

    def _python(self, python: list[_PyFile], nbs: list[_PyFile]) -> None:
        self._python_items = python
        self._notebook_items = nbs
        # Files the stat cache does not vouch for: read, hash and lex them first (all hashes are then known, which
        # checking the dependencies of cached full results needs).
        fresh = [i for i in python if not i.sha]
        vouched = [i for i in python if i.sha]
        self._prefilter(fresh)
        if self.cache is not None:
            self.cache.prefetch([entry_key(mode, i.pf.rel, i.pf.scope, i.sha) for i in vouched for mode in ("imports", "full")]
                                + [entry_key("full", i.pf.rel, i.pf.scope, i.sha) for i in fresh if i.mode == "full"]
                                + [entry_key("nb", i.pf.rel, i.pf.scope, i.sha) for i in nbs])
        misses: list[_PyFile] = []
        for item in vouched:
            for mode in ("imports", "full"):
                cached = self._cached(item, mode)
                if cached is not None:
                    item.result, item.mode = cached, mode
                    break
            else:
                misses.append(item)
        self._prefilter(misses)
        todo: list[_PyFile] = []
        for item in fresh + misses:
            if item.mode != "full":
                continue
            cached = self._cached(item, "full")
            if cached is not None:
                item.result = cached
            else:
                todo.append(item)
        for item in nbs:
            cached = self._cached(item, "nb")
            if cached is not None:
                item.result, item.mode = cached, "nb"
            else:
                item.mode = "nb"
                todo.append(item)
        self._analyze(todo)
        self._analyze(self._star_importers(python))
        # Callers of project wrappers need the full analysis even when they never spell a loader library: a
        # caller imports the wrapper (``from lib import load``) or its module (``from lib import loading``).
        known: dict[str, list[str]] = {}
        for _ in range(MAX_WRAPPER_ROUNDS):
            wrappers = {i.pf.rel: i.result.wrapper_names for i in python if i.result is not None and i.result.wrapper_names}
            self.wrapper_modules = set(wrappers)
            self.index.wrapper_modules = set(self.wrapper_modules)
            if wrappers == known:
                break
            known = wrappers
            modules = WrapperModules(wrappers)
            upgrade = []
            for item in python + nbs:
                light = item.mode == "imports" or (item.mode == "nb" and item.result is not None and item.result.light)
                if not light or item.result is None or not modules.may_call(item.pf.rel, item.result.import_names):
                    continue
                mode = "full" if item.mode == "imports" else "nbfull"
                cached = self._cached(item, mode)
                item.mode = mode
                if cached is not None:
                    item.result = cached
                else:
                    upgrade.append(item)
            self._analyze(upgrade)
        self._recheck_stale(python + nbs)

    def _prefilter(self, items: list[_PyFile]) -> None:
        """The cheap pass: hash each file and read its imports; a file that may call a loader gets mode "full".

        Imports-only files (most of a tree) are done here: their result is stored at once.
        """
        if not items:
            return
        jobs = self.jobs
        if jobs is None:
            jobs = (os.cpu_count() or 1) if sum(i.pf.size for i in items) >= PARALLEL_PREFILTER_BYTES else 1
        tasks = [(i.pf.rel, i.pf.scope, "pre") for i in items]

        def finish(i: int, outcome: tuple) -> None:
            item, (pre, _) = items[i], outcome
            if pre.sha is not None:
                item.sha = self.shas[item.pf.rel] = pre.sha
                self._put_stat(item.pf, pre.sha)
            item.data = pre.data
            if pre.reason is not None:
                item.mode = ""
                self.skipped.append(SkippedFile(item.pf.rel, pre.reason))
            elif pre.packed is not None:
                item.result, item.mode = unpack_imports(item.pf.rel, pre.packed), "imports"
                if self.cache is not None:
                    self.cache.put_raw(entry_key("imports", item.pf.rel, item.pf.scope, item.sha), pre.packed)
            else:
                item.mode = "full"

        if jobs <= 1:
            for i, t in enumerate(tasks):
                finish(i, analyze_task(self.index, *t))
        else:
            self._parallel(tasks, jobs, finish)  # each chunk handled as it comes back (see _analyze)

    def _star_importers(self, items: list[_PyFile]) -> list[_PyFile]:
        """Imports-only files with ``from <module> import *`` of a project module that may call a loader: the
        names they use may be its (``from app import *`` then ``YOLO(MODEL)``); they get the full analysis."""
        full = {i.pf.rel for i in items if i.mode == "full"}
        todo = []
        for item in items:
            if item.mode != "imports" or item.result is None:
                continue
            for name in item.result.import_names:
                if not name.endswith(".*"):
                    continue
                dots = len(name) - len(name.lstrip("."))
                parts = absolute_parts(name[:-2], module_parts(item.pf.rel)[:-1])
                rel = self.index.find_path("/".join(parts), _parent(item.pf.rel), bool(dots)) if parts else None
                if rel in full:
                    item.mode = "full"
                    cached = self._cached(item, "full")
                    if cached is not None:
                        item.result = cached
                    else:
                        todo.append(item)
                    break
        return todo

    def _loader_importers(self) -> set[str]:
        # Full-mode files import a loader library (or call wrappers): the modules worth parsing for wrappers.
        return {i.pf.rel for i in self._python_items if i.mode == "full"}

    def _recheck_stale(self, items: list[_PyFile]) -> None:
        """Re-analyze files analyzed before a module they call was known to define wrappers."""
        for _ in range(MAX_WRAPPER_ROUNDS):
            stale = [i for i in items if i.mode in ("full", "nb", "nbfull") and i.result is not None
                     and any(k.startswith("nowrap:") and k[7:] in self.wrapper_modules for k in i.result.deps)]
            if not stale:
                return
            self._forgotten += [i.pf.rel for i in stale]
            self.index.forget([i.pf.rel for i in stale])  # their analyses predate the wrapper knowledge
            self.index.wrapper_modules = set(self.wrapper_modules)
            self._analyze(stale)

    def _cached(self, item: _PyFile, mode: str) -> FileResult | None:
        if self.cache is None:
            return None
        raw = self.cache.get_raw(entry_key(mode, item.pf.rel, item.pf.scope, item.sha))
        try:
            if isinstance(raw, list):  # compact imports-only entry (see pack_imports): it depends on no other file
                return unpack_imports(item.pf.rel, raw)
            entry = decode(raw)
        except Exception:  # noqa: BLE001 - a damaged entry is a cache miss, never an error
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("result"), FileResult):
            return None
        if not self._deps_valid(entry.get("deps") or {}):
            return None
        return entry["result"]

    def data_files(self) -> list[str]:
        """Non-Python files the analyzed files read (config files named by the code)."""
        return sorted({key[5:] for item in getattr(self, "_python_items", []) + getattr(self, "_notebook_items", [])
                       for key in (item.result.deps if item.result is not None else {}) if key.startswith("data:")})

    def directory_checks(self) -> dict[str, bool]:
        """Every "is this a folder of the project" answer the analyzed files depended on, as answered now."""
        checks: dict[str, bool] = {}
        for item in getattr(self, "_python_items", []) + getattr(self, "_notebook_items", []):
            for key in (item.result.deps if item.result is not None else {}):
                if key.startswith("dir:"):
                    parent, _, path = key[4:].partition("|")
                    checks[key[4:]] = is_project_dir_factory(self.base, parent)(path)
        return checks

    def _deps_valid(self, deps: dict) -> bool:
        for key, value in deps.items():
            if key == "*":
                if value != self._digest():
                    return False
            elif key.startswith("dir:"):
                parent, _, path = key[4:].partition("|")
                if is_project_dir_factory(self.base, parent)(path) != value:
                    return False
            elif key.startswith("find:"):
                parent, rooted, path = key[5:].split("|", 2)
                if self.index.find_path(path, parent, rooted == "1") != value:
                    return False
            elif key.startswith("nowrap:"):
                continue  # checked once this run knows its wrapper modules (see _stale)
            elif key.startswith("name:"):
                if self.index.has_name(key[5:]) != value:
                    return False
            elif key.startswith("data:"):
                if self._data_signature(key[5:]) != value:
                    return False
            elif self.shas.get(key) != value:
                return False
        return True

    def _data_signature(self, rel: str) -> str | None:
        """Content hash of a non-Python project file an analysis read (a config file), None when absent."""
        try:
            return content_hash(read_bytes(self.base / rel, MAX_TEXT_BYTES))
        except Unreadable:
            return None

    def _digest(self) -> str:
        if not hasattr(self, "_all_digest"):
            self._all_digest = hashlib.sha256("\n".join(f"{r}:{self.shas.get(r, '')}" for r in sorted(self.shas)).encode()).hexdigest()
        return self._all_digest

    def _store(self, item: _PyFile) -> None:
        if self.cache is None or item.result is None:
            return
        deps: dict[str, object] = {}
        for key, exists in item.result.deps.items():
            if key == "*":
                deps[key] = self._digest()
            elif key.startswith("find:"):
                parent, rooted, path = key[5:].split("|", 2)
                deps[key] = self.index.find_path(path, parent, rooted == "1")
            elif key.startswith(("dir:", "nowrap:", "name:")):
                deps[key] = exists
            elif key.startswith("data:"):
                deps[key] = self._data_signature(key[5:])
            else:
                deps[key] = self.shas.get(key) if exists else None
        packed = pack_imports(item.result) if item.mode == "imports" and not deps else None
        if packed is not None:
            self.cache.put_raw(entry_key(item.mode, item.pf.rel, item.pf.scope, item.sha), packed)
            return
        self.cache.put(entry_key(item.mode, item.pf.rel, item.pf.scope, item.sha), {"result": item.result, "deps": deps})

    def _analyze(self, todo: list[_PyFile]) -> None:
        if not todo:
            return
        jobs = self.jobs
        if jobs is None:
            # Once the workers run, later rounds go to them too: they hold the modules these files look up.
            jobs = (os.cpu_count() or 1) if sum(i.pf.size for i in todo) >= PARALLEL_BYTES or self._workers is not None else 1
        tasks = [(i.pf.rel, i.pf.scope, i.mode) for i in todo]
        self.index.loader_importers = self._loader_importers()

        def finish(i: int, outcome: tuple) -> None:
            item, (result, skipped) = todo[i], outcome
            self.skipped.extend(skipped)  # sorted when linked: arrival order does not matter
            item.result = result
            if result is not None:
                self._store(item)

        if jobs <= 1:
            for item in todo:
                if item.data is not None and item.mode == "full":
                    self.index.prefill(item.pf.rel, item.data)
            for i, t in enumerate(tasks):
                finish(i, analyze_task(self.index, *t))
        else:
            # Each chunk's results are stored as they arrive: encoding cache entries here overlaps the workers.
            self._parallel(tasks, jobs, finish)

    def _parallel(self, tasks: list[tuple[str, str, str]], jobs: int,
                  arrived: Callable[[int, tuple], None] | None = None) -> list:
        """The outcome of each task, computed by the workers; ``arrived(i, outcome)`` is called for each as soon as
        its chunk comes back (once per task, also when the pool breaks and the rest is done serially)."""
        # A notebook's bytes are mostly outputs and JSON: its analysis costs about 1/50 of a .py file's per byte.
        chunks = _chunks([(t[0], self._size(t[0]) // (50 if t[2].startswith("nb") else 1)) for t in tasks], jobs)
        # What the workers' indexes must know this round; they keep their parsed modules between rounds.
        state = (self.wrapper_modules, self.index.loader_importers, tuple(self._forgotten))
        out: list = [None] * len(tasks)
        done = [False] * len(tasks)
        try:
            pool = self._pool(jobs)
            outcomes = iter(pool.map(_work, [(state, [tasks[i] for i in c]) for c in chunks]))
            self._launched()
        except Exception:  # noqa: BLE001 - no worker processes here (sandbox): do it serially
            outcomes = None
        for chunk in chunks if outcomes is not None else ():
            try:
                results = next(outcomes)
            except Exception:  # noqa: BLE001 - a broken pool: the rest is done serially
                outcomes = None
                break
            for i, r in zip(chunk, results):
                out[i], done[i] = r, True
                if arrived is not None:
                    arrived(i, r)  # outside the try: an error here is the caller's, not the pool's
        if outcomes is None:
            self.close()
            self.jobs = 1  # and the rest of the run too: no second pool (no fork once a caller's thread may run)
            for i, t in enumerate(tasks):
                if not done[i]:
                    out[i] = analyze_task(self.index, *t)
                    if arrived is not None:
                        arrived(i, out[i])
        return out

    def _pool(self, jobs: int) -> ProcessPoolExecutor:
        """One pool of fork workers for the whole run (each worker's project index lives as long as the run)."""
        if self._workers is None:
            import multiprocessing

            # What every worker would read on its own (the knowledge base behind weight names): once, before the fork.
            weight_urls.preload()

            context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
            self._workers = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                                                initargs=(self.base, self.py_rels, self.roots, self.scopes))
        return self._workers

    def dispose(self) -> None:
        """Free the parsed modules now that the run is over (their cycles would cost a full collection later)."""
        if self._index is not None:
            self._index.dispose()
            self._index = None

    def close(self) -> None:
        if self._workers is not None:
            self._workers.shutdown(wait=True, cancel_futures=True)
            self._workers = None

    def _size(self, rel: str) -> int:
        return self._sizes().get(rel, 0)

    def _sizes(self) -> dict[str, int]:
        if not hasattr(self, "_size_map"):
            self._size_map = {f.rel: f.size for f in self.files}
        return self._size_map

    # ------------------------------------------------------------------ link

    def _link(self, results: list[FileResult], reader, other: list, extra_imports: list, requirements: list) -> Discovery:
        called = _called(results)
        imports: list[ImportReference] = []
        refs: list[Reference] = list(other)
        hygiene = set()
        seen_first: set[str] = set()
        for r in results:
            scope = self.scopes.get(r.rel, "runtime")
            for raw in r.imports:
                module = raw.module
                top = module.split(".", 1)[0]  # a namespace package's import keeps its dotted name (import_name)
                if top in STDLIB:
                    continue
                if (
                    top in self.first_party
                    or self.first_party.nearby(r.rel, top)
                    # A loader library's name stays third-party even if a project folder reuses it.
                    or (top not in LOADER_MODULES and self.first_party.defined_anywhere(top))
                ):
                    seen_first.add(top)
                    continue
                imports.append(ImportReference(module, raw.location, scope, raw.checkout))
            refs += r.references
            hygiene.update(r.hygiene)
            # A wrapper's own load is replaced by its call sites when the project calls it.
            refs += [ref for key, ref in r.tagged if key not in called]
            requirements += r.requirements
            self.skipped += r.skipped
            if r.setup_requirements or r.setup_problems or r.setup_name:
                reader.add_setup_py(r.rel, r.setup_requirements, r.setup_problems, r.setup_lines, r.setup_name)
        for ref in extra_imports:
            if ref.module in STDLIB or ref.module in self.first_party:
                continue
            imports.append(ref)
        refs = downloads.link_saved_files(refs)
        # A weight found by name is a fallback: where a loader call (or a config/CLI form) loads the same weight,
        # the load site speaks for it.
        loaded = {(r.loader, r.name) for r in refs if isinstance(r, ModelReference) and r.found_by != "name"}
        # Likewise where a load's value is written (its origin: the constant a loader call reads).
        written = {(o.path, o.line) for r in refs if isinstance(r, ModelReference) and r.found_by != "name" for o in r.origins}
        refs = [r for r in refs if not (isinstance(r, ModelReference) and r.found_by == "name"
                                        and ((r.loader, r.name) in loaded or (r.location.path, r.location.line) in written))]
        models = sorted({r for r in refs if isinstance(r, ModelReference)}, key=_model_key)
        unresolved = sorted({r for r in refs if not isinstance(r, ModelReference)},
                            key=lambda u: (*_loc_key(u.location), u.loader, u.expression, u.reason, u.candidates,
                                           [_full_loc_key(o) for o in u.origins], _full_loc_key(u.location)))
        skipped = sorted(set(self.skipped + reader.skipped), key=lambda s: (s.path, s.reason))
        return Discovery(
            imports=sorted(set(imports), key=lambda i: (*_loc_key(i.location), i.module, i.scope)),
            models=models,
            # The project's own distributions are first party wherever they are named (a workflow's pip install).
            requirements=sorted({r for r in reader.requirements + requirements if r.name not in reader.own_names},
                                key=lambda r: (*_loc_key(r.location), r.name, r.group, r.specifier)),
            unresolved=unresolved,
            skipped=skipped,
            files_scanned=self.files_scanned,
            first_party=frozenset(self.first_party.names | seen_first),
            own_distributions=frozenset(reader.own_names),
            hygiene=sorted(hygiene, key=_hygiene_key),
        )


# ---------------------------------------------------------------------------------------------- analysis


def analyze_task(index: ProjectIndex, rel: str, scope: str, mode: str) -> tuple[FileResult | Prefiltered | None, list[SkippedFile]]:
    """Full analysis of one .py ("full") or .ipynb ("nb": parsed when it may reach a loader; "nbfull": always)
    file, or the cheap pass over a .py file ("pre");
    problems become SkippedFile entries (for "pre": the reason in the Prefiltered)."""
    if mode == "pre":
        return prefilter(os.path.join(index.base, rel), rel), []  # a str path: no Path object per file
    try:
        if mode in ("nb", "nbfull"):
            return analyze_notebook(index, rel, scope, full=mode == "nbfull")
        return analyze_python(index, rel), []
    except Unreadable as exc:
        return None, [SkippedFile(rel, str(exc))]
    except Exception as exc:  # noqa: BLE001 - a bug must not abort the audit; it is reported, not hidden
        return None, [SkippedFile(rel, f"internal error while scanning ({type(exc).__name__}: {exc})")]
    finally:
        _settle()


class Prefiltered(NamedTuple):
    """What the cheap pass learned of one .py file."""

    sha: str | None  # None: the file could not be read
    data: bytes | None  # the bytes read (kept in-process so the full parse does not read them again)
    packed: list | None  # the imports-only result (cache.pack_imports form); None: needs the full analysis
    reason: str | None  # why the file is skipped, or None


def prefilter(path: Path | str, rel: str) -> Prefiltered:
    """Read and hash one .py file, and read its imports with the lexer unless it may call a loader."""
    try:
        data = read_bytes(path, MAX_PYTHON_BYTES)
    except Unreadable as exc:
        return Prefiltered(None, None, None, str(exc))
    sha = content_hash(data)
    try:
        source = decode_python(data)
        if rel.rpartition("/")[2] == "setup.py":
            return Prefiltered(sha, data, None, None)
        # Only a module importing a loader library can call a loader (callers of project wrappers are picked up
        # later); the rest needs its imports only.
        found = fastimports.scan(source, rel)
        if found is None:
            return Prefiltered(sha, data, None, None)
        # Importing a loader library is not enough to load weights: a module that never spells one of its
        # callees (e.g. torch used only for tensors) needs its imports only.
        modules = {r.module for r in found[0]}
        loader_modules = modules & LOADER_MODULES
        if loader_modules and may_call_loader(source, loader_modules):
            return Prefiltered(sha, data, None, None)
        # A known weight's name (an Ultralytics asset, a weight URL) counts wherever it is passed or assigned, and
        # a project class may inherit a library's loader (``Net.from_pretrained`` with Net(PyTorchModelHubMixin)).
        if (may_load_through_project_class(source) or names_known_weight(source) or passes_weight_keyword(source)
                or may_instantiate_config(source)):
            return Prefiltered(sha, data, None, None)
        # IPython shell lines (``!wget ...`` in a Colab export) are commands the full analysis reads; a config
        # module (``load_from = ...``, ``dict(checkpoint=...)``) names weights without calling anything.
        if recover.has_shell_lines(source) or python_configs.is_config_module(rel, source) or command_calls.may_run_commands(source, modules):
            return Prefiltered(sha, data, None, None)
        # ``sys.path.insert(0, "third_party/x")``: which imports come from a checkout the tree lacks needs the parse.
        if SYS_PATH in source:
            return Prefiltered(sha, data, None, None)
        # Linking drops standard-library imports anyway: not carrying them makes results and cache entries small.
        imports = [r for r in found[0] if r.module not in STDLIB]
        return Prefiltered(sha, data, pack_imports(FileResult(rel, imports=imports, import_names=found[1])), None)
    except Unreadable as exc:
        return Prefiltered(sha, data, None, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug must not abort the audit; it is reported, not hidden
        return Prefiltered(sha, data, None, f"internal error while scanning ({type(exc).__name__}: {exc})")


def analyze_python(index: ProjectIndex, rel: str) -> FileResult:
    module = index.modules.get(rel)
    if module is None:
        source = index.text(rel) if rel in index._texts else index.source(rel)
        if source is None:
            source = index.source(rel)  # raises with the reason
        try:
            module = index.analysis(rel, source)
        except PythonSyntaxError as exc:
            raise Unreadable(exc.reason) from exc
        index.modules[rel] = module
    result = module.run()
    if python_configs.is_config_module(rel, "\n".join(module.text.lines)):
        result.references += python_configs.config_references(module, index.base)
    parsed = index.recovered.pop(rel, None)
    if parsed is not None:
        # What the repair found: IPython shell lines (commands) and statements left out (skipped in part).
        scope = index.scopes.get(rel, "runtime")
        commands = [(module.locate(line, 0), _python_values(module, command, line)) for line, command in parsed.shell]
        _command_lines(result, commands, rel, scope, index.base)
        if parsed.skipped_reason:
            result.skipped.append(SkippedFile(rel, parsed.skipped_reason))
    return result


# IPython fills ``{expr}`` and ``$name`` of a ``!`` line from the Python variables of the notebook.
_IPYTHON_VALUE = re.compile(r"\{(?P<braced>[A-Za-z_][\w.]*)\}|\$(?P<plain>[A-Za-z_]\w*)")


def _python_values(module: ModuleAnalysis, command: str, line: int) -> str:
    """``command`` with the Python constants its ``{name}``/``$name`` parts name at ``line`` substituted."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("plain")
        node: ast.expr = ast.Name(id=name.split(".")[0], lineno=line, col_offset=0)
        for attr in name.split(".")[1:]:
            node = ast.Attribute(value=node, attr=attr, lineno=line, col_offset=0)
        value = module.evaluator.evaluate(node, module.module, line)
        return str(value.value) if value.kind == "const" and isinstance(value.value, (str, int, float)) else match.group(0)

    return _IPYTHON_VALUE.sub(substitute, command) if ("{" in command or "$" in command) else command


def _command_lines(result: FileResult, commands: list[tuple[Location, str]], rel: str, scope: str, root: Path) -> None:
    """Requirements and model references of shell command lines in a notebook or a Python file."""
    for location, command in commands:
        for tokens in notebooks.split_commands(command):
            for name, spec in notebooks.pip_installs(tokens):
                result.requirements.append(RequirementReference(name, spec, location, scope))
    result.references += shell.command_lines(commands, rel, scope, root=root)


def analyze_notebook(index: ProjectIndex, rel: str, scope: str, *, full: bool = False) -> tuple[FileResult, list[SkippedFile]]:
    """A notebook's code cells and shell commands. Code that cannot reach a loader (no loader library imported and
    spelled) is not parsed: its imports are read by the lexer (a caller of a project wrapper is upgraded to
    ``full`` later, like a .py file)."""
    code = notebooks.extract(decode_text(read_bytes(index.base / rel, MAX_NOTEBOOK_BYTES)))
    skipped = [SkippedFile(rel, f"code cell {cell} not scanned: {reason}") for cell, reason in code.skipped_cells]
    if not full:
        light = _light_notebook(code, rel)
        if light is not None:
            _shell_commands(code, rel, scope, light, index.base)
            return light, skipped
    # A cell that is not Python 3 is blanked (and reported) so the other cells are still scanned.
    budget = Budget("notebook", seconds=2 * FILE_SECONDS)  # each retry parses the whole code again
    for _ in range(MAX_NOTEBOOK_RETRIES):
        source = code.source
        try:
            tree = parse(source, rel)
            break
        except PythonSyntaxError as exc:
            try:
                budget.check()
            except OverLimit as over:
                raise Unreadable(f"too many code cells that are not valid Python 3: {over}") from None
            cell, cell_line = code.position(exc.line) if exc.line else (None, None)
            if cell is None:
                raise Unreadable(f"notebook code {exc.reason}") from exc
            skipped.append(SkippedFile(rel, f"code cell {cell} {exc.reason.replace(f'line {exc.line}:', f'line {cell_line}:')}"))
            code.blank_cell(cell)
    else:
        raise Unreadable("too many code cells that are not valid Python 3")

    text = SourceText(source)

    def locate(line: int, col: int) -> Location:
        cell, cell_line = code.position(line)
        return Location(rel, code.file_line(cell, cell_line) or line, text.column(line, col), text.snippet(line), cell, cell_line)

    module = ModuleAnalysis(index, rel, source, tree, scope_label=scope, locate=locate)
    index.retired.append(module)
    result = module.run()
    _shell_commands(code, rel, scope, result, index.base, module)
    return result, skipped


def _light_notebook(code: notebooks.NotebookCode, rel: str) -> FileResult | None:
    """The imports-only result of a notebook whose code cannot reach a loader, else None."""
    source = code.source
    found = fastimports.scan(source, rel)
    if found is None:
        return None
    loader_modules = {r.module for r in found[0]} & LOADER_MODULES
    if loader_modules and may_call_loader(source, loader_modules):
        return None
    if may_load_through_project_class(source) or names_known_weight(source):
        return None
    if any("{" in line.command or "$" in line.command for line in code.shell):
        return None  # a shell line reads the notebook's Python values (``!wget {URL}``): they need the full analysis
    if SYS_PATH in source:
        return None  # imports after a sys.path edit (see ModuleAnalysis._mark_checkout_imports)
    imports = []
    for raw in found[0]:
        if raw.module in STDLIB:
            continue
        loc = raw.location
        cell, cell_line = code.position(loc.line)
        imports.append(RawImport(raw.module, Location(rel, code.file_line(cell, cell_line) or loc.line, loc.column, loc.snippet, cell, cell_line)))
    return FileResult(rel, imports=imports, import_names=found[1], light=True)


def _shell_commands(code: notebooks.NotebookCode, rel: str, scope: str, result: FileResult, root: Path,
                    module: ModuleAnalysis | None = None) -> None:
    """Requirements and model references of a notebook's shell lines (``!pip install``, ``!wget``, ``!yolo``);
    ``{name}``/``$name`` parts filled from the notebook's constants when its code was analyzed."""
    commands = []
    for line in code.shell:
        location = Location(rel, code.file_line(line.cell, line.cell_line) or line.line, 1, line.command.strip()[:200],
                            line.cell, line.cell_line)
        commands.append((location, _python_values(module, line.command, line.line) if module is not None else line.command))
    _command_lines(result, commands, rel, scope, root)


def _add_scan(scan: registry.FileScan, other: list, imports: list, requirements: list, skipped: list) -> None:
    other.extend(scan.models)
    other.extend(scan.unresolved)
    imports.extend(scan.imports)
    requirements.extend(scan.requirements)
    skipped.extend(scan.skipped)


def _scan_file(rel: str, scope: str, name: str, path: Path) -> registry.FileScan | str:
    """One registered scanner over one file; a scanner bug becomes its description (reported as skipped)."""
    entry = next(e for e in registry.scanners_for(rel) if e.name == name)
    try:
        return entry.scan(path, rel, scope)
    except Exception as exc:  # noqa: BLE001 - a scanner bug is reported, never fatal
        return f"{type(exc).__name__}: {exc}"


def _scan_files(tasks: list[tuple[str, str, str]]) -> list:
    assert _WORKER_INDEX is not None
    return [_scan_file(rel, scope, name, _WORKER_INDEX.base / rel) for rel, scope, name in tasks]


_WORKER_INDEX: ProjectIndex | None = None
_WORKER_STATE: tuple | None = None


def _init_worker(base: Path, py_rels: list[str], roots: set[str], scopes: dict[str, str]) -> None:
    global _WORKER_INDEX
    _WORKER_INDEX = ProjectIndex(base, py_rels, roots, scopes)


def _work(batch: tuple[tuple, list[tuple[str, str, str]]]) -> list:
    global _WORKER_STATE
    state, tasks = batch
    index = _WORKER_INDEX
    assert index is not None
    if state != _WORKER_STATE:
        wrapper_modules, loader_importers, forgotten = state
        index.wrapper_modules = set(wrapper_modules)
        index.loader_importers = loader_importers
        index.forget(list(forgotten[len(_WORKER_STATE[2]) if _WORKER_STATE else 0:]))
        _WORKER_STATE = state
    out = [analyze_task(index, *t) for t in tasks]
    # The parent does not need the bytes a worker read (sending them back would cost more than the read).
    return [(r._replace(data=None), s) if isinstance(r, Prefiltered) else (r, s) for r, s in out]


def _chunks(files: list[tuple[str, int]], jobs: int) -> list[list[int]]:
    """Indexes of ``files`` (rel, size) in chunks for the workers: the files of one folder together, largest first.

    A worker parses and analyzes again every module its files look values up in (wrappers, class attributes),
    mostly neighbours in the same package: a package's files in one chunk are looked up once. Folders larger than
    a share of the work are split by subfolder so that the chunks, handed out largest first, still end together.
    """
    total = sum(size for _, size in files) or 1
    limit = total / (jobs * 6)
    groups: list[tuple[int, list[int]]] = []  # (depth of the folder split so far, indexes)
    todo = [(0, list(range(len(files))))]
    while todo:
        depth, members = todo.pop()
        if sum(files[i][1] for i in members) <= limit or len(members) == 1:
            groups.append((depth, members))
            continue
        split: dict[str, list[int]] = {}
        for i in members:
            parts = files[i][0].split("/")
            split.setdefault("/".join(parts[:depth + 1]) if len(parts) > depth + 1 else files[i][0], []).append(i)
        if len(split) == 1 and all(len(files[i][0].split("/")) <= depth + 1 for i in members):
            groups.append((depth, members))  # files of one folder: can be split no further by folder
            continue
        if len(split) == 1:
            todo.append((depth + 1, members))
            continue
        loose = [i for key, ids in split.items() for i in ids if key == files[i][0]]
        if loose:  # the folder's own files, cut in shares of the limit
            share: list[int] = []
            for i in sorted(loose, key=lambda i: files[i][0]):
                share.append(i)
                if sum(files[j][1] for j in share) >= limit:
                    groups.append((depth, share))
                    share = []
            if share:
                groups.append((depth, share))
        todo += [(depth + 1, ids) for key, ids in split.items() if key != files[ids[0]][0]]
    # Small groups side by side (in path order) share a chunk, so a chunk is worth sending.
    groups.sort(key=lambda g: min(files[i][0] for i in g[1]))
    chunks: list[list[int]] = []
    for _, members in groups:
        if chunks and sum(files[i][1] for i in chunks[-1]) + sum(files[i][1] for i in members) <= limit / 2:
            chunks[-1] += members
        else:
            chunks.append(list(members))
    return sorted(chunks, key=lambda c: -sum(files[i][1] for i in c))


def _roots(rels: list[str]) -> set[str]:
    """Directories a module import may be relative to: the root, nested project roots, and their src/."""
    roots = {""} | {_parent(r) for r in rels if r.rpartition("/")[2] in PROJECT_MARKERS}
    return roots | {f"{r}/src" if r else "src" for r in roots}


def _loc_key(loc: Location) -> tuple[str, int, int]:
    return (loc.path, loc.line, loc.column)


def _model_key(m: ModelReference) -> tuple:
    """A total order of model references: the models are a set before sorting, and two references at one call that
    differ only in their revision or origins (``revision=self.revision`` with two candidates, two parametrize rows
    naming the same weights) must not come out in the set's order, which varies between runs (hash of None)."""
    return (*_loc_key(m.location), m.loader, m.name, _maybe(m.variant), m.api, _maybe(m.revision), _maybe(m.task),
            m.scope, _maybe(m.url), m.found_by, [_full_loc_key(o) for o in m.origins], _full_loc_key(m.location))


def _maybe(text: str | None) -> tuple[bool, str]:
    return (text is not None, text or "")


def _full_loc_key(loc: Location) -> tuple:
    return (*_loc_key(loc), loc.snippet, -1 if loc.cell is None else loc.cell, -1 if loc.cell_line is None else loc.cell_line)


def _called(results: list[FileResult]) -> set[str]:
    """Wrappers whose own references give way to their call sites': called at least once, and every wrapper that
    passes its parameters on to it (a forwarding call) gives way too. A forwarder that nobody calls keeps the
    callee's own references alive: they say what its path can load."""
    has_call = {key for r in results for key in r.called}
    forwarders: dict[str, set[str]] = {}
    for r in results:
        for caller, callee in r.forwards:
            forwarders.setdefault(callee, set()).add(caller)
            has_call.add(callee)
    # Least fixpoint with a worklist: a forwarding cycle that no outside call reaches keeps its references.
    waiting = {key: len(forwarders.get(key, ())) for key in has_call}
    feeds: dict[str, list[str]] = {}
    for callee, callers in forwarders.items():
        for caller in callers:
            feeds.setdefault(caller, []).append(callee)
    gives_way = set()
    todo = sorted(key for key, n in waiting.items() if n == 0)
    while todo:
        key = todo.pop()
        gives_way.add(key)
        for callee in feeds.get(key, ()):
            waiting[callee] -= 1
            if waiting[callee] == 0:
                todo.append(callee)
    return gives_way


def _hygiene_key(obs) -> tuple:
    model = obs.model
    # Ends with the whole observation: two at one call for one model that differ elsewhere (the model's revision,
    # the processor) keep one order; a set's order varies between runs (see _model_key).
    return (*_loc_key(obs.location), obs.kind, model.loader if model else "", model.name if model else obs.name,
            (model.variant or "") if model else "", repr(obs.steps), repr(obs))


def _parent(rel: str) -> str:
    parent = str(PurePosixPath(rel).parent)
    return "" if parent == "." else parent
