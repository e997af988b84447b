"""The one place that locates bundled data: policy presets, memo templates, knowledge base, JSON schema."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
# In a wheel, policies/ and templates/ are mapped to vlicense/_data/ (see pyproject force-include);
# in a source checkout or editable install they sit at the repository root.
_REPO_ROOT = _PACKAGE_DIR.parent.parent


@lru_cache(maxsize=None)
def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / "_data" / name, _REPO_ROOT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled data folder {name!r} not found (broken installation?)")


def policies_dir() -> Path:
    """Folder holding the shipped policy presets (``<name>.yaml``)."""
    return _data_dir("policies")


def templates_dir() -> Path:
    """Folder holding the Jinja2 memo templates."""
    return _data_dir("templates")


def kb_dir() -> Path:
    """Folder holding the knowledge-base data files (package data, always inside the package)."""
    return _PACKAGE_DIR / "knowledge" / "kb"


def schema_path() -> Path:
    """The JSON Schema of the JSON report (schema_version 1)."""
    return _PACKAGE_DIR / "report" / "report.schema.json"


def preset_names() -> list[str]:
    """Names of the shipped policy presets."""
    return sorted(p.stem for p in policies_dir().glob("*.yaml"))
