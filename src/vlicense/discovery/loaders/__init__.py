"""Loader calls: one engine (engine.py) over the loader catalog (knowledge/loaders/*.yaml), one CallLoader per entry."""

from __future__ import annotations

from vlicense.discovery import command_calls
from vlicense.discovery.loaders.base import CallLoader
from vlicense.discovery.loaders.engine import CATALOG, LOADERS, callee_name, keyed_calls, through_partial


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
    """Whether a source that imports these top-level modules spells a callee of one of their loaders.

    A lowercase trigger is an identifier and must appear as a whole one (``hub`` in ``torch.hub.load``, not in
    ``huggingface_hub`` or ``github``); a capitalized one may be part of a name (``Weights`` in ``ResNet50_Weights``).
    """
    words = {w for module in modules for w in CATALOG.triggers(module)}
    return any(word in source if word[:1].isupper() else _token_in(word, source) for word in words)


def _token_in(word: str, source: str) -> bool:
    n = len(word)
    start = source.find(word)
    while start >= 0:
        before = source[start - 1] if start else " "
        after = source[start + n] if start + n < len(source) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return True
        start = source.find(word, start + n)
    return False


__all__ = ["CATALOG", "LOADERS", "LOADERS_BY_MODULE", "CallLoader", "callee_name", "keyed_calls", "may_call_loader", "through_partial"]
