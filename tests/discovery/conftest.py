"""Fixture projects for discovery tests, written into tmp_path by each test."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from vlicense.discovery import discover
from vlicense.model import Discovery, ModelReference


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create ``files`` (relative path -> text or bytes) under ``root``; text is dedented."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch, tmp_path_factory):
    """Discovery's result cache lives in a per-test directory, never in the user's cache dir."""
    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(tmp_path_factory.mktemp("vlicense-cache")))


@pytest.fixture
def scan(tmp_path: Path):
    """scan(files, **discover_kwargs) -> Discovery of a fresh project holding ``files``."""

    def run(files: dict[str, str | bytes], **kwargs) -> Discovery:
        project = tmp_path / "project"
        project.mkdir(exist_ok=True)
        write_tree(project, files)
        return discover(project, **kwargs)

    return run


@pytest.fixture
def fixture_catalog(tmp_path: Path, monkeypatch):
    """fixture_catalog({file: yaml}) -> analyze(code) -> (models, unresolved, refs) of one module, with these
    loader catalog entries as the only catalog (calls, assignments and command-line forms); models are
    (loader, name, variant), unresolved (loader, expression, reason)."""
    from vlicense.discovery import project, python_ast
    from vlicense.discovery.loaders import cli, engine
    from vlicense.discovery.loaders.engine import CatalogLoader
    from vlicense.discovery.project import ModuleAnalysis
    from vlicense.discovery.python_ast import parse
    from vlicense.knowledge.loader_catalog import read_catalog

    def install(entries: dict[str, str]):
        directory = write_tree(tmp_path / "catalog", entries)
        catalog = read_catalog(directory)
        by_module: dict[str, tuple] = {}
        for entry in catalog.entries:
            for module in entry.modules:
                by_module[module] = (*by_module.get(module, ()), CatalogLoader(entry, catalog))
        for owner in (engine, cli):
            monkeypatch.setattr(owner, "CATALOG", catalog)
        for owner in (project, python_ast):
            monkeypatch.setattr(owner, "LOADERS_BY_MODULE", by_module)
        monkeypatch.setattr(python_ast, "ASSIGNED_ATTRS", catalog.method_names)

        def analyze(code: str):
            source = textwrap.dedent(code)
            result = ModuleAnalysis(None, "app.py", source, parse(source, "app.py"), scope_label="runtime").run()
            refs = result.references + [r for _, r in result.tagged]
            models = [(r.loader, r.name, r.variant) for r in refs if isinstance(r, ModelReference)]
            unresolved = [(u.loader, u.expression, u.reason) for u in refs if not isinstance(u, ModelReference)]
            return models, unresolved, refs

        return analyze

    return install
