"""Find the target environment's site directories (--python, .venv/venv, $VIRTUAL_ENV, $CONDA_PREFIX, current)."""

from __future__ import annotations

import os
import re
import site
import sys
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from vlicense.errors import UsageError

_VERSIONED = re.compile(r"python(\d+)\.(\d+)$")


@dataclass(frozen=True)
class TargetEnvironment:
    """Where the audited project's dependencies are installed, and how we found out."""

    site_dirs: tuple[Path, ...]
    python_version: str | None
    description: str  # for the report: "venv /app/.venv (Python 3.11)"
    origin: str  # "--python" | "project-venv" | "VIRTUAL_ENV" | "CONDA_PREFIX" | "current-interpreter"


def find_site_dirs(project_root: Path, python: str | None = None, *,
                   environ: Mapping[str, str] | None = None) -> TargetEnvironment:
    """The target environment, first match wins: --python, project .venv/venv, $VIRTUAL_ENV, $CONDA_PREFIX, current."""
    environ = os.environ if environ is None else environ
    if python:
        return _from_python_option(Path(python))
    for name in (".venv", "venv"):
        prefix = Path(project_root) / name
        if (prefix / "pyvenv.cfg").is_file():
            found = _from_prefix(prefix, None, "project-venv")
            if found is not None:
                return found
    for variable in ("VIRTUAL_ENV", "CONDA_PREFIX"):
        value = environ.get(variable)
        if value and Path(value).is_dir():
            found = _from_prefix(Path(value), None, variable)
            if found is not None:
                return found
    return _current_interpreter()


def _from_python_option(path: Path) -> TargetEnvironment:
    fix = "pass the target environment's interpreter (e.g. .venv/bin/python) or its directory (e.g. .venv)"
    if not path.exists():
        raise UsageError("the --python path does not exist", where=str(path), fix=fix)
    version_hint = None
    if path.is_dir():
        prefix = path
    else:
        # Read the layout only; the interpreter is never run. bin/python3 -> python3.11 via its symlink name.
        for candidate in (path.name, path.resolve().name):
            match = _VERSIONED.search(candidate.removesuffix(".exe"))
            if match:
                version_hint = f"{match.group(1)}.{match.group(2)}"
                break
        prefix = path.parent.parent if path.parent.name.lower() in ("bin", "scripts") else path.parent
    found = _from_prefix(prefix, version_hint, "--python")
    if found is None:
        raise UsageError("no site-packages directory found for this Python", where=str(path),
                         fix=fix + "; the directory must contain lib/pythonX.Y/site-packages or Lib/site-packages")
    return found


def _from_prefix(prefix: Path, version_hint: str | None, origin: str) -> TargetEnvironment | None:
    cfg = read_pyvenv_cfg(prefix / "pyvenv.cfg")
    version = version_hint or cfg_version(cfg)
    dirs = _site_dirs_of(prefix, version)
    if not dirs:
        return None
    if version is None:
        for d in dirs:
            match = re.search(r"python(\d+)\.(\d+)", d.as_posix())
            if match:
                version = f"{match.group(1)}.{match.group(2)}"
                break
    if cfg.get("include-system-site-packages", "").strip().lower() == "true" and cfg.get("home"):
        # The venv also sees its base interpreter's packages, after its own.
        home = Path(cfg["home"])
        base = home.parent if home.name.lower() in ("bin", "scripts") else home
        dirs += [d for d in _site_dirs_of(base, version) if d not in dirs]
    kind = "conda env" if (prefix / "conda-meta").is_dir() else ("venv" if cfg else "prefix")
    description = f"{kind} {prefix}" + (f" (Python {version})" if version else "")
    return TargetEnvironment(tuple(dirs), version, description, origin)


def _site_dirs_of(prefix: Path, version: str | None) -> list[Path]:
    candidates: list[Path] = []
    lib_dirs = [prefix / "lib", prefix / "lib64"]
    for lib in lib_dirs:
        if version:
            candidates += [lib / f"python{version}" / "site-packages", lib / f"python{version}" / "dist-packages"]
        else:
            try:
                pythons = sorted(p for p in lib.glob("python3*") if p.is_dir())
            except OSError:
                pythons = []
            for p in pythons:
                candidates += [p / "site-packages", p / "dist-packages"]
    candidates += [prefix / "Lib" / "site-packages", prefix / "lib" / "python3" / "dist-packages"]
    seen: list[Path] = []
    for c in candidates:
        if c.is_dir() and not any(_same(c, s) for s in seen):
            seen.append(c)
    return seen


def _same(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return a == b


# A real pyvenv.cfg is a few hundred bytes; the one inside a scanned project may be anything.
MAX_PYVENV_CFG = 64 * 1024


def read_pyvenv_cfg(path: Path) -> dict[str, str]:
    """The key = value lines of a venv's pyvenv.cfg (keys lower-cased); its first 64 KiB only, {} when unreadable."""
    try:
        with path.open("rb") as handle:
            text = handle.read(MAX_PYVENV_CFG).decode("utf-8", errors="replace")
    except OSError:
        return {}
    cfg = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            cfg[key.strip().lower()] = value.strip()
    return cfg


def cfg_version(cfg: Mapping[str, str]) -> str | None:
    for key in ("version_info", "version"):
        match = re.match(r"(\d+)\.(\d+)", cfg.get(key, ""))
        if match:
            return f"{match.group(1)}.{match.group(2)}"
    return None


def _current_interpreter() -> TargetEnvironment:
    candidates: list[str] = []
    try:
        candidates += site.getsitepackages()
    except AttributeError:  # old virtualenv's site.py lacks it
        pass
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user_site:
        candidates.append(user_site)
    candidates.append(sysconfig.get_paths()["purelib"])
    dirs: list[Path] = []
    for c in candidates:
        path = Path(c)
        if path.is_dir() and not any(_same(path, d) for d in dirs):
            dirs.append(path)
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return TargetEnvironment(tuple(dirs), version, f"current interpreter {sys.executable} (Python {version})",
                             "current-interpreter")
