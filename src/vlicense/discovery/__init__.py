"""Static scan of a project (never imports or runs it): imports, manifests, model loader calls, weight files."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from vlicense.discovery import manifests, notebooks, weights
from vlicense.discovery.first_party import FirstParty
from vlicense.discovery.loaders.base import Reference
from vlicense.discovery.python_ast import (
    ModuleFacts,
    PythonSyntaxError,
    SourceText,
    analyze,
    mentions_loader_library,
    parse,
)
from vlicense.discovery.sources import (
    MAX_NOTEBOOK_BYTES,
    MAX_PYTHON_BYTES,
    Unreadable,
    decode_python,
    decode_text,
    read_bytes,
)
from vlicense.discovery.walk import ProjectFile, walk
from vlicense.model import (
    Discovery,
    ImportReference,
    Location,
    ModelReference,
    SkippedFile,
)

__all__ = ["discover"]

STDLIB = frozenset(sys.stdlib_module_names) | {"__future__", "__main__"}
MAX_NOTEBOOK_RETRIES = 50


def _wanted(rel: str) -> bool:
    lowered = rel.lower()
    return lowered.endswith((".py", ".ipynb")) or weights.is_weight_file(rel) or manifests.is_manifest(rel)


def discover(root: Path, *, exclude: Sequence[str] = ()) -> Discovery:
    """Scan ``root`` (a directory, or one file whose paths are relative to its parent) and return what it uses.

    Never raises for bad input inside the tree: such files become ``SkippedFile`` entries with a reason.
    """
    root = Path(root)
    base = root.parent if root.is_file() else root
    walked = walk(root, _wanted, exclude=exclude)
    scan = _Scan(base, FirstParty(f.rel for f in walked.files))
    scan.skipped.extend(walked.skipped)
    for pf in walked.files:
        try:
            scan.file(pf)
        except Unreadable as exc:
            scan.skipped.append(SkippedFile(pf.rel, str(exc)))
        except Exception as exc:  # noqa: BLE001 - a bug must not abort the audit; it is reported, not hidden
            scan.skipped.append(SkippedFile(pf.rel, f"internal error while scanning ({type(exc).__name__}: {exc})"))
        else:
            scan.files_scanned += 1
    return scan.result()


class _Scan:
    """Accumulates one discovery run."""

    def __init__(self, base: Path, first_party: FirstParty) -> None:
        self.base = base
        self.first_party = first_party
        self.first_party_seen: set[str] = set()
        self.imports: list[ImportReference] = []
        self.references: list[Reference] = []
        self.skipped: list[SkippedFile] = []
        self.files_scanned = 0
        self.manifests = manifests.ManifestReader(base)

    def file(self, pf: ProjectFile) -> None:
        lowered = pf.rel.lower()
        if manifests.is_manifest(pf.rel):
            self.manifests.read(pf.path, pf.rel)
        elif lowered.endswith(".py"):
            self._python(pf)
        elif lowered.endswith(".ipynb"):
            self._notebook(pf)
        elif weights.is_weight_file(pf.rel):
            self.references.append(weights.weight_reference(pf))

    def _python(self, pf: ProjectFile) -> None:
        source = decode_python(read_bytes(pf.path, MAX_PYTHON_BYTES))
        try:
            tree = parse(source, pf.rel)
        except PythonSyntaxError as exc:
            raise Unreadable(exc.reason) from exc
        text = SourceText(source)

        def locate(line: int, col: int) -> Location:
            return Location(pf.rel, line, text.column(line, col), text.snippet(line))

        is_setup = PurePosixPath(pf.rel).name == "setup.py"
        facts = analyze(
            tree,
            text,
            locate=locate,
            scope_label=pf.scope,
            root=self.base,
            rel_dir=_parent(pf.rel),
            is_setup_py=is_setup,
            imports_only=not is_setup and not mentions_loader_library(source),
        )
        self._collect(pf, facts)
        if is_setup and (facts.setup_requirements or facts.setup_problems):
            self.manifests.add_setup_py(pf.rel, facts.setup_requirements, facts.setup_problems, text.lines)

    def _notebook(self, pf: ProjectFile) -> None:
        code = notebooks.extract(decode_text(read_bytes(pf.path, MAX_NOTEBOOK_BYTES)))
        # A cell that is not Python 3 is blanked (and reported) so the other cells are still scanned.
        for _ in range(MAX_NOTEBOOK_RETRIES):
            source = code.source
            try:
                tree = parse(source, pf.rel)
                break
            except PythonSyntaxError as exc:
                cell, cell_line = code.position(exc.line) if exc.line else (None, None)
                if cell is None:
                    raise Unreadable(f"notebook code {exc.reason}") from exc
                self.skipped.append(
                    SkippedFile(pf.rel, f"code cell {cell} {exc.reason.replace(f'line {exc.line}:', f'line {cell_line}:')}")
                )
                code.blank_cell(cell)
        else:
            raise Unreadable("too many code cells that are not valid Python 3")
        text = SourceText(source)

        def locate(line: int, col: int) -> Location:
            cell, cell_line = code.position(line)
            return Location(pf.rel, line, text.column(line, col), text.snippet(line), cell, cell_line)

        facts = analyze(
            tree,
            text,
            locate=locate,
            scope_label=pf.scope,
            root=self.base,
            rel_dir=_parent(pf.rel),
            imports_only=not mentions_loader_library(source),
        )
        self._collect(pf, facts)

    def _collect(self, pf: ProjectFile, facts: ModuleFacts) -> None:
        for raw in facts.imports:
            module = raw.module
            if module in STDLIB:
                continue
            if module in self.first_party or self.first_party.nearby(pf.rel, module):
                self.first_party_seen.add(module)
                continue
            self.imports.append(ImportReference(module, raw.location, pf.scope))
        self.references.extend(facts.references)

    def result(self) -> Discovery:
        models = [r for r in self.references if isinstance(r, ModelReference)]
        unresolved = [r for r in self.references if not isinstance(r, ModelReference)]
        skipped = sorted(set(self.skipped + self.manifests.skipped), key=lambda s: (s.path, s.reason))
        return Discovery(
            imports=sorted(self.imports, key=lambda i: (*_loc_key(i.location), i.module)),
            models=sorted(models, key=lambda m: (*_loc_key(m.location), m.loader, m.name, m.variant or "", m.api)),
            requirements=sorted(self.manifests.requirements, key=lambda r: (*_loc_key(r.location), r.name, r.group)),
            unresolved=sorted(unresolved, key=lambda u: (*_loc_key(u.location), u.loader, u.expression, u.reason)),
            skipped=skipped,
            files_scanned=self.files_scanned,
            first_party=frozenset(self.first_party.names | self.first_party_seen),
        )


def _loc_key(loc: Location) -> tuple[str, int, int]:
    return (loc.path, loc.line, loc.column)


def _parent(rel: str) -> str:
    parent = str(PurePosixPath(rel).parent)
    return "" if parent == "." else parent
