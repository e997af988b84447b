"""The project's own dependency closure (Requires-Dist, markers, extras), with the paths that pull each dist in."""

from __future__ import annotations

import functools

import platform
from collections.abc import Mapping
from dataclasses import dataclass, field

from packaging.markers import Marker, default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from vlicense.resolution.installed import Environment

MAX_PATHS = 5
RUNTIME = "runtime"


@dataclass(frozen=True)
class LockedPackage:
    """A package pinned in a lock file: its version and (when the lock records the graph) its dependencies."""

    version: str | None
    requires: tuple[str, ...] | None = None


@dataclass
class ClosureEntry:
    """One distribution in the closure; ``paths`` run from the project to it, shortest first."""

    name: str
    version: str | None
    installed: bool
    direct: bool
    paths: list[list[str]] = field(default_factory=list)
    requested_by: set[str] = field(default_factory=set)
    scope: str = RUNTIME
    # Extras requested for it anywhere in the closure (``foo[bar]``).
    extras: set[str] = field(default_factory=set)
    # Requires-Dist lines that could not be parsed (recorded, not dropped silently).
    problems: list[str] = field(default_factory=list)
    # True when the version and edges come from a lock file (the dist is not installed in the target).
    locked: bool = False


def dependency_closure(env: Environment, direct: Mapping[str, str], *,
                       project: str = "<project>",
                       locked: Mapping[str, LockedPackage] | None = None) -> dict[str, ClosureEntry]:
    """Follow Requires-Dist from the ``direct`` dists (canonical name, optionally ``name[extra]`` -> scope).

    A dist that is not installed but is pinned in ``locked`` (canonical name -> LockedPackage) takes its version
    from the lock and, when the lock records its dependencies, is expanded through them the same way.

    Markers are evaluated for the target's Python version; other marker variables (sys_platform, ...) take the
    running machine's values, which is right when the target environment lives on this machine. Breadth-first
    over paths, so each dist's paths come shortest first; each dist is expanded once per new path (at most
    MAX_PATHS) and per newly requested extra, and a path never visits a dist twice (cycle-safe).
    """
    marker_env = _marker_environment(env.python_version)
    entries: dict[str, ClosureEntry] = {}
    expanded_extras: dict[str, set[str]] = {}
    # A frontier item: (name, extras requested on this edge, path so far incl. this name, root scope).
    frontier: list[tuple[str, frozenset[str], tuple[str, ...], str]] = []
    for key, scope in sorted(direct.items()):
        name, extras = _split_extras(key)
        frontier.append((name, extras, (project, name), scope))
        entry = _entry(entries, env, name, locked)
        entry.direct = True

    while frontier:
        next_frontier: list[tuple[str, frozenset[str], tuple[str, ...], str]] = []
        for name, extras, path, scope in sorted(frontier, key=lambda item: (item[2], sorted(item[1]))):
            entry = _entry(entries, env, name, locked)
            entry.requested_by.add(path[-2])
            # Runtime wins (it ships); otherwise the scope of the shortest path, which BFS sees first.
            if scope == RUNTIME or not entry.scope:
                entry.scope = scope
            new_path = list(path) not in entry.paths and len(entry.paths) < MAX_PATHS
            if new_path:
                entry.paths.append(list(path))
            seen = expanded_extras.get(name)
            new_extras = seen is None or not extras <= seen
            if not (entry.installed or entry.locked) or not (new_path or new_extras):
                continue
            all_extras = (seen or set()) | set(extras)
            expanded_extras[name] = all_extras
            entry.extras |= set(extras)
            for child, child_extras in _requirements(env, name, all_extras, marker_env, entry, locked):
                if child in path:
                    continue  # cycle
                next_frontier.append((child, child_extras, path + (child,), scope))
        frontier = next_frontier
    return dict(sorted(entries.items()))


def _entry(entries: dict[str, ClosureEntry], env: Environment, name: str,
           locked: Mapping[str, LockedPackage] | None = None) -> ClosureEntry:
    entry = entries.get(name)
    if entry is None:
        dist = env.get(name)
        pinned = (locked or {}).get(name) if dist is None else None
        entry = ClosureEntry(name=name, version=dist.version if dist else (pinned.version if pinned else None),
                             installed=dist is not None, direct=False, scope="",
                             locked=pinned is not None and pinned.requires is not None)
        entries[name] = entry
    return entry


def _split_extras(key: str) -> tuple[str, frozenset[str]]:
    if "[" in key:
        try:
            req = Requirement(key)
            return canonicalize_name(req.name), frozenset(canonicalize_name(e) for e in req.extras)
        except InvalidRequirement:
            pass
    return canonicalize_name(key), frozenset()


def _requirements(env: Environment, name: str, extras: set[str], marker_env: dict[str, str],
                  entry: ClosureEntry, locked: Mapping[str, LockedPackage] | None = None) -> list[tuple[str, frozenset[str]]]:
    dist = env.get(name)
    if dist is not None:
        lines: tuple[str, ...] = dist.requires
    else:
        pinned = (locked or {}).get(name)
        if pinned is None or pinned.requires is None:
            return []
        lines = pinned.requires
    out: dict[str, set[str]] = {}
    for line in lines:
        req = _requirement(line)
        if req is None:
            if line not in entry.problems:
                entry.problems.append(line)
            continue
        if req.marker is not None and not _marker_applies(req.marker, marker_env, extras):
            continue
        out.setdefault(canonicalize_name(req.name), set()).update(canonicalize_name(e) for e in req.extras)
    return [(child, frozenset(child_extras)) for child, child_extras in sorted(out.items())]


@functools.lru_cache(maxsize=8192)
def _requirement(line: str) -> Requirement | None:
    """A Requires-Dist line parsed once per run (a dist is expanded once per path and per extra)."""
    try:
        return Requirement(line)
    except InvalidRequirement:
        return None


def _marker_applies(marker: Marker, marker_env: dict[str, str], extras: set[str]) -> bool:
    # "extra" markers hold only for extras the parent requested; "" stands for "no extra" (plain requirements).
    text, environment = str(marker), tuple(sorted(marker_env.items()))
    return any(_marker_holds(marker, text, environment, extra) for extra in sorted(extras | {""}))


# (marker text, environment, extra) -> whether it holds: the same markers recur across an environment's
# distributions, and packaging's evaluation was most of a warm audit's time in a large venv.
_MARKER_ANSWERS: dict[tuple[str, tuple[tuple[str, str], ...], str], bool] = {}
MAX_MARKER_ANSWERS = 20_000


def _marker_holds(marker: Marker, text: str, environment: tuple[tuple[str, str], ...], extra: str) -> bool:
    key = (text, environment, extra)
    answer = _MARKER_ANSWERS.get(key)
    if answer is None:
        try:
            answer = bool(marker.evaluate({**dict(environment), "extra": extra}))
        except Exception:
            answer = True  # an unevaluable marker: keep the edge rather than hide a dependency
        if len(_MARKER_ANSWERS) < MAX_MARKER_ANSWERS:
            _MARKER_ANSWERS[key] = answer
    return answer


def _marker_environment(python_version: str | None) -> dict[str, str]:
    env = dict(default_environment())
    if python_version:
        env["python_version"] = python_version
        running = platform.python_version()
        # The full version is only known when the target's X.Y is the running one; else assume X.Y.0.
        same = running.startswith(python_version + ".")
        env["python_full_version"] = running if same else f"{python_version}.0"
    return env
