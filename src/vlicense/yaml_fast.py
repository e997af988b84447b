"""Load trusted, bundled YAML data with libyaml's C loader when available (about 10x faster than pure Python)."""

from __future__ import annotations

from typing import Any

import yaml

# Safe loaders only: bundled data, and never a scanned file, goes through here.
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_bundled_yaml(text: str) -> Any:
    """Parse bundled YAML (policy catalog, alternatives, knowledge base)."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader class
