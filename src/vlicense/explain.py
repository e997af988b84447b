"""`vlicense explain ID`: what vlicense knows about a license, a model id or a package, with sources."""

from __future__ import annotations

from vlicense.errors import UsageError
from vlicense.model import ModelReference, Location
from vlicense.policy.catalog import license_info
from vlicense.resolution.identify import identify
from vlicense.resolution.knowledge_base import KbFact, KnowledgeBase

_MODEL_PREFIXES = ("timm:", "torchvision:", "hf:", "ultralytics:", "torchhub:", "open_clip:")


def explain_identifier(identifier: str) -> str:
    """Text for one identifier; raises UsageError when nothing is known about it."""
    kb = KnowledgeBase.load()
    if identifier.startswith("pypi:"):
        return _explain_package(identifier[len("pypi:"):], kb)
    if identifier.startswith(_MODEL_PREFIXES):
        return _explain_model(identifier, kb)
    info = license_info(identifier)
    if info is not None:
        return _explain_license(identifier)
    fact = kb.library(identifier)
    if fact is not None:
        return _explain_package(identifier, kb)
    raise UsageError(
        f"nothing known about {identifier!r}",
        fix="give a license id (AGPL-3.0-only), a model id (timm:resnet50, hf:org/name, ultralytics:yolo11n.pt) "
        "or a package (pypi:ultralytics)",
    )


def _explain_license(key: str) -> str:
    info = license_info(key)
    assert info is not None
    lines = [
        f"{info.key}: {info.name}",
        f"category: {info.category}",
        f"obligation: {info.obligation}",
        f"rests on: {info.clause}",
        f"text: {info.url}",
    ]
    if info.commercial_route:
        lines.append(f"commercial route: {info.commercial_route}")
    lines.append(f"source: {info.source}" + ("" if info.reviewed else " (custom terms, not reviewed in full)"))
    return "\n".join(lines)


def _explain_model(identifier: str, kb: KnowledgeBase) -> str:
    fact = kb.model(identifier)
    lines = [identifier]
    if fact is None:
        ref = _reference_for(identifier)
        if ref is not None:
            ident = identify(ref, kb)
            fact = ident.fact
            if ident.component_id != identifier:
                lines.append(f"resolves to: {ident.component_id}")
            lines.extend(f"note: {note}" for note in ident.notes)
    if fact is None:
        lines.append("license: unknown (not in the bundled knowledge base; an audit also asks the Hugging Face cache/Hub)")
        return "\n".join(lines)
    lines.extend(_fact_lines(fact))
    return "\n".join(lines)


def _explain_package(name: str, kb: KnowledgeBase) -> str:
    fact = kb.library(name)
    lines = [f"pypi:{name}"]
    if fact is None:
        lines.append("license: not in the bundled knowledge base (an audit reads it from the installed metadata)")
        return "\n".join(lines)
    lines.extend(_fact_lines(fact))
    return "\n".join(lines)


def _fact_lines(fact: KbFact) -> list[str]:
    lines = [f"license: {fact.license or 'unknown'}" + (f" (declared as {fact.raw!r})" if fact.raw and fact.raw != fact.license else "")]
    if fact.license:
        info = license_info(fact.license) if " " not in fact.license else None
        if info is not None:
            lines.append(f"category: {info.category}; rests on: {info.clause}")
    if fact.task:
        lines.append(f"task: {fact.task}")
    if fact.note:
        lines.append(f"note: {fact.note}")
    lines.append(f"source: {fact.source} ({fact.date})")
    return lines


def _reference_for(identifier: str) -> ModelReference | None:
    """Rebuild a reference from an id the user typed, so defaults (timm default tag, DEFAULT enum) resolve."""
    loader, _, rest = identifier.partition(":")
    where = Location("<command line>")
    if loader == "timm":
        return ModelReference("timm", rest, where)
    if loader == "torchvision" and "." in rest:
        return ModelReference("torchvision", "", where, variant=rest)
    if loader == "hf":
        return ModelReference("huggingface", rest, where)
    if loader == "ultralytics":
        return ModelReference("ultralytics", rest, where, variant="YOLO")
    if loader == "torchhub" and ":" in rest:
        repo, _, entry = rest.partition(":")
        return ModelReference("torchhub", repo, where, variant=entry)
    if loader == "open_clip" and ":" in rest:
        model, _, tag = rest.partition(":")
        return ModelReference("open_clip", model, where, variant=tag)
    return None
