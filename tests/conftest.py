"""Test-wide setup: tests never reach the network and never touch the user's caches."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

# tests/fixtures holds projects the tests audit (some with their own test_*.py): never collected, never run.
collect_ignore_glob = ["fixtures/*"]


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path_factory):
    home = tmp_path_factory.mktemp("hf-home")
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_HUB_CACHE", str(home / "hub"))
    # No test may reach the real Hub: any Hub lookup that a test does not point at a local server goes nowhere.
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    for name in [key for key in __import__("os").environ if key.startswith("VLICENSE_")]:
        monkeypatch.delenv(name)
    # Answer cache and PyPI index: never the user's cache, never pypi.org (tests point at their own server).
    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(tmp_path_factory.mktemp("vlicense-cache")))
    monkeypatch.setenv("VLICENSE_PYPI_URL", "http://127.0.0.1:9/pypi")


@pytest.fixture
def hub(monkeypatch):
    """The local Hub (real huggingface_hub client through HF_ENDPOINT); yields its state to add models to."""
    from support.hub_server import hub_server

    with hub_server(delay=2.0) as (url, state):
        monkeypatch.setenv("HF_ENDPOINT", url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        yield state
