"""CycloneDX 1.6 JSON SBOM (libraries and machine-learning models, licenses, usage evidence, dependency graph)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import uuid
from itertools import pairwise
from types import SimpleNamespace
from typing import Any

from packaging.utils import canonicalize_name

from vlicense.errors import UsageError
from vlicense.model import AuditResult, Component
from vlicense.knowledge.licenses import license_info

# The serial number is a UUID5 of the document's content in this namespace: same audit, same serial.
SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://vlicense.invalid/cyclonedx-serial")
PROJECT_REF = "project"
_PROJECT_MARKERS = ("<project>", "project")
# Acknowledgement of a license: "concluded" when a person decided it (a policy override), else as declared.
_CONCLUDED_SOURCES = ("policy-override",)


def _require() -> Any:
    """The cyclonedx-python-lib modules; a clear UsageError when the optional extra is not installed."""
    try:
        from cyclonedx.model import Property, XsUri
        from cyclonedx.model.bom import Bom, BomMetaData
        from cyclonedx.model.component import Component as CdxComponent
        from cyclonedx.model.component import ComponentScope, ComponentType, Pedigree
        from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
        from cyclonedx.model.dependency import Dependency
        from cyclonedx.model.license import (
            DisjunctiveLicense,
            LicenseAcknowledgement,
            LicenseExpression,
        )
        from cyclonedx.model.tool import ToolRepository
        from cyclonedx.output.json import JsonV1Dot6
        from cyclonedx.spdx import is_supported_id
        from packageurl import PackageURL
    except ImportError as error:
        raise UsageError(
            f"the CycloneDX format needs cyclonedx-python-lib ({error})",
            fix="pip install 'vlicense[sbom]'",
        ) from None
    return SimpleNamespace(
        Bom=Bom, BomMetaData=BomMetaData, CdxComponent=CdxComponent, ComponentEvidence=ComponentEvidence,
        ComponentScope=ComponentScope, ComponentType=ComponentType, Dependency=Dependency,
        DisjunctiveLicense=DisjunctiveLicense, JsonV1Dot6=JsonV1Dot6, LicenseAcknowledgement=LicenseAcknowledgement,
        LicenseExpression=LicenseExpression, Occurrence=Occurrence, PackageURL=PackageURL, Pedigree=Pedigree,
        Property=Property,
        ToolRepository=ToolRepository, XsUri=XsUri, is_supported_id=is_supported_id,
    )


def purl(component: Component) -> str | None:
    """The package URL of a component, where one names it unambiguously (PyPI packages, Hub models)."""
    from packageurl import PackageURL

    if component.kind == "library" and component.id.startswith("pypi:"):
        return PackageURL(type="pypi", name=canonicalize_name(component.name), version=component.version).to_string()
    if component.id.startswith("hf:"):
        repo = component.id[len("hf:") :]
        namespace, _, name = repo.rpartition("/")
        # The purl spec's huggingface type: namespace = org, version = the commit (only when pinned).
        return PackageURL(type="huggingface", namespace=namespace or None, name=name, version=component.version).to_string()
    return None


def _timestamp(generated_at: str) -> _dt.datetime:
    """The injected clock's date (or datetime) as an aware UTC datetime; never the wall clock."""
    try:
        value = _dt.datetime.fromisoformat(generated_at)
    except ValueError:
        value = _dt.datetime(1970, 1, 1)
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    return value


def _licenses(cdx: Any, component: Component) -> list[Any]:
    return _license_entries(cdx, component.license, component.license_source)


def _license_entries(cdx: Any, expression: str | None, source: str | None) -> list[Any]:
    if not expression:
        return []
    ack = (
        cdx.LicenseAcknowledgement.CONCLUDED
        if source in _CONCLUDED_SOURCES
        else cdx.LicenseAcknowledgement.DECLARED
    )
    single = " " not in expression.strip() and "(" not in expression
    if single and cdx.is_supported_id(expression):
        return [cdx.DisjunctiveLicense(id=expression, acknowledgement=ack)]
    if single:
        # A custom license (LicenseRef-…) has no SPDX id: its key as the name, and the catalog's URL and name.
        info = license_info(expression)
        url = cdx.XsUri(info.url) if info is not None and info.url.startswith(("http://", "https://")) else None
        props = [cdx.Property(name="vlicense:license-name", value=info.name)] if info is not None else []
        return [cdx.DisjunctiveLicense(name=expression, url=url, acknowledgement=ack, properties=props)]
    return [cdx.LicenseExpression(expression, acknowledgement=ack)]


def _properties(cdx: Any, component: Component) -> list[Any]:
    pairs: list[tuple[str, str]] = [("vlicense:id", component.id)]
    if component.loader:
        pairs.append(("vlicense:loader", component.loader))
    pairs.append(("vlicense:license", component.license or "unknown"))
    if component.license_source:
        pairs.append(("vlicense:license-source", component.license_source))
    pairs += [("vlicense:category", c) for c in sorted(set(component.categories))]
    pairs.append(("vlicense:direct", "true" if component.direct else "false"))
    pairs.append(("vlicense:scope", component.scope))
    if component.task:
        pairs.append(("vlicense:task", component.task))
    pairs += [("vlicense:base-model", b) for b in component.base_models]
    pairs += [("vlicense:signal", f"{s.kind}: {s.message}") for s in component.signals]
    return [cdx.Property(name=k, value=v) for k, v in pairs]


def _pedigree(cdx: Any, component: Component) -> Any:
    """The models up a component's lineage as CycloneDX pedigree ancestors (base models and their licenses): a
    fine-tune's SBOM names the weights it derives from, whose terms bind it too."""
    if not component.lineage:
        return None
    ancestors = []
    for index, link in enumerate(component.lineage, start=1):
        pairs = [("vlicense:id", link.id), ("vlicense:relation", link.relation),
                 ("vlicense:license", link.license or "unknown"), ("vlicense:path", " -> ".join(link.path))]
        if link.source:
            pairs.append(("vlicense:license-source", link.source))
        ancestors.append(cdx.CdxComponent(
            name=link.id.split(":", 1)[-1],
            type=cdx.ComponentType.MACHINE_LEARNING_MODEL,
            # Explicit refs: the library would otherwise draw random ones (reports must be byte-identical).
            bom_ref=f"{component.id}#ancestor-{index:03d}",
            licenses=_license_entries(cdx, link.license, link.source),
            properties=[cdx.Property(name=k, value=v) for k, v in pairs],
        ))
    return cdx.Pedigree(ancestors=ancestors)


def _component(cdx: Any, component: Component) -> Any:
    # The library sorts occurrences by bom-ref first; an unset bom-ref compares by a random value, so every
    # occurrence gets one derived from its position (shipped code first, as resolution ordered them).
    occurrences = [
        cdx.Occurrence(
            bom_ref=f"{component.id}#occurrence-{index:03d}",
            location=loc.path,
            line=loc.line if loc.line >= 1 else None,
            additional_context=" ".join(loc.snippet.split()) or None,
        )
        for index, loc in enumerate(component.locations, start=1)
    ]
    package_url = purl(component)
    return cdx.CdxComponent(
        name=component.name,
        version=component.version,
        type=cdx.ComponentType.LIBRARY if component.kind == "library" else cdx.ComponentType.MACHINE_LEARNING_MODEL,
        bom_ref=component.id,
        # Test, docs and example code does not ship: CycloneDX calls that "excluded" (used, not part of the runtime).
        scope=cdx.ComponentScope.REQUIRED if component.scope == "runtime" else cdx.ComponentScope.EXCLUDED,
        purl=cdx.PackageURL.from_string(package_url) if package_url else None,
        licenses=_licenses(cdx, component),
        evidence=cdx.ComponentEvidence(occurrences=occurrences) if occurrences else None,
        properties=_properties(cdx, component),
        pedigree=_pedigree(cdx, component),
    )


def dependency_graph(result: AuditResult) -> dict[str, set[str]]:
    """``bom-ref -> refs it depends on``: the project on its direct components, libraries along introduced_by."""
    ids = {c.id for c in result.components}
    graph: dict[str, set[str]] = {PROJECT_REF: set()}
    for c in result.components:
        graph.setdefault(c.id, set())
    for c in result.components:
        paths = [[s for s in p if s not in _PROJECT_MARKERS] for p in c.introduced_by]
        paths = [p for p in paths if p]
        if c.kind == "model" or (c.direct and not paths):
            graph[PROJECT_REF].add(c.id)
        for path in paths:
            refs = [PROJECT_REF] + [f"pypi:{canonicalize_name(step)}" for step in path]
            if refs[-1] != c.id:
                refs.append(c.id)
            for parent, child in pairwise(refs):
                # A step resolution named but that is not in the inventory cannot be referenced: skip that edge.
                if parent in graph and child in ids and parent != child:
                    graph[parent].add(child)
    return graph


def _build(cdx: Any, result: AuditResult, serial: uuid.UUID) -> Any:
    project = cdx.CdxComponent(
        name=result.root.rstrip("/").rsplit("/", 1)[-1] or result.root,
        type=cdx.ComponentType.APPLICATION,
        bom_ref=PROJECT_REF,
        licenses=(
            [cdx.LicenseExpression(result.context.project_license, acknowledgement=cdx.LicenseAcknowledgement.DECLARED)]
            if result.context.project_license
            else []
        ),
    )
    tool = cdx.CdxComponent(name="vlicense", version=result.tool_version, type=cdx.ComponentType.APPLICATION)
    metadata = cdx.BomMetaData(
        tools=cdx.ToolRepository(components=[tool]),
        component=project,
        timestamp=_timestamp(result.generated_at),
        properties=[
            cdx.Property(name="vlicense:policy", value=result.policy_name),
            cdx.Property(name="vlicense:verdict", value=result.verdict),
            *[cdx.Property(name="vlicense:distribution", value=d) for d in result.context.distribution],
            cdx.Property(name="vlicense:commercial", value="true" if result.context.commercial else "false"),
        ],
    )
    components = {c.id: _component(cdx, c) for c in sorted(result.components, key=lambda c: c.id)}
    bom = cdx.Bom(serial_number=serial, metadata=metadata, components=list(components.values()))
    refs = {PROJECT_REF: project, **components}
    for ref, children in sorted(dependency_graph(result).items()):
        bom.dependencies.add(cdx.Dependency(ref=refs[ref].bom_ref, dependencies=[
            cdx.Dependency(ref=refs[child].bom_ref) for child in sorted(children)
        ]))
    return bom


def _serialize(cdx: Any, bom: Any) -> str:
    return cdx.JsonV1Dot6(bom).output_as_string(indent=2) + "\n"


def render(result: AuditResult) -> str:
    """The CycloneDX 1.6 JSON document; byte-identical for the same result (no random serial, no wall clock)."""
    cdx = _require()
    draft = _serialize(cdx, _build(cdx, result, uuid.UUID(int=0)))
    serial = uuid.uuid5(SERIAL_NAMESPACE, hashlib.sha256(draft.encode("utf-8")).hexdigest())
    return _serialize(cdx, _build(cdx, result, serial))
