"""The discovery cache and the answer cache share one folder, chosen in one place."""

from __future__ import annotations

from pathlib import Path

from vlicense.cache_location import user_cache_dir
from vlicense.discovery.cache import cache_dir
from vlicense.resolution.cache import AnswerCache


def test_override_and_platform_default(tmp_path, monkeypatch):
    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(tmp_path / "c"))
    assert user_cache_dir() == cache_dir() == tmp_path / "c"
    assert AnswerCache.default().path.parent == tmp_path / "c"
    monkeypatch.delenv("VLICENSE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert user_cache_dir() == Path(tmp_path / "xdg" / "vlicense")
    assert user_cache_dir({"VLICENSE_CACHE_DIR": "  "}) == Path(tmp_path / "xdg" / "vlicense")
