"""Follow a model's base_model lineage (Hub cards, knowledge base): every ancestor with its license and path."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.model import LicenseFact, LineageLink
from vlicense.resolution.hf import HubResolver
from vlicense.resolution.merge import kb_license_fact, merge_facts

# Fine-tunes of fine-tunes exist, but a chain deeper than this is rare and each level may cost a Hub request.
MAX_DEPTH = 4

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
    """What following the lineage found: direct bases, every ancestor, a "lineage" fact and notes."""

    direct_bases: list[str] = field(default_factory=list)
    ancestors: list[Ancestor] = field(default_factory=list)
    facts: list[LicenseFact] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def links(self, component_id: str) -> list[LineageLink]:
        """The ancestors as lineage links of ``component_id`` (ids ``hf:<repo>``), nearest first."""
        return [
            LineageLink(f"hf:{a.repo}", a.license, a.source, "base_model",
                        (component_id, *(f"hf:{step}" for step in a.path[1:])))
            for a in self.ancestors
        ]


def follow_lineage(repo: str, bases: list[str], *, hub: HubResolver, kb: KnowledgeBase,
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
    return result


def _valid(repo: str) -> bool:
    return bool(_REPO_ID.match(repo.strip())) and ".." not in repo


def _resolve(repo: str, hub: HubResolver, kb: KnowledgeBase) -> tuple[str | None, str | None, list[str]]:
    answer = hub.lookup(repo)
    facts = list(answer.facts)
    parents = list(answer.base_models)
    fact = kb.model(f"hf:{repo}")
    if fact is not None:
        facts.append(kb_license_fact(fact))
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
