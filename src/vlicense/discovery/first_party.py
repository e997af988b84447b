"""First-party module names: what the project itself defines, so its own imports are not taken as third-party."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath


class FirstParty:
    """Top-level names importable from the root (or ``src/``), plus per-directory siblings for scripts."""

    def __init__(self, py_files: Iterable[str]) -> None:
        names: set[str] = set()
        # (directory, name) pairs: ``dir/name.py`` or ``dir/name/`` holding Python files. A script run from its
        # own directory imports its neighbours as top-level modules.
        self._siblings: set[tuple[str, str]] = set()
        for rel in py_files:
            parts = PurePosixPath(rel).parts
            if not parts:
                continue
            for depth in range(len(parts)):
                parent = "/".join(parts[:depth])
                part = parts[depth]
                name = part[:-3] if depth == len(parts) - 1 and part.endswith(".py") else part
                if depth == len(parts) - 1 and not part.endswith(".py"):
                    continue
                self._siblings.add((parent, name))
            # Top-level: root/x.py, root/pkg/... (regular or namespace package), and the src/ layout.
            names.add(_module_name(parts))
            if parts[0] == "src" and len(parts) > 1:
                names.add(_module_name(parts[1:]))
        self.names = frozenset(n for n in names if n and n.isidentifier())

    def __contains__(self, module: str) -> bool:
        return module in self.names

    def sibling(self, importer_rel: str, module: str) -> bool:
        """Whether ``module`` sits next to the importing file (``scripts/a.py`` importing ``scripts/utils.py``)."""
        parent = str(PurePosixPath(importer_rel).parent)
        return parent not in ("", ".") and (parent, module) in self._siblings


def _module_name(parts: tuple[str, ...]) -> str:
    first = parts[0]
    return first[:-3] if len(parts) == 1 and first.endswith(".py") else first
