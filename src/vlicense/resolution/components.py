"""Turn discovered references into components (libraries and models) with their license facts, merged."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from packaging.utils import canonicalize_name

from vlicense.model import Component, Discovery, LicenseFact, Location, RequirementReference, Signal
from vlicense.resolution.closure import LockedPackage, dependency_closure
from vlicense.resolution.hf import HubResolver
from vlicense.resolution.identify import Identified, ProjectPath, identify
from vlicense.resolution.installed import Environment
from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.resolution.lineage import follow_lineage
from vlicense.resolution.merge import kb_license_fact, merge_facts
from vlicense.resolution.model_license import decide_model_license
from vlicense.resolution.pypi import PyPIResolver
from vlicense.resolution.unknown import classify_library, classify_model

PROJECT = "<project>"

# Scope ranking (strongest first): a component used by shipped code is "runtime" even if tests use it too.
# "optional:<extra>" ships to users who ask for the extra; "group:<name>" is a dependency group vlicense cannot
# classify (PEP 735 groups are never installed with the package); then the non-shipped places.
_SCOPE_ORDER = ("runtime", "optional:", "script", "notebook", "example", "group:", "docs", "test", "dev")
# Where-it-enters order: shipped code first, then manifests, then lock files, notebooks, examples, docs and tests.
_MANIFEST_RANK = 0.5
_LOCK_RANK = 0.75
_TEST_GROUP = re.compile(r"^(tests?|testing|pytest|unit|integration|e2e|ci)([-_].*)?$")
_DOCS_GROUP = re.compile(r"^(docs?|documentation|sphinx|mkdocs)([-_].*)?$")
_DEV_GROUP = re.compile(r"^(dev|develop|development|lint|linting|typing|types|mypy|style|format|build|bench|benchmarks?|release|tools?)([-_].*)?$")


# A Hub revision that pins content: a commit hash (full, or abbreviated to at least 7 hex digits).
_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")


def normalize_scope(group: str) -> str:
    """A manifest/lock group or a discovery scope -> the scope on Component.scope.

    ``runtime`` | ``optional:<extra>`` | ``test`` | ``docs`` | ``dev`` | ``group:<name>`` (a dependency group with
    an unrecognized name) | a discovery scope as is (``script``, ``notebook``, ``example``).
    """
    group = (group or "runtime").strip()
    lowered = group.lower()
    if lowered in ("runtime", "main", "default", ""):
        return "runtime"
    if lowered.startswith("optional:"):
        return "optional:" + canonicalize_name(group.split(":", 1)[1])
    name = lowered.split(":", 1)[1] if lowered.startswith("group:") else lowered
    if _TEST_GROUP.match(name):
        return "test"
    if _DOCS_GROUP.match(name):
        return "docs"
    if _DEV_GROUP.match(name):
        return "dev"
    if lowered.startswith("group:"):
        return "group:" + canonicalize_name(name)
    return lowered


def _scope_rank(scope: str) -> float:
    for index, prefix in enumerate(_SCOPE_ORDER):
        if scope == prefix or (prefix.endswith(":") and scope.startswith(prefix)):
            return float(index)
    return float(len(_SCOPE_ORDER))


def _best_scope(scopes: Iterable[str]) -> str:
    scopes = sorted(set(scopes))
    return min(scopes, key=lambda s: (_scope_rank(s), s)) if scopes else "runtime"


def _ordered(ranked: list[tuple[float, Location]]) -> list[Location]:
    """Locations without duplicates, shipped code first (reports show the first one as "where it enters")."""
    # Keyed by the fields (what Location equality compares) rather than the Location: its generated __hash__ is a
    # Python call per site, and an audit ranks tens of thousands of import sites. The first object seen is kept.
    best: dict[tuple, list] = {}
    for rank, loc in ranked:
        key = (loc.path, loc.line, loc.column, loc.snippet, loc.cell, loc.cell_line)
        known = best.get(key)
        if known is None:
            best[key] = [rank, loc]
        elif rank < known[0]:
            known[0] = rank
    # A plain tuple sort key (comparing Location objects field by field is slow), built without a call per site;
    # the positions are sorted, so equal keys keep their first-seen order as sorted(best) did.
    entries = list(best.items())
    keys = [(entry[0], path, line, column, snippet, -1 if cell is None else cell, -1 if cell_line is None else cell_line)
            for (path, line, column, snippet, cell, cell_line), entry in entries]
    return [entries[i][1][1] for i in sorted(range(len(entries)), key=keys.__getitem__)]


def build_components(
    found: Discovery,
    *,
    environment: Environment,
    kb: KnowledgeBase,
    hub: HubResolver,
    project_path: ProjectPath,
    pypi: PyPIResolver | None = None,
) -> list[Component]:
    """Libraries from imports, manifests and lock files (with their dependency closure) plus models from loader calls.

    ``pypi`` (optional) answers the license of libraries that are neither installed nor in the knowledge base.
    """
    libraries = _libraries(found, environment, kb, pypi)
    models = _models(found, kb, hub, project_path)
    return sorted(libraries + models, key=lambda c: (c.kind, c.id))


# ------------------------------------------------------------------------------------------- libraries


def _libraries(found: Discovery, environment: Environment, kb: KnowledgeBase, pypi: PyPIResolver | None) -> list[Component]:
    locations: dict[str, list[tuple[float, Location]]] = defaultdict(list)
    scopes: dict[str, set[str]] = defaultdict(set)
    notes: dict[str, list[str]] = defaultdict(list)
    extras: dict[str, set[str]] = defaultdict(set)
    own = found.own_distributions
    declared = {canonicalize_name(req.name) for req in found.requirements}
    # Names only guessed from an import that may be a separate checkout's module (see RawImport.checkout) and that
    # the knowledge base does not know: a PyPI distribution of that name (``utils``, ``models``) is probably
    # unrelated, so its license is not looked up.
    guessed: set[str] = set()
    for ref in found.imports:
        for name, note in _distributions_for_import(ref.module, environment, kb, declared):
            if name in own:
                continue  # an import the project's own distribution provides (installed in its venv): first party
            if ref.checkout is not None and note.startswith(ASSUMED) and name not in declared and kb.library(name) is None:
                guessed.add(name)
                folder, where = ref.checkout
                note = (f"import {ref.module} follows a sys.path edit adding '{folder}' ({where.path}:{where.line}), a "
                        f"folder the tree does not hold: probably a module of that separate checkout, not the PyPI "
                        f"distribution '{name}'; its license is unknown until the checkout is audited")
            locations[name].append((_scope_rank(normalize_scope(ref.scope)), ref.location))
            scopes[name].add(normalize_scope(ref.scope))
            if note and note not in notes[name]:
                notes[name].append(note)
    locked, lock_scopes, lock_files = _lock_graph(found.requirements)
    pins: dict[str, str] = {}
    for req in found.requirements:
        locations[req.name].append((_LOCK_RANK if _from_lock(req) else _MANIFEST_RANK, req.location))
        if not req.direct:
            continue  # locked only because another locked package needs it: not a root
        scopes[req.name].add(normalize_scope(req.group))
        extras[req.name] |= _extras_of(req.specifier)
        pin = _exact_pin(req.specifier)
        if pin:
            pins.setdefault(req.name, pin)
    roots = {_with_extras(name, extras.get(name, set())): _best_scope(s) for name, s in scopes.items()}
    closure = dependency_closure(environment, roots, project=PROJECT, locked=locked)
    # Packages a lock file pins that no path from the project reaches: still installed with the project.
    for name, package in sorted(locked.items()):
        if name not in closure:
            closure.update(dependency_closure(environment, {name: lock_scopes.get(name, "runtime")},
                                              project=PROJECT, locked=locked))
            entry = closure[name]
            entry.direct = False
            entry.paths = []
            notes[name].append(f"pinned in {lock_files.get(name, 'a lock file')}; no path from the project's declared "
                               "dependencies or imports reaches it")
    components = []
    for name, entry in sorted(closure.items()):
        if name in own:
            continue  # reached through an installed dependency that requires the project itself: still first party
        dist = environment.get(name)
        facts: list[LicenseFact] = list(dist.facts) if dist is not None else []
        kb_fact = kb.library(name)
        if kb_fact is not None:
            facts.append(kb_license_fact(kb_fact))
        version = entry.version or pins.get(name)
        extra_notes: list[str] = []
        pypi_consulted = False
        if dist is None:
            where = lock_files.get(name)
            extra_notes.append("not installed in the target environment" + (f"; version pinned in {where}" if where and version else ""))
            if pypi is not None and (kb_fact is None or kb_fact.license is None) and name not in guessed:
                answer = pypi.lookup(name, version)
                if answer is None:
                    extra_notes.append("PyPI not consulted (offline)")
                else:
                    pypi_consulted = True
                    facts.append(answer.fact)
        license_id, source, merge_notes = merge_facts(facts)
        component = Component(
            id=f"pypi:{name}",
            kind="library",
            name=dist.display_name if dist is not None else name,
            version=version,
            license=license_id,
            license_source=source,
            direct=entry.direct,
            introduced_by=[list(path) for path in entry.paths],
            locations=_ordered(locations.get(name, []) or _entry_points(entry.paths, locations)),
            facts=facts,
            notes=notes.get(name, []) + merge_notes + extra_notes,
            scope=entry.scope or lock_scopes.get(name, "runtime"),
        )
        classify_library(component, installed=dist is not None, pypi_consulted=pypi_consulted,
                         provides_modules=lambda dist=dist: bool(dist is not None and dist.top_level))
        components.append(component)
    return components


def _entry_points(paths: list[list[str]], locations: dict[str, list[tuple[float, Location]]]) -> list[tuple[float, Location]]:
    """Where a transitive dependency enters: the locations of the direct dependencies that pull it in."""
    entered: list[tuple[float, Location]] = []
    for path in paths:
        if len(path) > 2:  # [<project>, direct, ..., this]
            entered.extend(locations.get(path[1], []))
    return entered


def _lock_graph(requirements: list[RequirementReference]) -> tuple[dict[str, LockedPackage], dict[str, str], dict[str, str]]:
    """(name -> LockedPackage, name -> scope from the lock's group, name -> lock file path) from lock requirements."""
    locked: dict[str, LockedPackage] = {}
    scopes: dict[str, set[str]] = defaultdict(set)
    files: dict[str, str] = {}
    for req in requirements:
        if not _from_lock(req):
            continue
        files.setdefault(req.name, req.location.path)
        scopes[req.name].add(normalize_scope(req.group))
        previous = locked.get(req.name)
        version = _exact_pin(req.specifier)
        if previous is None or (previous.requires is None and req.locked_requires is not None):
            locked[req.name] = LockedPackage(version or (previous.version if previous else None), req.locked_requires)
    return locked, {name: _best_scope(s) for name, s in scopes.items()}, files


def _from_lock(req: RequirementReference) -> bool:
    # Lock files set locked_requires (graph known) or direct=False (flat locks); manifests set neither.
    return req.locked_requires is not None or not req.direct


def _exact_pin(specifier: str) -> str | None:
    match = re.fullmatch(r"\s*(?:\[[^\]]*\])?\s*===?\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)\s*(;.*)?", specifier or "")
    return match.group(1) if match and "*" not in match.group(1) else None


def _extras_of(specifier: str) -> set[str]:
    match = re.match(r"\s*\[([^\]]*)\]", specifier or "")
    return {canonicalize_name(e.strip()) for e in match.group(1).split(",") if e.strip()} if match else set()


def _with_extras(name: str, extras: set[str]) -> str:
    return f"{name}[{','.join(sorted(extras))}]" if extras else name


ASSUMED = "not installed; distribution name assumed from import"


def _distributions_for_import(module: str, environment: Environment, kb: KnowledgeBase,
                              declared: set[str]) -> Iterable[tuple[str, str]]:
    installed = environment.distributions_for_module(module)
    chosen = [name for name in kb.distributions_sharing_import(module) if name in declared]
    if chosen and not declared.intersection(canonicalize_name(name) for name in installed):
        # Several distributions provide this module (thop: MIT thop or AGPL ultralytics-thop); the project's
        # manifest names the one it installs, whatever the audited environment happens to hold.
        return [(name, f"import {module} attributed to {name}, which the project declares (other distributions "
                       "provide the same module)") for name in chosen]
    if installed:
        return [(canonicalize_name(name), "") for name in installed]
    mapped = kb.distribution_for_import(module)
    if mapped:
        return [(canonicalize_name(mapped), f"import {module} mapped to {mapped} by the bundled import-name table")]
    return [(canonicalize_name(module), f"{ASSUMED} {module}")]


# ---------------------------------------------------------------------------------------------- models


def _models(found: Discovery, kb: KnowledgeBase, hub: HubResolver, project_path: ProjectPath) -> list[Component]:
    by_id: dict[str, Component] = {}
    identified: dict[str, Identified] = {}
    scopes: dict[str, set[str]] = defaultdict(set)
    ranked: dict[str, list[tuple[float, Location]]] = defaultdict(list)
    origins: dict[str, list[tuple[float, Location]]] = defaultdict(list)
    origin_at: dict[str, dict[Location, Location]] = defaultdict(dict)
    by_loader: dict[str, bool] = defaultdict(bool)
    for ref in found.models:
        ident = identify(ref, kb, project_path)
        scope = normalize_scope(ref.scope)
        scopes[ident.component_id].add(scope)
        by_loader[ident.component_id] |= ref.found_by != "name"
        ranked[ident.component_id].append((_scope_rank(scope), ref.location))
        origins[ident.component_id] += [(_scope_rank(scope), o) for o in ref.origins]
        if ref.origins and ref.origins[0] != ref.location:
            origin_at[ident.component_id].setdefault(ref.location, ref.origins[0])
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
        bases: list[str] = []
        answer = None
        gated = bool(ident.fact is not None and ident.fact.gated)
        if ident.hub_repo:
            answer = hub.lookup(ident.hub_repo, ident.revision)
            facts.extend(answer.facts)
            component.notes.extend(answer.notes)
            component.task = component.task or answer.task
            bases.extend(answer.base_models)
            gated = gated or bool(answer.gated)
            if ident.revision is None:
                component.signals.append(
                    Signal(
                        "unpinned-revision",
                        f"{ident.hub_repo} is loaded without a pinned revision: its card (and license) can change under you",
                    )
                )
            elif not _COMMIT.match(ident.revision):
                # A branch ("main") or a tag names whatever it points at on the day of the download.
                component.signals.append(
                    Signal(
                        "unpinned-revision",
                        f"{ident.hub_repo} is loaded at revision {ident.revision!r}, a branch or tag rather than a commit: "
                        "its card (and license) can change under you",
                    )
                )
        if gated:
            component.signals.append(Signal("gated", f"{ident.hub_repo or ident.name} is gated on the Hub: access needs accepted terms"))
        if ident.fact is not None:
            facts.append(kb_license_fact(ident.fact))
            if ident.fact.note:
                component.notes.append(ident.fact.note)
            if ident.fact.base_model:
                bases.append(ident.fact.base_model)
        bases = sorted(set(bases))
        if bases:
            result = follow_lineage(ident.hub_repo or ident.name, bases, hub=hub, kb=kb)
            component.base_models.extend(f"hf:{base}" for base in result.direct_bases)
            component.lineage = result.links(component_id)
            facts.extend(result.facts)
            component.notes.extend(result.notes)
        component.facts = facts
        decide_model_license(component)
        classify_model(component, ident.hub_repo, answer)
        component.locations = _ordered(ranked[component_id])
        loads = set(component.locations)
        component.origins = [o for o in _ordered(origins[component_id]) if o not in loads]
        component.origin_at = {at: o for at, o in origin_at[component_id].items() if o not in loads}
        component.scope = _best_scope(scopes[component_id])
        component.found_by = "loader" if by_loader[component_id] else "name"
    return list(by_id.values())
