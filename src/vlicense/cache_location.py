"""Where vlicense keeps its caches: ``$VLICENSE_CACHE_DIR``, else the platform's user cache dir (platformdirs)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

CACHE_DIR_ENV = "VLICENSE_CACHE_DIR"


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The one cache folder shared by the discovery cache and the answer cache (tests and CI point it at tmp)."""
    env = os.environ if environ is None else environ
    override = (env.get(CACHE_DIR_ENV) or "").strip()
    if override:
        return Path(override)
    import platformdirs  # only when no override: keeps start-up light in tests and hooks that set one

    return Path(platformdirs.user_cache_dir("vlicense"))
