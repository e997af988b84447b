"""First-party module names: what the project itself defines, so its own imports are not taken as third-party."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

# A directory holding one of these is the root of a (possibly nested) Python project.
PROJECT_MARKERS = frozenset({"pyproject.toml", "setup.py", "setup.cfg"})


class FirstParty:
    """Names importable from the root or a nested project root (or their ``src/``), plus names that sit next
    to the importing file or next to one of its ancestor directories (scripts, test helpers on sys.path)."""

    def __init__(self, rels: Iterable[str]) -> None:
        rels = list(rels)
        roots = {""} | {_parent(r) for r in rels if _name(r) in PROJECT_MARKERS}
        names: set[str] = set()
        # (directory, name) pairs: ``dir/name.py``, or ``dir/name/`` with Python files below it.
        self._siblings: set[tuple[str, str]] = set()
        for rel in rels:
            if not rel.endswith(".py"):
                continue
            parts = tuple(p for p in rel.split("/") if p)
            for depth in range(len(parts)):
                parent = "/".join(parts[:depth])
                self._siblings.add((parent, _module_name(parts[depth:])))
                if parent in roots:
                    names.add(_module_name(parts[depth:]))
                    if parts[depth] == "src" and depth + 1 < len(parts):
                        names.add(_module_name(parts[depth + 1 :]))
        self.names = frozenset(n for n in names if n.isidentifier())
        # Only modules whose folder is not itself a package: code vendored inside a package (pip/_vendor/requests)
        # is imported through that package, so it does not make a plain `import requests` first-party.
        packages = {_parent(r) for r in rels if _name(r) == "__init__.py"}
        self._anywhere = frozenset(name for parent, name in self._siblings if parent not in packages and name.isidentifier())

    def __contains__(self, module: str) -> bool:
        return module in self.names

    def nearby(self, importer_rel: str, module: str) -> bool:
        """Whether ``module`` is defined next to the importing file or next to one of its ancestor directories."""
        parent = importer_rel.rpartition("/")[0]
        while parent:
            if (parent, module) in self._siblings:
                return True
            parent = parent.rpartition("/")[0]
        return False


    def defined_anywhere(self, module: str) -> bool:
        """Whether some folder of the project defines ``module`` (``x/module.py`` or ``x/module/``): scripts and
        benchmarks that put another project folder on sys.path import it (not a third-party distribution)."""
        return module in self._anywhere


def _name(rel: str) -> str:
    # Asked of every file of the tree: a string split, not a path object (rels are clean POSIX paths from the walk).
    return rel.rpartition("/")[2]


def _parent(rel: str) -> str:
    parent = str(PurePosixPath(rel).parent)
    return "" if parent == "." else parent


def _module_name(parts: tuple[str, ...]) -> str:
    """``("x.py",)`` -> ``x``; ``("pkg", ...)`` -> ``pkg``."""
    first = parts[0]
    return first[:-3] if len(parts) == 1 and first.endswith(".py") else first
