"""License of a distribution that is not installed, from the PyPI JSON API (short timeouts, cached, offline-aware)."""

from __future__ import annotations

import logging
import os
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from packaging.utils import canonicalize_name

from vlicense.bounded import OverLimit, load_json
from vlicense.model import LicenseFact
from vlicense.resolution import spdx
from vlicense.resolution.cache import AnswerCache, fetched_date

logger = logging.getLogger(__name__)

PYPI_URL_ENV = "VLICENSE_PYPI_URL"
DEFAULT_PYPI_URL = "https://pypi.org/pypi"
PYPI_TIMEOUT_SECONDS = 4.0
_MAX_BYTES = 8 * 1024 * 1024  # a release JSON with a long description is well under this
SOURCE = "pypi"

# (url, timeout) -> (HTTP status, body bytes); raises OSError subclasses for network failures. Injectable in tests.
Fetch = Callable[[str, float], tuple[int, bytes]]


def _urllib_fetch(url: str, timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "vlicense"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) URL we built
            return response.status, response.read(_MAX_BYTES + 1)  # one more byte: an oversized answer shows
    except urllib.error.HTTPError as error:
        return error.code, b""


@dataclass(frozen=True)
class PyPIAnswer:
    """What PyPI said about one release: a fact (license None when it failed or declares none) and its version."""

    fact: LicenseFact
    version: str | None


class PyPIResolver:
    """Asks ``<base>/<name>/<version>/json`` (or ``<base>/<name>/json`` for the latest release) for a license.

    Order inside the answer (PEP 639): ``info.license_expression``, then ``License ::`` classifiers, then a short
    ``info.license``; each normalized by vlicense.resolution.spdx. After one network failure (timeout, refused)
    the index counts as unreachable for the rest of the run and later lookups say so without waiting again.
    """

    def __init__(self, *, offline: bool, base_url: str | None = None, timeout: float = PYPI_TIMEOUT_SECONDS,
                 answer_cache: AnswerCache | None = None, fetch: Fetch | None = None) -> None:
        self.offline = offline
        self.base_url = (base_url or os.environ.get(PYPI_URL_ENV) or DEFAULT_PYPI_URL).rstrip("/")
        self.timeout = timeout
        self.answer_cache = answer_cache
        self.fetch = fetch or _urllib_fetch
        self.unreachable: str | None = None
        self.queried = False
        self._memo: dict[tuple[str, str | None], PyPIAnswer] = {}

    def lookup(self, name: str, version: str | None = None) -> PyPIAnswer | None:
        """The license PyPI declares for ``name`` (at ``version`` when given); None when offline (not consulted)."""
        if self.offline:
            return None
        key = (canonicalize_name(name), version)
        if key not in self._memo:
            self._memo[key] = self._lookup(*key)
        return self._memo[key]

    def _lookup(self, name: str, version: str | None) -> PyPIAnswer:
        url = f"{self.base_url}/{quote(name)}/" + (f"{quote(version)}/" if version else "") + "json"
        if self.unreachable:
            return PyPIAnswer(LicenseFact(SOURCE, None, f"PyPI not consulted: unreachable earlier in this run ({self.unreachable})"), version)
        if self.answer_cache is not None:
            cached = self.answer_cache.get("pypi", url)
            if cached is not None and isinstance(cached.payload, dict):
                return _answer(cached.payload, url, f"answer cached {fetched_date(cached.fetched)}", version)
        self.queried = True
        try:
            status, body = self.fetch(url, self.timeout)
        except (OSError, socket.timeout, ValueError) as error:
            # URLError, timeouts, refused connections: the index is unreachable for this run.
            self.unreachable = f"{type(error).__name__}: {getattr(error, 'reason', error)}"[:200]
            return PyPIAnswer(LicenseFact(SOURCE, None, f"PyPI unreachable ({url}): {self.unreachable}"), version)
        if status == 404:
            what = f"release {version}" if version else "project"
            return PyPIAnswer(LicenseFact(SOURCE, None, f"PyPI: {what} not found (HTTP 404) at {url}"), version)
        if status != 200:
            return PyPIAnswer(LicenseFact(SOURCE, None, f"PyPI lookup failed: HTTP {status} at {url}"), version)
        try:
            payload = load_json(body.decode("utf-8"), max_bytes=_MAX_BYTES, what="PyPI answer")
            if not isinstance(payload, dict) or not isinstance(payload.get("info"), dict):
                raise ValueError("no 'info' object")
        except OverLimit as error:
            return PyPIAnswer(LicenseFact(SOURCE, None, f"PyPI answer unreadable at {url}: {error}"), version)
        except (UnicodeDecodeError, ValueError) as error:
            return PyPIAnswer(LicenseFact(SOURCE, None, f"PyPI answered with malformed JSON at {url} ({type(error).__name__})"), version)
        slim = {"info": {k: payload["info"].get(k) for k in ("license_expression", "license", "classifiers", "version")}}
        if self.answer_cache is not None:
            self.answer_cache.put("pypi", url, slim)
        return _answer(slim, url, "", version)


def _answer(payload: dict[str, Any], url: str, how: str, version: str | None) -> PyPIAnswer:
    info = payload.get("info") or {}
    where = f"PyPI JSON API {url}" + (f" [{how}]" if how else "")
    released = info.get("version") if isinstance(info.get("version"), str) else version
    if not version and released:
        where += f" (latest release {released}: no exact version was known)"
    expression = info.get("license_expression")
    if isinstance(expression, str) and expression.strip():
        return PyPIAnswer(LicenseFact(SOURCE, spdx.normalize(expression), f"{where}: license_expression: {_short(expression)}"), released)
    classifiers = [c for c in info.get("classifiers") or [] if isinstance(c, str) and c.startswith("License ::")]
    from_classifiers = spdx.from_classifiers(classifiers) if classifiers else None
    raw = info.get("license")
    from_field = spdx.normalize(raw) if isinstance(raw, str) and raw.strip() else None
    # A vague classifier ("BSD License") is refined by a short License field naming the variant.
    if from_classifiers is None:
        chosen = from_field
    elif from_field and spdx.is_vague(from_classifiers) and spdx.refines(from_classifiers, from_field):
        chosen = from_field
    else:
        chosen = from_classifiers
    detail = where + ": " + "; ".join(
        part for part in (
            ("classifiers: " + _short("; ".join(classifiers))) if classifiers else "",
            f"license: {_short(raw)}" if isinstance(raw, str) and raw.strip() else "",
        ) if part
    ) if (classifiers or (isinstance(raw, str) and raw.strip())) else where + ": no license metadata"
    silent = not classifiers and (not isinstance(raw, str) or raw.strip().lower() in ("", "unknown", "none"))
    return PyPIAnswer(LicenseFact(SOURCE, chosen, detail, declares_none=silent), released)


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 160 else text[:159] + "…"
