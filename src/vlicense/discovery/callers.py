"""Which imports-only modules may call a project wrapper: one of their imports names the wrapper's module, or a
wrapper imported from that module or from a package above it (a re-export). Decided from the dotted import
paths the fast scan records, without reading the file again."""

from __future__ import annotations

from pathlib import PurePosixPath


def module_parts(rel: str) -> list[str]:
    """``pkg/io/helper.py`` -> ``["pkg", "io", "helper"]`` (a package's ``__init__`` is the package)."""
    parts = list(PurePosixPath(rel).with_suffix("").parts)
    return parts[:-1] if parts and parts[-1] == "__init__" else parts


class WrapperModules:
    """The modules found to define wrappers, indexed by their last component and by the wrappers' names."""

    def __init__(self, wrappers: dict[str, list[str]]) -> None:
        self.by_stem: dict[str, list[list[str]]] = {}
        self.by_name: dict[str, list[list[str]]] = {}
        for rel, names in sorted(wrappers.items()):
            parts = module_parts(rel)
            if parts:
                self.by_stem.setdefault(parts[-1], []).append(parts)
            for name in names:
                self.by_name.setdefault(name, []).append(parts)

    def may_call(self, importer: str, paths: list[str]) -> bool:
        package: list[str] | None = None
        for path in paths:
            last = path.rpartition(".")[2]
            if last not in self.by_stem and last not in self.by_name:
                continue
            if package is None:
                package = module_parts(importer)[:-1]
            comps = absolute_parts(path, package)
            if not comps:
                continue
            if any(_ends_with(parts, comps) for parts in self.by_stem.get(comps[-1], ())):
                return True  # ``import pkg.helper`` / ``from pkg import helper``
            head = comps[:-1]
            if head and any(_ends_with(parts, head) or _contains(parts[:-1], head) for parts in self.by_name.get(comps[-1], ())):
                return True  # ``from pkg.helper import load`` / ``from pkg import load`` (re-exported)
        return False


def absolute_parts(path: str, package: list[str]) -> list[str]:
    """A dotted import path (``..io.helper`` when relative) as absolute parts, from the importer's package."""
    dots = len(path) - len(path.lstrip("."))
    rest = [p for p in path[dots:].split(".") if p]
    if not dots:
        return rest
    if dots - 1 > len(package):
        return []
    return package[: len(package) - (dots - 1)] + rest


def _ends_with(parts: list[str], tail: list[str]) -> bool:
    return len(tail) <= len(parts) and parts[len(parts) - len(tail):] == tail


def _contains(parts: list[str], run: list[str]) -> bool:
    n = len(run)
    return any(parts[i:i + n] == run for i in range(len(parts) - n + 1))
