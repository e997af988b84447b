"""The license catalog: what each license key means (category, clause, obligation, commercial route, source)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


from vlicense.yaml_fast import load_bundled_yaml
from license_expression import (
    ExpressionError,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
    Licensing,
)

CATEGORIES = (
    "permissive",
    "public-domain",
    "weak-copyleft",
    "strong-copyleft",
    "network-copyleft",
    "non-commercial",
    "use-restricted",
    "source-available",
    "proprietary",
    "unknown",
)

_CATALOG_PATH = Path(__file__).with_name("licenses.yaml")
# One parser for the whole package: a plain Licensing() accepts any symbol (LicenseRef-..., Hub ids), which
# the SPDX-restricted licensing would reject; the catalog decides what a symbol means.
LICENSING = Licensing()


@dataclass(frozen=True)
class LicenseInfo:
    """One catalog entry. ``reviewed`` is False for custom licenses whose full text vlicense has not read."""

    key: str
    name: str
    category: str
    url: str
    clause: str
    obligation: str
    commercial_route: str | None
    source: str
    reviewed: bool
    restrictions: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class ExceptionInfo:
    """An SPDX license exception (the right side of WITH) and the category it relaxes the license to."""

    key: str
    category: str
    effect: str
    url: str


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, LicenseInfo], dict[str, ExceptionInfo]]:
    data = load_bundled_yaml(_CATALOG_PATH.read_text(encoding="utf-8"))
    licenses: dict[str, LicenseInfo] = {}
    for key, entry in data["licenses"].items():
        if entry["category"] not in CATEGORIES:  # a typo in the catalog must not silently become a new category
            raise ValueError(f"licenses.yaml: {key}: unknown category {entry['category']!r}")
        licenses[key.lower()] = LicenseInfo(
            key=key,
            name=entry["name"],
            category=entry["category"],
            url=entry["url"],
            clause=entry["clause"],
            obligation=entry["obligation"],
            commercial_route=entry.get("commercial_route"),
            source=entry["source"],
            reviewed=bool(entry.get("reviewed", False)),
            restrictions=tuple(entry.get("restrictions") or ()),
            note=entry.get("note", ""),
        )
    exceptions = {
        key.lower(): ExceptionInfo(key=key, category=e["category"], effect=e["effect"], url=e["url"])
        for key, e in (data.get("exceptions") or {}).items()
    }
    return licenses, exceptions


def _candidates(key: str) -> list[str]:
    """Spellings to try for one key: as given, `+` and deprecated bare GNU ids, `-or-later` -> `-only`."""
    k = key.strip().lower()
    out = [k]
    if k.endswith("+"):
        out.append(k[:-1] + "-or-later")
        k = k[:-1] + "-or-later"
    if re.fullmatch(r"(a|l)?gpl-\d\.\d", k):  # deprecated SPDX ids such as GPL-2.0 mean "-only"
        out.append(k + "-only")
    if k.endswith("-or-later"):
        out.append(k[: -len("-or-later")] + "-only")
        out.append(k[: -len("-or-later")])  # ids without -only/-or-later forms (EUPL-1.2, MPL-2.0)
    if not k.startswith("licenseref-"):  # a Hub id given without the prefix (llama3.2, gemma)
        out.append("licenseref-" + k)
    return out


def license_info(key: str) -> LicenseInfo | None:
    """The catalog entry for one license key (case-insensitive; `-or-later`/`+` handled), or None if unknown."""
    licenses, _ = _load()
    for cand in _candidates(key):
        if cand in licenses:
            return licenses[cand]
    return None


def exception_info(key: str) -> ExceptionInfo | None:
    """The catalog entry for an SPDX exception id (case-insensitive), or None."""
    return _load()[1].get(key.strip().lower())


def all_licenses() -> list[LicenseInfo]:
    """Every catalog entry, sorted by key."""
    return sorted(_load()[0].values(), key=lambda i: i.key.lower())


def leaf_category(symbol: LicenseSymbol) -> str:
    """Category of one parsed leaf; a WITH exception can relax it (never tighten it)."""
    if isinstance(symbol, LicenseWithExceptionSymbol):
        base = leaf_category(symbol.license_symbol)
        exc = exception_info(symbol.exception_symbol.key)
        if exc is not None and _STRICTNESS[exc.category] < _STRICTNESS[base]:
            return exc.category
        return base
    info = license_info(symbol.key)
    return info.category if info else "unknown"


# Only used to decide whether an exception relaxes a license; not a ranking of what is "better".
_STRICTNESS = {c: i for i, c in enumerate(CATEGORIES)}


def categorize(expression: str | None) -> list[str]:
    """Categories of the leaves of an expression, sorted and unique (None or unparseable -> ["unknown"])."""
    return list(_categories(expression))


@lru_cache(maxsize=4096)  # an audit asks about the same few dozen expressions thousands of times
def _categories(expression: str | None) -> tuple[str, ...]:
    if not expression or not expression.strip():
        return ("unknown",)
    try:
        parsed = LICENSING.parse(expression)
    except ExpressionError:
        return ("unknown",)
    if parsed is None:
        return ("unknown",)
    return tuple(sorted({leaf_category(s) for s in LICENSING.license_symbols(parsed, unique=True, decompose=False)}))
