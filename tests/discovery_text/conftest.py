"""Fixtures for config/shell scanner tests: write a small project into tmp_path, scan one file, summarize."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path):
    root = tmp_path / "proj"
    root.mkdir()
    return root


@pytest.fixture
def scan_file(project: Path):
    """scan_file(module, rel, text, extra_files=None, scope="runtime") -> FileScan of ``rel`` in a fresh project."""

    def run(module, rel: str, text: str | bytes, extra: dict[str, str | bytes] | None = None, scope: str = "runtime"):
        write(project, {rel: text, **(extra or {})})
        assert module.matches(rel), f"{rel} is not matched by {module.__name__}"
        return module.scan(project / rel, rel, scope)

    return run
