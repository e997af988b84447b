"""A small SQLite cache of online answers (Hub model info, PyPI JSON), each entry with its fetch time and a TTL."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vlicense.cache_location import user_cache_dir

logger = logging.getLogger(__name__)

# A week: licenses change rarely, and a stale answer is shown with its fetch date, never passed off as fresh.
DEFAULT_TTL_SECONDS = 7 * 24 * 3600
CACHE_FILE = "answers.sqlite3"
_SCHEMA = "CREATE TABLE IF NOT EXISTS answers (namespace TEXT, key TEXT, fetched REAL, payload TEXT, PRIMARY KEY (namespace, key))"


@dataclass(frozen=True)
class CachedAnswer:
    """One cached payload and when (epoch seconds) it was fetched."""

    payload: Any
    fetched: float


class AnswerCache:
    """Key -> JSON payload per namespace ("hf", "pypi"); entries older than the TTL are not returned.

    Every failure to open, read or write the database degrades to "no cache" (logged): a broken cache must
    never break an audit. The clock is injected so tests can age entries.
    """

    def __init__(self, path: Path, *, ttl_seconds: float = DEFAULT_TTL_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._connection: sqlite3.Connection | None = None
        self._broken = False

    @classmethod
    def default(cls, *, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> AnswerCache:
        """The cache file in the user cache directory (``VLICENSE_CACHE_DIR`` overrides it)."""
        return cls(user_cache_dir() / CACHE_FILE, ttl_seconds=ttl_seconds)

    def _db(self) -> sqlite3.Connection | None:
        if self._connection is not None or self._broken:
            return self._connection
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(str(self.path), timeout=2.0)
            connection.execute(_SCHEMA)
            connection.commit()
        except (OSError, sqlite3.Error) as error:
            logger.warning("answer cache %s unusable (%s); continuing without it", self.path, error)
            self._broken = True
            return None
        self._connection = connection
        return connection

    def get(self, namespace: str, key: str) -> CachedAnswer | None:
        """The fresh entry for ``key``, or None (absent, expired, unreadable)."""
        db = self._db()
        if db is None:
            return None
        try:
            row = db.execute("SELECT fetched, payload FROM answers WHERE namespace = ? AND key = ?", (namespace, key)).fetchone()
        except sqlite3.Error as error:
            logger.warning("answer cache read failed (%s)", error)
            return None
        if row is None:
            return None
        fetched, payload = row
        if self.clock() - float(fetched) > self.ttl_seconds:
            return None
        try:
            return CachedAnswer(json.loads(payload), float(fetched))
        except (TypeError, ValueError):
            return None

    def put(self, namespace: str, key: str, payload: Any) -> None:
        """Store ``payload`` (JSON-serializable) as fetched now."""
        db = self._db()
        if db is None:
            return
        try:
            db.execute(
                "INSERT OR REPLACE INTO answers (namespace, key, fetched, payload) VALUES (?, ?, ?, ?)",
                (namespace, key, self.clock(), json.dumps(payload, sort_keys=True, default=str)),
            )
            db.commit()
        except (sqlite3.Error, TypeError, ValueError) as error:
            logger.warning("answer cache write failed (%s)", error)

    def get_many(self, namespace: str, keys: list[str]) -> dict[str, Any]:
        """Fresh payloads for the keys that have one (one query per 500 keys)."""
        db = self._db()
        if db is None or not keys:
            return {}
        found: dict[str, Any] = {}
        now = self.clock()
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT key, fetched, payload FROM answers WHERE namespace = ? AND key IN ({marks})",  # noqa: S608
                    (namespace, *chunk),
                ).fetchall()
                for key, fetched, payload in rows:
                    if now - float(fetched) <= self.ttl_seconds:
                        found[key] = json.loads(payload)
        except (sqlite3.Error, TypeError, ValueError) as error:
            logger.warning("answer cache read failed (%s)", error)
            return {}
        return found

    def put_many(self, namespace: str, items: dict[str, Any]) -> None:
        """Store several payloads in one transaction (one disk sync, not one per entry)."""
        db = self._db()
        if db is None or not items:
            return
        now = self.clock()
        try:
            rows = [(namespace, key, now, json.dumps(payload, sort_keys=True, default=str)) for key, payload in items.items()]
            with db:
                db.executemany("INSERT OR REPLACE INTO answers (namespace, key, fetched, payload) VALUES (?, ?, ?, ?)", rows)
        except (sqlite3.Error, TypeError, ValueError) as error:
            logger.warning("answer cache write failed (%s)", error)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def fetched_date(seconds: float) -> str:
    """UTC date of a fetch time, for fact details ("cached answer from 2026-11-29")."""
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))
