"""Scanners for non-Python files (configs, shell scripts, Dockerfiles, lock files), looked up by file path.

discover() asks ``scanners_for(relpath)`` for every walked file and runs each scanner it gets. A scanner module
registers itself with ``register`` when imported; ``load_builtin_scanners`` imports the shipped ones.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vlicense.model import ImportReference, ModelReference, RequirementReference, SkippedFile, UnresolvedReference


@dataclass
class FileScan:
    """What one scanner found in one file (paths in Locations are relative to the project root)."""

    models: list[ModelReference] = field(default_factory=list)
    unresolved: list[UnresolvedReference] = field(default_factory=list)
    imports: list[ImportReference] = field(default_factory=list)
    requirements: list[RequirementReference] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


# (absolute path, path relative to the root in POSIX form, scope label) -> FileScan; must never raise.
FileScanner = Callable[[Path, str, str], FileScan]


@dataclass(frozen=True)
class ScannerEntry:
    """A registered scanner: ``name`` and ``version`` key the per-file result cache."""

    name: str
    version: str
    matches: Callable[[str], bool]
    scan: FileScanner


_SCANNERS: dict[str, ScannerEntry] = {}

# Modules that register scanners when imported (kept here so discover() needs no edit to add one).
BUILTIN_SCANNER_MODULES = (
    "vlicense.discovery.configs",
    "vlicense.discovery.shell",
    "vlicense.discovery.lockfiles",
)


def register(name: str, version: str, matches: Callable[[str], bool], scan: FileScanner) -> None:
    """Add (or replace) a scanner."""
    _SCANNERS[name] = ScannerEntry(name, version, matches, scan)


def load_builtin_scanners() -> None:
    """Import the shipped scanner modules that exist (each registers itself)."""
    for module in BUILTIN_SCANNER_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise


def versions() -> list[tuple[str, str]]:
    """(name, version) of every registered scanner: part of the whole-run cache key."""
    return sorted((entry.name, entry.version) for entry in _SCANNERS.values())


def scanners_for(relpath: str) -> list[ScannerEntry]:
    """The scanners that want this file, in name order (deterministic)."""
    return [entry for _, entry in sorted(_SCANNERS.items()) if entry.matches(relpath)]
