"""Content-hash cache of per-file discovery results (SQLite in the user cache dir; any damage -> not used).

Entries are keyed by sha256 of (analyzer version, kind, path, scope, content hash) and hold plain data encoded
as JSON (never pickle: a cache file is not trusted to run code). A stat table (size, mtime, inode) lets a warm
run skip re-reading unchanged files. Set ``VLICENSE_CACHE_DIR`` to move the cache (tests point it at tmp).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import zlib
from pathlib import Path

from vlicense.cache_location import user_cache_dir
from vlicense.discovery import project, registry
from vlicense.discovery.python_ast import RawImport
from vlicense.model import (
    HygieneObservation,
    ImportReference,
    Location,
    ModelReference,
    PreprocessingStep,
    RequirementReference,
    SkippedFile,
    UnresolvedReference,
)

# Bump when the analysis changes what it extracts from a file (every older entry is then ignored).
ANALYZER_VERSION = "disc-30"
_PLAIN_LIMIT = 2048
_TYPES = {t.__name__: t for t in (Location, RawImport, ImportReference, ModelReference, RequirementReference, SkippedFile,
                                   UnresolvedReference, project.FileResult, registry.FileScan, HygieneObservation,
                                   PreprocessingStep)}


def cache_dir() -> Path:
    """The folder of the discovery cache (shared with the answer cache)."""
    return user_cache_dir()


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
        return [x if x is None or type(x) in _SCALARS else encode(x) for x in obj]  # type: ignore[attr-defined]
    if kind is tuple:
        return {"@t": [x if x is None or type(x) in _SCALARS else encode(x) for x in obj]}  # type: ignore[attr-defined]
    if kind is dict:
        return {"@d": [[k if type(k) in _SCALARS else encode(k), v if v is None or type(v) in _SCALARS else encode(v)]
                       for k, v in obj.items()]}  # type: ignore[attr-defined]
    names = _FIELD_NAMES.get(kind)
    if names is None:
        if isinstance(obj, _SCALARS):  # a str/int subclass (e.g. a str enum)
            return obj
        if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
            raise TypeError(f"cannot cache {kind.__name__}")
        names = _FIELD_NAMES.setdefault(kind, tuple(f.name for f in dataclasses.fields(obj)))
    out: dict[str, object] = {"@": kind.__name__}
    for name in names:
        # Most fields are plain values: not a call each (a cold run encodes a few hundred thousand of them).
        value = getattr(obj, name)
        out[name] = value if value is None or type(value) in _SCALARS else encode(value)
    return out


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


def pack_imports(result: project.FileResult) -> list | None:
    """Compact form of an imports-only result (most files of a tree), or None when ``result`` has more than that.

    ``[names, [line, column, snippet, module, ...], ...]``: one row per import statement. Generic ``encode`` spells
    every field name of every Location, which made cache writes and warm reads cost more than the lexer itself.
    """
    if result != project.FileResult(result.rel, imports=result.imports, import_names=result.import_names):
        return None
    rows: list[list] = []
    last = None
    for raw in result.imports:
        loc = raw.location
        if loc.path != result.rel or loc.cell is not None or loc.cell_line is not None:
            return None
        if loc is not last and (last is None or loc != last):
            rows.append([loc.line, loc.column, loc.snippet])
            last = loc
        rows[-1].append(raw.module)
    return [result.import_names, *rows]


def unpack_imports(rel: str, packed: list) -> project.FileResult:
    imports = []
    for line, column, snippet, *modules in packed[1:]:
        loc = Location(rel, line, column, snippet)
        imports += [RawImport(m, loc) for m in modules]
    return project.FileResult(rel, imports=imports, import_names=list(packed[0]))


class Cache:
    """One SQLite file; every failure disables the cache for the run instead of failing the audit."""

    def __init__(self, directory: Path | None = None) -> None:
        self.db: sqlite3.Connection | None = None
        self.path = (directory or cache_dir()) / "discovery.sqlite3"
        self._pending: list[tuple[str, bytes]] = []
        self._stats: list[tuple] = []
        # Rows read ahead by ``prefetch`` (key -> blob, None when absent): one query instead of one per file.
        self._ahead: dict[str, bytes | None] = {}
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

    def prefetch(self, keys: list[str]) -> None:
        """Read the entries of ``keys`` in a few queries; later ``get`` calls for them touch no database."""
        if self.db is None:
            return
        try:
            for start in range(0, len(keys), 500):  # well under SQLite's limit on query parameters
                chunk = keys[start:start + 500]
                self._ahead.update(dict.fromkeys(chunk))
                marks = ",".join("?" * len(chunk))
                self._ahead.update(self.db.execute(f"SELECT key, data FROM results WHERE key IN ({marks})", chunk))
        except sqlite3.Error:
            pass  # the rest is read one by one

    def get_raw(self, key: str) -> object | None:
        """The stored JSON value of ``key`` (not turned back into objects), or None."""
        if self.db is None:
            return None
        try:
            if key in self._ahead:
                blob = self._ahead[key]
            else:
                row = self.db.execute("SELECT data FROM results WHERE key = ?", (key,)).fetchone()
                blob = row[0] if row else None
            if blob is None:
                return None
            return json.loads(blob if blob[:1] in (b"[", b"{") else zlib.decompress(blob))
        except Exception:  # noqa: BLE001 - a damaged entry is a cache miss, never an error
            return None

    def get(self, key: str) -> object | None:
        try:
            return decode(self.get_raw(key))
        except Exception:  # noqa: BLE001 - a damaged entry is a cache miss, never an error
            return None

    def put(self, key: str, value: object) -> None:
        try:
            self.put_raw(key, encode(value))
        except TypeError:
            pass  # not plain data: not cached

    def put_raw(self, key: str, value: object) -> None:
        """Store a JSON-ready value as is (see ``pack_imports``)."""
        if self.db is None:
            return
        try:
            data = json.dumps(value, separators=(",", ":")).encode()
            # Small entries (most imports-only results) are stored plain: setting up zlib costs more than it saves.
            # A JSON text starts with "[" or "{", a zlib stream never does (its first byte is 0x78).
            self._pending.append((key, zlib.compress(data, 1) if len(data) > _PLAIN_LIMIT else data))
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
