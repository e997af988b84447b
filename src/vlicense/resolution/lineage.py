"""Follow a model's base_model lineage (Hub cards, knowledge base) and flag a derived model more permissive than its base."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from vlicense.model import LicenseFact, Signal
from vlicense.knowledge.licenses import categorize
from vlicense.resolution.hf import HubResolver
from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.resolution.merge import merge_facts

# Fine-tunes of fine-tunes exist, but a chain deeper than this is rare and each level may cost a Hub request.
MAX_DEPTH = 4

# How much a license restricts what a derived model may do, to compare a derived model with its base. Order:
# permissive = public-domain < weak-copyleft < use-restricted < strong-copyleft < network-copyleft =
# non-commercial = source-available = proprietary. "unknown" has no rank: no drift is claimed about it.
# An expression ranks as its most restrictive leaf (conservative for a base; for a derived model's OR choice it
# may overstate, which can only hide drift, never invent it).
CATEGORY_RANK: dict[str, int] = {
    "public-domain": 0,
    "permissive": 0,
    "weak-copyleft": 1,
    "use-restricted": 2,
    "strong-copyleft": 3,
    "network-copyleft": 4,
    "non-commercial": 4,
    "source-available": 4,
    "proprietary": 4,
}

_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")


@dataclass
class Ancestor:
    """One model up the lineage: its id, license (None when unknown), where that came from, and the path to it."""

    repo: str
    license: str | None
    source: str | None
    path: tuple[str, ...]


@dataclass
class LineageResult:
    """What following the lineage found: direct bases, a "lineage" fact, notes and license-drift signals."""

    direct_bases: list[str] = field(default_factory=list)
    ancestors: list[Ancestor] = field(default_factory=list)
    facts: list[LicenseFact] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)


def restriction_rank(expression: str | None) -> int | None:
    """Rank of an expression by CATEGORY_RANK (its most restrictive leaf); None when any leaf is unknown."""
    if not expression:
        return None
    categories = categorize(expression)
    if any(c not in CATEGORY_RANK for c in categories):
        return None
    return max(CATEGORY_RANK[c] for c in categories)


def follow_lineage(repo: str, own_license: str | None, bases: list[str], *, hub: HubResolver, kb: KnowledgeBase,
                   max_depth: int = MAX_DEPTH) -> LineageResult:
    """Walk base_model links breadth-first (cycle-safe, at most ``max_depth`` levels) from ``repo``'s ``bases``.

    Each base's license comes from the same sources as any Hub model (local cache, Hub API, bundled snapshot).
    """
    result = LineageResult()
    seen = {repo.lower()}
    queue: deque[tuple[str, tuple[str, ...]]] = deque()
    for base in sorted(set(bases)):
        if _valid(base) and base.lower() not in seen:
            seen.add(base.lower())
            result.direct_bases.append(base)
            queue.append((base, (repo, base)))
        elif not _valid(base):
            result.notes.append(f"base_model {base!r} is not a Hub repo id; lineage not followed there")
    while queue:
        base, path = queue.popleft()
        license_id, source, parents = _resolve(base, hub, kb)
        result.ancestors.append(Ancestor(base, license_id, source, path))
        if len(path) - 1 >= max_depth:
            if parents:
                result.notes.append(f"lineage depth limit ({max_depth}) reached at {base}; its bases were not followed")
            continue
        for parent in parents:
            if not _valid(parent):
                continue
            if parent.lower() in seen:
                if parent.lower() in {p.lower() for p in path}:
                    result.notes.append(f"base_model cycle at {parent} (via {' -> '.join(path)}); not followed again")
                continue
            seen.add(parent.lower())
            queue.append((parent, path + (parent,)))
    result.facts.append(_lineage_fact(result))
    result.signals.extend(_drift(repo, own_license, result.ancestors))
    if own_license is None and result.facts[0].license:
        result.notes.append(f"the model declares no license; its base model's terms apply ({result.facts[0].license})")
    return result


def _valid(repo: str) -> bool:
    return bool(_REPO_ID.match(repo.strip())) and ".." not in repo


def _resolve(repo: str, hub: HubResolver, kb: KnowledgeBase) -> tuple[str | None, str | None, list[str]]:
    answer = hub.lookup(repo)
    facts = list(answer.facts)
    parents = list(answer.base_models)
    fact = kb.model(f"hf:{repo}")
    if fact is not None:
        facts.append(LicenseFact("knowledge-base", fact.license, f"{fact.source} ({fact.date})"))
        if fact.base_model:
            parents.append(fact.base_model)
    license_id, source, _ = merge_facts(facts)
    return license_id, source, sorted(set(parents))


def _nearest_known(base: str, ancestors: list[Ancestor]) -> Ancestor | None:
    # Breadth-first order: the first known ancestor on a path through ``base`` is the nearest one.
    for ancestor in ancestors:
        if len(ancestor.path) > 1 and ancestor.path[1] == base and ancestor.license:
            return ancestor
    return None


def _lineage_fact(result: LineageResult) -> LicenseFact:
    parts: list[str] = []
    licenses: set[str] = set()
    for base in result.direct_bases:
        known = _nearest_known(base, result.ancestors)
        if known is None:
            parts.append(f"base model {base}: license unknown")
            continue
        licenses.add(known.license or "")
        via = "" if known.repo == base else f" (from its ancestor {' -> '.join(known.path[1:])})"
        parts.append(f"base model {base}: {known.license}{via} [{known.source}]")
    # Every base's terms apply to the derived weights: several bases combine with AND.
    combined = " AND ".join(sorted(licenses)) if licenses and all(_nearest_known(b, result.ancestors) for b in result.direct_bases) else None
    if licenses and combined is None:
        parts.append("a base's license is unknown, so the inherited terms are incomplete")
    return LicenseFact("lineage", combined, "; ".join(parts) or "no base model")


def _drift(repo: str, own_license: str | None, ancestors: list[Ancestor]) -> list[Signal]:
    own_rank = restriction_rank(own_license)
    if own_rank is None:
        return []
    signals = []
    for ancestor in ancestors:
        base_rank = restriction_rank(ancestor.license)
        if base_rank is None or base_rank <= own_rank:
            continue
        own_categories = ", ".join(categorize(own_license))
        base_categories = ", ".join(categorize(ancestor.license))
        signals.append(Signal(
            "license-drift",
            f"{repo} declares {own_license} ({own_categories}) but derives from {ancestor.repo} under "
            f"{ancestor.license} ({base_categories}): the base's terms likely still bind the derived weights",
            f"base={ancestor.repo}; base_license={ancestor.license}; base_source={ancestor.source}; "
            f"path={' -> '.join(ancestor.path)}",
        ))
    return signals
