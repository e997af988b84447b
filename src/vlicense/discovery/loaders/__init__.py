"""Loader idioms, one module per library; each module exposes ``LOADER`` (see base.CallLoader)."""

from __future__ import annotations

from vlicense.discovery.loaders import (
    huggingface,
    open_clip,
    timm,
    torchhub,
    torchvision,
    ultralytics,
)
from vlicense.discovery import command_calls
from vlicense.discovery.loaders.base import CallLoader

LOADERS: tuple[CallLoader, ...] = (
    torchvision.LOADER,
    timm.LOADER,
    huggingface.LOADER,
    ultralytics.LOADER,
    torchhub.LOADER,
    open_clip.LOADER,
)


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
    return any(
        word in source for module in modules for loader in LOADERS_BY_MODULE.get(module, ()) for word in loader.triggers
    )


__all__ = ["LOADERS", "LOADERS_BY_MODULE", "CallLoader", "may_call_loader"]
