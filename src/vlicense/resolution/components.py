"""Turn discovered references into components (libraries and models) with their license facts, merged."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from packaging.utils import canonicalize_name

from vlicense.model import Component, Discovery, LicenseFact, Location, Signal
from vlicense.resolution.closure import dependency_closure
from vlicense.resolution.hf import HubResolver
from vlicense.resolution.identify import Identified, ProjectPath, identify
from vlicense.resolution.installed import Environment
from vlicense.resolution.knowledge_base import KbFact, KnowledgeBase
from vlicense.resolution.merge import merge_facts

PROJECT = "<project>"

# Scope ranking: a component used by shipped code is "runtime" even if tests use it too.
_SCOPE_ORDER = ("runtime", "script", "notebook", "example", "docs", "test", "dev")
# Where-it-enters order: shipped code first, then manifests, then notebooks, examples, docs and tests.
_MANIFEST_RANK = 0.5


def _scope_rank(scope: str) -> float:
    return float(_SCOPE_ORDER.index(scope)) if scope in _SCOPE_ORDER else float(len(_SCOPE_ORDER))


def _ordered(ranked: list[tuple[float, Location]]) -> list[Location]:
    """Locations without duplicates, shipped code first (reports show the first one as "where it enters")."""
    best: dict[Location, float] = {}
    for rank, location in ranked:
        best[location] = min(rank, best.get(location, rank))
    return sorted(best, key=lambda loc: (best[loc], loc))


def build_components(
    found: Discovery,
    *,
    environment: Environment,
    kb: KnowledgeBase,
    hub: HubResolver,
    project_path: ProjectPath,
) -> list[Component]:
    """Libraries from imports and manifests (with their dependency closure) plus models from loader calls."""
    libraries = _libraries(found, environment, kb)
    models = _models(found, kb, hub, project_path)
    return sorted(libraries + models, key=lambda c: (c.kind, c.id))


# ------------------------------------------------------------------------------------------- libraries


def _libraries(found: Discovery, environment: Environment, kb: KnowledgeBase) -> list[Component]:
    locations: dict[str, list[tuple[float, Location]]] = defaultdict(list)
    scopes: dict[str, set[str]] = defaultdict(set)
    notes: dict[str, list[str]] = defaultdict(list)
    for ref in found.imports:
        for name, note in _distributions_for_import(ref.module, environment, kb):
            locations[name].append((_scope_rank(ref.scope), ref.location))
            scopes[name].add(ref.scope)
            if note and note not in notes[name]:
                notes[name].append(note)
    for req in found.requirements:
        locations[req.name].append((_MANIFEST_RANK, req.location))
        scopes[req.name].add("runtime" if req.group == "runtime" else req.group)
    direct = {name: _best_scope(s) for name, s in scopes.items()}
    closure = dependency_closure(environment, direct, project=PROJECT)
    components = []
    for name, entry in closure.items():
        dist = environment.get(name)
        facts: list[LicenseFact] = list(dist.facts) if dist is not None else []
        kb_fact = kb.library(name)
        if kb_fact is not None:
            facts.append(_kb_license_fact(kb_fact))
        license_id, source, merge_notes = merge_facts(facts)
        component = Component(
            id=f"pypi:{name}",
            kind="library",
            name=dist.display_name if dist is not None else name,
            version=entry.version,
            license=license_id,
            license_source=source,
            direct=entry.direct,
            introduced_by=[list(path) for path in entry.paths],
            locations=_ordered(locations.get(name, [])),
            facts=facts,
            notes=notes.get(name, []) + merge_notes + ([] if entry.installed else ["not installed in the target environment"]),
            scope=entry.scope,
        )
        components.append(component)
    return components


def _distributions_for_import(module: str, environment: Environment, kb: KnowledgeBase) -> Iterable[tuple[str, str]]:
    installed = environment.distributions_for_module(module)
    if installed:
        return [(canonicalize_name(name), "") for name in installed]
    mapped = kb.distribution_for_import(module)
    if mapped:
        return [(canonicalize_name(mapped), f"import {module} mapped to {mapped} by the bundled import-name table")]
    return [(canonicalize_name(module), f"not installed; distribution name assumed from import {module}")]


def _best_scope(scopes: set[str]) -> str:
    for scope in _SCOPE_ORDER:
        if scope in scopes:
            return scope
    return sorted(scopes)[0] if scopes else "runtime"


# ---------------------------------------------------------------------------------------------- models


def _models(found: Discovery, kb: KnowledgeBase, hub: HubResolver, project_path: ProjectPath) -> list[Component]:
    by_id: dict[str, Component] = {}
    identified: dict[str, Identified] = {}
    scopes: dict[str, set[str]] = defaultdict(set)
    ranked: dict[str, list[tuple[float, Location]]] = defaultdict(list)
    for ref in found.models:
        ident = identify(ref, kb, project_path)
        scopes[ident.component_id].add(ref.scope)
        ranked[ident.component_id].append((_scope_rank(ref.scope), ref.location))
        if ident.component_id in by_id:
            continue
        identified[ident.component_id] = ident
        by_id[ident.component_id] = Component(
            id=ident.component_id,
            kind="model",
            name=ident.name,
            version=ident.revision,
            loader=ident.loader,
            locations=[ref.location],
            task=ident.task,
            notes=list(ident.notes),
        )
    for component_id, component in by_id.items():
        ident = identified[component_id]
        facts: list[LicenseFact] = []
        if ident.hub_repo:
            answer = hub.lookup(ident.hub_repo, ident.revision)
            facts.extend(answer.facts)
            component.notes.extend(answer.notes)
            component.task = component.task or answer.task
            component.base_models.extend(f"hf:{base}" for base in answer.base_models)
            if answer.gated:
                component.signals.append(Signal("gated", f"{ident.hub_repo} is gated on the Hub: access needs accepted terms"))
            if ident.revision is None:
                component.signals.append(
                    Signal(
                        "unpinned-revision",
                        f"{ident.hub_repo} is loaded without a pinned revision: its card (and license) can change under you",
                    )
                )
        if ident.fact is not None:
            facts.append(_kb_license_fact(ident.fact))
            if ident.fact.note:
                component.notes.append(ident.fact.note)
        license_id, source, merge_notes = merge_facts(facts)
        component.license = license_id
        component.license_source = source
        component.facts = facts
        component.notes.extend(merge_notes)
        component.locations = _ordered(ranked[component_id])
        component.scope = _best_scope(scopes[component_id])
    return list(by_id.values())


def _kb_license_fact(fact: KbFact) -> LicenseFact:
    detail = f"{fact.source} ({fact.date})"
    if fact.raw and fact.raw != fact.license:
        detail += f"; declared as {fact.raw!r}"
    return LicenseFact("knowledge-base", fact.license, detail)
