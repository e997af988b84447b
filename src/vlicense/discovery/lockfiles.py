"""Lock files (uv.lock, poetry.lock, pylock.toml, Pipfile.lock, and Pipfile) -> exact requirements plus the lock graph.

Every locked package becomes a RequirementReference with ``==<version>``, its lock group and ``locked_requires``
(its own dependencies as PEP 508 strings, markers and extras kept), so resolution can build the dependency
closure and ``introduced_by`` paths from the lock when no environment is installed. ``direct`` is True only for
what the lock itself records as the project's own dependencies (uv.lock's project entries; Pipfile): poetry.lock,
pylock.toml and Pipfile.lock do not record it, so their packages are ``direct=False`` and the project's manifests
(pyproject.toml, requirements) name the roots. Registers itself with vlicense.discovery.registry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from vlicense.bounded import OverLimit, load_json, load_toml
from vlicense.discovery.registry import FileScan, register
from vlicense.discovery.sources import Unreadable, decode_text, read_bytes
from vlicense.model import Location, RequirementReference, SkippedFile

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    try:
        import tomli as tomllib  # type: ignore[no-redef]
    except ModuleNotFoundError:
        tomllib = None  # type: ignore[assignment]

VERSION = "1"
# Lock files of large projects run to a few MB; anything far larger is not a lock file we should parse.
MAX_LOCK_BYTES = 32 * 1024 * 1024
# tomllib is pure Python (about 4 MB/s): a TOML lock file past this would take over two seconds to parse.
MAX_TOML_LOCK_BYTES = 8 * 1024 * 1024
_PYLOCK = re.compile(r"^pylock(\.[^./\\]+)?\.toml$")
_GROUP_MARKER = re.compile(r"""['"]([^'"]+)['"]\s+in\s+dependency_groups""")
_EXTRA_MARKER = re.compile(r"""['"]([^'"]+)['"]\s+in\s+extras""")


def is_lock_file(rel: str) -> bool:
    """Whether ``rel`` is a lock file (or Pipfile) this module reads."""
    name = rel.rpartition("/")[2]  # asked of every walked file: no PurePosixPath here
    return name in ("uv.lock", "poetry.lock", "Pipfile.lock", "Pipfile") or bool(_PYLOCK.match(name))


def scan_lock_file(path: Path, rel: str, scope: str = "runtime") -> FileScan:
    """Read one lock file; never raises (an unreadable or malformed file becomes a SkippedFile)."""
    scan = FileScan()
    name = PurePosixPath(rel).name
    try:
        text = decode_text(read_bytes(path, MAX_LOCK_BYTES))
        if name == "Pipfile.lock":
            scan.requirements = _pipfile_lock(text, rel)
        else:
            data = _toml(text)
            reader = {"uv.lock": _uv_lock, "poetry.lock": _poetry_lock, "Pipfile": _pipfile}.get(name, _pylock)
            scan.requirements = reader(data, text, rel)
    except Unreadable as error:
        scan.skipped.append(SkippedFile(rel, str(error)))
    except Exception as error:  # noqa: BLE001 - hostile input must not abort discovery; reported, not hidden
        scan.skipped.append(SkippedFile(rel, f"lock file not understood ({type(error).__name__}: {error})"[:300]))
    scan.requirements.sort(key=lambda r: (r.name, r.group, r.location.line))
    return scan


def _toml(text: str) -> dict[str, Any]:
    if tomllib is None:  # pragma: no cover
        raise Unreadable("lock file not read (needs Python 3.11+ or the tomli package)")
    try:
        return load_toml(text, max_bytes=MAX_TOML_LOCK_BYTES, what="TOML lock file")
    except tomllib.TOMLDecodeError as error:
        raise Unreadable(f"malformed TOML ({error})") from error
    except OverLimit as error:
        raise Unreadable(f"lock file not read: {error}") from None


# ------------------------------------------------------------------------------------------------ uv.lock


def _uv_lock(data: dict[str, Any], text: str, rel: str) -> list[RequirementReference]:
    packages = [p for p in _list(data.get("package")) if isinstance(p, dict) and isinstance(p.get("name"), str)]
    lines = _NameLines(text, '^name = "{}"$')
    members = [p for p in packages if _uv_is_project(p)]
    member_names = {canonicalize_name(p["name"]) for p in members}
    roots: dict[str, str] = {}  # name -> group of the project's own dependency on it
    for member in members:
        for dep in _list(member.get("dependencies")):
            _add_root(roots, dep, "runtime")
        for extra, deps in sorted(_dict(member.get("optional-dependencies")).items()):
            for dep in _list(deps):
                _add_root(roots, dep, f"optional:{extra}")
        for group, deps in sorted(_dict(member.get("dev-dependencies")).items()):
            for dep in _list(deps):
                _add_root(roots, dep, f"group:{group}")
    out = []
    for package in packages:
        name = canonicalize_name(package["name"])
        if name in member_names:
            continue  # the project itself (or a workspace member): first party, not a dependency
        requires = [_uv_dep(dep) for dep in _list(package.get("dependencies"))]
        for extra, deps in sorted(_dict(package.get("optional-dependencies")).items()):
            requires += [_uv_dep(dep, extra_marker=extra) for dep in _list(deps)]
        out.append(_reference(name, package.get("version"), rel, lines.line(package["name"]),
                              roots.get(name, "runtime"), requires, direct=name in roots))
    return out


def _uv_is_project(package: dict[str, Any]) -> bool:
    source = package.get("source")
    return isinstance(source, dict) and ("editable" in source or "virtual" in source)


def _add_root(roots: dict[str, str], dep: Any, group: str) -> None:
    if isinstance(dep, dict) and isinstance(dep.get("name"), str):
        name = canonicalize_name(dep["name"])
        # Runtime beats an extra, an extra beats a group: the strongest way the project asks for it.
        if name not in roots or _group_rank(group) < _group_rank(roots[name]):
            roots[name] = group


def _group_rank(group: str) -> int:
    return 0 if group == "runtime" else 1 if group.startswith("optional:") else 2


def _uv_dep(dep: Any, *, extra_marker: str | None = None) -> str | None:
    if not isinstance(dep, dict) or not isinstance(dep.get("name"), str):
        return None
    extras = [e for e in _list(dep.get("extra")) if isinstance(e, str)]
    marker = dep.get("marker") if isinstance(dep.get("marker"), str) else None
    return _pep508(dep["name"], extras, marker, extra_marker)


# ------------------------------------------------------------------------------------------- poetry.lock


def _poetry_lock(data: dict[str, Any], text: str, rel: str) -> list[RequirementReference]:
    lines = _NameLines(text, '^name = "{}"$')
    out = []
    for package in _list(data.get("package")):
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            continue
        extras_of: dict[str, list[str]] = {}
        for extra, entries in sorted(_dict(package.get("extras")).items()):
            for entry in _list(entries):
                if isinstance(entry, str) and entry.strip():
                    dep_name = canonicalize_name(re.split(r"[\s(\[<>=!~;]", entry.strip(), maxsplit=1)[0])
                    extras_of.setdefault(dep_name, []).append(extra)
        requires: list[str | None] = []
        for dep_name, spec in sorted(_dict(package.get("dependencies")).items()):
            specs = spec if isinstance(spec, list) else [spec]
            for one in specs:
                marker = one.get("markers") if isinstance(one, dict) and isinstance(one.get("markers"), str) else None
                extras = [e for e in _list(one.get("extras")) if isinstance(e, str)] if isinstance(one, dict) else []
                optional = isinstance(one, dict) and bool(one.get("optional"))
                if optional:
                    for extra in extras_of.get(canonicalize_name(dep_name), []) or ["<unnamed>"]:
                        requires.append(_pep508(dep_name, extras, marker, extra))
                else:
                    requires.append(_pep508(dep_name, extras, marker, None))
        groups = [g for g in _list(package.get("groups")) if isinstance(g, str)]
        category = package.get("category") if isinstance(package.get("category"), str) else None
        group = _poetry_group(groups, category)
        out.append(_reference(canonicalize_name(package["name"]), package.get("version"), rel,
                              lines.line(package["name"]), group, requires, direct=False))
    return out


def _poetry_group(groups: list[str], category: str | None) -> str:
    # Poetry 2 lists the groups a package belongs to; Poetry 1 wrote category = "main" | "dev".
    if "main" in groups or category == "main" or (not groups and category is None):
        return "runtime"
    if groups:
        return f"group:{sorted(groups)[0]}"
    return "dev"


# ------------------------------------------------------------------------------------------- pylock.toml


def _pylock(data: dict[str, Any], text: str, rel: str) -> list[RequirementReference]:
    lines = _NameLines(text, '^name = "{}"$')
    out = []
    for package in _list(data.get("packages")):
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            continue
        marker = package.get("marker") if isinstance(package.get("marker"), str) else ""
        group = "runtime"
        groups = _GROUP_MARKER.findall(marker)
        extras = _EXTRA_MARKER.findall(marker)
        # PEP 751 markers may say which extras/groups select a package; a package selected only that way is not runtime.
        if groups and not extras and "dependency_groups" in marker and " or " not in marker.replace("dependency_groups", ""):
            group = f"group:{sorted(groups)[0]}"
        elif extras and not groups and " or " not in marker.replace("extras", ""):
            group = f"optional:{sorted(extras)[0]}"
        requires = []
        for dep in _list(package.get("dependencies")):
            if isinstance(dep, dict) and isinstance(dep.get("name"), str):
                requires.append(_pep508(dep["name"], [], None, None))
        out.append(_reference(canonicalize_name(package["name"]), package.get("version"), rel,
                              lines.line(package["name"]), group, requires, direct=False,
                              has_graph="dependencies" in package))
    return out


# ------------------------------------------------------------------------------------ Pipfile, Pipfile.lock


def _pipfile_lock(text: str, rel: str) -> list[RequirementReference]:
    try:
        data = load_json(text, max_bytes=MAX_LOCK_BYTES, what="Pipfile.lock")
    except ValueError as error:
        raise Unreadable(f"malformed JSON ({error})") from error
    except OverLimit as error:
        raise Unreadable(f"lock file not read: {error}") from None
    if not isinstance(data, dict):
        raise Unreadable("malformed Pipfile.lock (not a JSON object)")
    lines = _NameLines(text, '^\\s*"{}"\\s*:')
    out = []
    for section, group in (("default", "runtime"), ("develop", "dev")):
        for raw_name, entry in sorted(_dict(data.get(section)).items()):
            version = entry.get("version") if isinstance(entry, dict) else None
            version = version[2:] if isinstance(version, str) and version.startswith("==") else None
            # Pipfile.lock is flat (no graph): the closure can only place what is installed or declared in Pipfile.
            out.append(_reference(canonicalize_name(raw_name), version, rel, lines.line(raw_name), group, None,
                                  direct=False))
    return out


def _pipfile(data: dict[str, Any], text: str, rel: str) -> list[RequirementReference]:
    out = []
    for section, group in (("packages", "runtime"), ("dev-packages", "dev")):
        start = _line_of(text, f"[{section}]")
        for raw_name, spec in sorted(_dict(data.get(section)).items()):
            version = spec if isinstance(spec, str) else spec.get("version", "") if isinstance(spec, dict) else ""
            line = _line_of(text, raw_name, start=start, key=True)
            snippet = text.splitlines()[line - 1].strip()[:200] if line else raw_name
            spec_text = "" if version in ("*", "") else str(version)
            out.append(RequirementReference(canonicalize_name(raw_name), spec_text, Location(rel, line, 1, snippet), group))
    return out


# ------------------------------------------------------------------------------------------------ helpers


def _reference(name: str, version: Any, rel: str, line: int, group: str, requires: Iterable[str | None] | None,
               *, direct: bool, has_graph: bool = True) -> RequirementReference:
    spec = f"=={version}" if isinstance(version, str) and version else ""
    snippet = f"{name} {spec}".strip()
    locked = tuple(sorted({r for r in requires if r})) if requires is not None and has_graph else None
    return RequirementReference(name, spec, Location(rel, line, 1, snippet), group, locked_requires=locked, direct=direct)


def _pep508(name: str, extras: list[str], marker: str | None, extra_marker: str | None) -> str | None:
    name = canonicalize_name(name)
    text = name + (f"[{','.join(sorted(extras))}]" if extras else "")
    conditions = [f"({marker})"] if marker else []
    if extra_marker:
        conditions.append(f'extra == "{extra_marker}"')
    if conditions:
        text += "; " + " and ".join(conditions)
    try:
        Requirement(text)
    except InvalidRequirement:
        try:  # keep the edge even when the lock's marker is not PEP 508 (never drop a dependency silently)
            Requirement(name)
        except InvalidRequirement:
            return None
        return name
    return text


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


class _NameLines:
    """1-based line where each package's entry starts (first match of the pattern), found once per file."""

    def __init__(self, text: str, pattern: str) -> None:
        self._lines = text.splitlines()
        self._pattern = pattern
        self._index: dict[str, int] | None = None

    def line(self, name: str) -> int:
        if self._index is None:
            regex = re.compile(self._pattern.replace("{}", r'([^"]+)'))
            index: dict[str, int] = {}
            for number, line in enumerate(self._lines, 1):
                match = regex.match(line)
                if match:
                    index.setdefault(match.group(1), number)
            self._index = index
        return self._index.get(name, 0)


def _line_of(text: str, needle: str, *, start: int = 0, key: bool = False) -> int:
    pattern = re.compile(r"^\s*[\"']?" + re.escape(needle) + r"[\"']?\s*=") if key else None
    for number, line in enumerate(text.splitlines(), 1):
        if number <= start:
            continue
        if (pattern.match(line) if pattern else line.strip() == needle):
            return number
    return 0


register("lockfiles", VERSION, is_lock_file, scan_lock_file)
