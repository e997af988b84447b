"""Loader calls: one engine (engine.py) over the loader catalog (knowledge/loaders/*.yaml), one CallLoader per entry."""

from __future__ import annotations

from vlicense.discovery import command_calls
from vlicense.discovery.loaders.base import CallLoader
from vlicense.discovery.loaders.engine import CATALOG, LOADERS, callee_name


def _by_module() -> dict[str, tuple[CallLoader, ...]]:
    table: dict[str, list[CallLoader]] = {}
    # Calls that run shell commands (os.system, subprocess) are read like loader calls.
    for loader in (*LOADERS, command_calls.LOADER):
        for module in loader.modules:
            table.setdefault(module, []).append(loader)
    return {k: tuple(v) for k, v in table.items()}


# Top-level module -> loaders that may handle calls into it (a call into any other module is skipped fast).
LOADERS_BY_MODULE: dict[str, tuple[CallLoader, ...]] = _by_module()


def may_call_loader(source: str, modules: set[str]) -> bool:
    """Whether a source that imports these top-level modules spells a callee of one of their loaders."""
    return any(word in source for module in modules for word in CATALOG.triggers(module))


__all__ = ["CATALOG", "LOADERS", "LOADERS_BY_MODULE", "CallLoader", "callee_name", "may_call_loader"]
