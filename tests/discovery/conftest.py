"""Fixture projects for discovery tests, written into tmp_path by each test."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from vlicense.discovery import discover
from vlicense.model import Discovery


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
