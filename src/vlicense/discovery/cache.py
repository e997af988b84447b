"""Content-hash cache of per-file discovery results (SQLite in the user cache dir; any damage -> not used).

Entries are keyed by sha256 of (analyzer version, kind, path, scope, content hash) and hold plain data encoded
as JSON (never pickle: a cache file is not trusted to run code). A stat table (size, mtime, inode) lets a warm
run skip re-reading unchanged files. Set ``VLICENSE_CACHE_DIR`` to move the cache (tests point it at tmp).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import zlib
from pathlib import Path

from vlicense.discovery import project, registry
from vlicense.discovery.python_ast import RawImport
from vlicense.model import (
    ImportReference,
    Location,
    ModelReference,
    RequirementReference,
    SkippedFile,
    UnresolvedReference,
)

# Bump when the analysis changes what it extracts from a file (every older entry is then ignored).
ANALYZER_VERSION = "disc-5"
_TYPES = {t.__name__: t for t in (Location, RawImport, ImportReference, ModelReference, RequirementReference, SkippedFile,
                                   UnresolvedReference, project.FileResult, registry.FileScan)}


def cache_dir() -> Path:
    override = os.environ.get("VLICENSE_CACHE_DIR", "").strip()
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("vlicense"))


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def entry_key(kind: str, rel: str, scope: str, sha: str) -> str:
    return hashlib.sha256(f"{ANALYZER_VERSION}\0{kind}\0{rel}\0{scope}\0{sha}".encode()).hexdigest()


# Field names per dataclass type, looked up once (encode runs on ~100 objects per file on a cold run).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_SCALARS = (str, int, float, bool)


def encode(obj: object) -> object:
    kind = type(obj)
    if obj is None or kind in _SCALARS:
        return obj
    if kind is list:
        return [encode(x) for x in obj]  # type: ignore[attr-defined]
    if kind is tuple:
        return {"@t": [encode(x) for x in obj]}  # type: ignore[attr-defined]
    if kind is dict:
        return {"@d": [[encode(k), encode(v)] for k, v in obj.items()]}  # type: ignore[attr-defined]
    names = _FIELD_NAMES.get(kind)
    if names is None:
        if isinstance(obj, _SCALARS):  # a str/int subclass (e.g. a str enum)
            return obj
        if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
            raise TypeError(f"cannot cache {kind.__name__}")
        names = _FIELD_NAMES.setdefault(kind, tuple(f.name for f in dataclasses.fields(obj)))
    return {"@": kind.__name__, **{name: encode(getattr(obj, name)) for name in names}}


def decode(data: object) -> object:
    kind = type(data)
    if kind is list:
        return [decode(x) for x in data]  # type: ignore[attr-defined]
    if kind is not dict:
        return data
    tagged = data.get("@t")  # type: ignore[attr-defined]
    if tagged is not None:
        return tuple(decode(x) for x in tagged)
    pairs = data.get("@d")  # type: ignore[attr-defined]
    if pairs is not None:
        return {decode(k): decode(v) for k, v in pairs}
    cls = _TYPES[data["@"]]  # type: ignore[index]
    return cls(**{k: decode(v) for k, v in data.items() if k != "@"})  # type: ignore[attr-defined]


class Cache:
    """One SQLite file; every failure disables the cache for the run instead of failing the audit."""

    def __init__(self, directory: Path | None = None) -> None:
        self.db: sqlite3.Connection | None = None
        self.path = (directory or cache_dir()) / "discovery.sqlite3"
        self._pending: list[tuple[str, bytes]] = []
        self._stats: list[tuple] = []
        for attempt in range(2):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=2)
                db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, data BLOB)")
                db.execute("CREATE TABLE IF NOT EXISTS stats (root TEXT, rel TEXT, size INT, mtime INT, ino INT, sha TEXT, "
                           "PRIMARY KEY (root, rel))")
                db.execute("SELECT count(*) FROM results WHERE key = ''").fetchone()
                self.db = db
                return
            except (sqlite3.Error, OSError):
                # A corrupt or foreign file: start over once, else run without a cache.
                if attempt == 0:
                    try:
                        self.path.unlink()
                    except OSError:
                        return
        self.db = None

    def stats(self, root: str) -> dict[str, tuple[int, int, int, str]]:
        if self.db is None:
            return {}
        try:
            rows = self.db.execute("SELECT rel, size, mtime, ino, sha FROM stats WHERE root = ?", (root,)).fetchall()
        except sqlite3.Error:
            return {}
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    def put_stat(self, root: str, rel: str, size: int, mtime: int, ino: int, sha: str) -> None:
        self._stats.append((root, rel, size, mtime, ino, sha))

    def get(self, key: str) -> object | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT data FROM results WHERE key = ?", (key,)).fetchone()
            return decode(json.loads(zlib.decompress(row[0]))) if row else None
        except Exception:  # noqa: BLE001 - a damaged entry is a cache miss, never an error
            return None

    def put(self, key: str, value: object) -> None:
        if self.db is None:
            return
        try:
            self._pending.append((key, zlib.compress(json.dumps(encode(value), separators=(",", ":")).encode(), 1)))
        except (TypeError, ValueError):
            pass

    def close(self) -> None:
        if self.db is None:
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?)", self._pending)
                self.db.executemany("INSERT OR REPLACE INTO stats VALUES (?, ?, ?, ?, ?, ?)", self._stats)
            self.db.close()
        except sqlite3.Error:
            pass
        self.db = None
        self._pending, self._stats = [], []
