"""Add what weight files and local model folders say about themselves (license, lineage, security) to components."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from vlicense.bounded import OverLimit, load_json
from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.model import Component, LicenseFact, LineageLink, Signal, SkippedFile
from vlicense.resolution.hf import HubResolver, card_declares_none
from vlicense.resolution.hub_license import hub_license_to_id
from vlicense.resolution.merge import chosen_fact, kb_license_fact
from vlicense.resolution.model_card import CardUnreadable, read_card
from vlicense.resolution.model_license import decide_model_license
from vlicense.resolution.spdx import identify_text, normalize
from vlicense.resolution.unknown import classify_weights
from vlicense.resolution.weight_metadata import (
    WEIGHT_SUFFIXES,
    WeightMetadata,
    read_weight_metadata,
)

# (raw base model as the file spells it) -> (component id or "" when it cannot be identified, its license fact).
IdentifyBase = Callable[[str], "tuple[str, LicenseFact | None]"]

MAX_CONFIG_BYTES = 10 * 1024 * 1024
MAX_LICENSE_FILE_BYTES = 256 * 1024
LICENSE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENSE.MD")

STAMP_MESSAGE = (
    "Ultralytics writes 'AGPL-3.0 License (https://ultralytics.com/license)' into every checkpoint it saves; this is "
    "evidence of the tool, not proof of the weights' origin"
)
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*$")
_HUB_URL = re.compile(r"^https?://huggingface\.co/([A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*?)/?$")
_SHORT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+\-_]{0,63}$")
MISSING = "not in the project"
_SOURCE_LABEL = {"knowledge-base": "knowledge base", "hf-hub": "Hugging Face Hub", "hf-cache": "Hugging Face cache"}


def kb_base_identifier(kb: KnowledgeBase) -> IdentifyBase:
    """The offline identifier: weight-file names are Ultralytics assets (train_args.model / opt.weights), Hub ids
    are ``hf:`` components; licenses come from the bundled knowledge base only."""

    def identify(raw: str) -> tuple[str, LicenseFact | None]:
        name = raw.strip()
        url = _HUB_URL.match(name)
        if url:
            name = url.group(1)
        name = name.removeprefix("hf:")
        if name.lower().endswith(WEIGHT_SUFFIXES):
            base = PurePosixPath(name.replace("\\", "/")).name
            component_id = f"ultralytics:{base}"
        elif _HUB_ID.match(name) and ".." not in name:
            component_id = f"hf:{name}"
        else:
            return "", None
        fact = kb.model(component_id)
        if fact is None:
            return component_id, None
        return component_id, kb_license_fact(fact)

    return identify


def enrich_weight_components(
    components: list[Component],
    root: Path,
    kb: KnowledgeBase,
    identify_base: IdentifyBase | None = None,
) -> list[SkippedFile]:
    """Read each ``file:`` weight and ``local:`` model folder in ``components`` (in place); return what was skipped.

    Adds "weight-metadata" and "lineage" facts, base_models and lineage links, unsafe-pickle / tool-stamp
    signals, then decides the component's license again by the model rule (its own declaration decides; a base
    adds its terms and a drift signal). Never raises for bad input; never executes or unpickles anything.
    """
    identify = identify_base or kb_base_identifier(kb)
    skipped: list[SkippedFile] = []
    resolved_root = root.resolve()
    for component in components:
        if component.kind != "model":
            continue
        if component.id.startswith("file:"):
            rel, handler = component.id[len("file:") :], _enrich_file
        elif component.id.startswith("local:"):
            rel, handler = component.id[len("local:") :], _enrich_directory
        else:
            continue
        path, problem = _inside(resolved_root, rel, want_dir=handler is _enrich_directory)
        if path is None and problem == MISSING:
            continue  # a weight the code expects at run time: identification already says it is not in the project
        if path is None:
            component.notes.append(f"metadata not read: {problem}")
            skipped.append(SkippedFile(rel, problem))
            _decide(component, f"{rel} was not read ({problem})")
            continue
        try:
            found, unknown_reason = handler(component, path, rel, identify)
            skipped.extend(found)
        except Exception as exc:  # noqa: BLE001 - a bug here must not hide the rest of the audit; the file is listed as skipped
            unknown_reason = f"metadata not read: internal error {type(exc).__name__}: {exc}"
            component.notes.append(unknown_reason)
            skipped.append(SkippedFile(rel, unknown_reason))
        _decide(component, unknown_reason)
    return sorted(set(skipped), key=lambda s: (s.path, s.reason))


def _inside(root: Path, rel: str, *, want_dir: bool) -> tuple[Path | None, str]:
    """The path of ``rel`` under ``root`` if it stays inside the project and has the right type."""
    if not rel or "\x00" in rel:
        return None, "invalid path"
    if not _lexically_inside(root, rel):
        # ``/content/yolov7/x.onnx``, ``../../bytetrack_s.onnx``: a path on the machine that runs the code, not a
        # file of this project (never read from the auditing machine), like a weight downloaded at run time.
        return None, MISSING
    try:
        path = (root / rel).resolve()
        path.relative_to(root)
    except ValueError:
        return None, "resolves outside the project (symlink); not read"
    except OSError as exc:
        return None, f"cannot resolve path: {exc.strerror or exc}"
    try:
        if not path.exists():
            return None, MISSING
        if want_dir and not path.is_dir():
            return None, "not a directory"
        if not want_dir and not path.is_file():  # FIFOs and devices would block or never end
            return None, "not a regular file"
    except OSError as exc:
        return None, f"cannot stat: {exc.strerror or exc}"
    return path, ""


def _lexically_inside(root: Path, rel: str) -> bool:
    """Whether ``rel`` names a path under ``root`` before any symlink is followed (not absolute, no ``..`` escape)."""
    joined = os.path.normpath(os.path.join(root, rel))
    return joined == str(root) or joined.startswith(str(root).rstrip(os.sep) + os.sep)


# ----------------------------------------------------------------------------------------------- files


def _enrich_file(component: Component, path: Path, rel: str, identify: IdentifyBase) -> tuple[list[SkippedFile], str]:
    """Metadata facts, lineage and signals of one weight file; returns (skipped, why its license would be unknown)."""
    meta = read_weight_metadata(path)
    skipped: list[SkippedFile] = []
    if meta.unsafe_globals:
        calls = ", ".join(meta.unsafe_globals)
        component.signals.append(
            Signal(
                "unsafe-pickle",
                f"{rel} is a pickle that would call {calls} when loaded",
                f"dangerous globals in {rel}: {calls} (read with a restricted unpickler; nothing was executed)",
            )
        )
    if meta.unknown_globals:
        listed = ", ".join(meta.unknown_globals[:10]) + (" ..." if len(meta.unknown_globals) > 10 else "")
        component.notes.append(f"pickle references globals outside the known ML classes (not loaded): {listed}")
    if meta.error:
        reason = f"weight metadata not read ({meta.format}): {meta.error}"
        component.notes.append(reason)
        skipped.append(SkippedFile(rel, reason))
        return skipped, f"{reason}; record where the file comes from and its license as a policy override"
    if meta.tool:
        component.notes.append(f"saved by {meta.tool} ({meta.format} metadata)")
    _license_fact(component, meta, rel)
    train_start = meta.fields.get("train_args.model", "").strip()
    _lineage(component, [(b, "train_args.model" if b == train_start else "weight-metadata") for b in meta.base_models],
             identify, how="fine-tuned from")
    if meta.format in ("pytorch-zip", "torch-legacy", "pickle") and meta.fields.get("train_args.model", "").lower().endswith(
        (".yaml", ".yml")
    ) and not meta.base_models:
        component.notes.append(
            f"trained from scratch: train_args.model is the config {meta.fields['train_args.model']!r} (no starting weights)"
        )
    # Weight formats have no standard license field: a file that names none has not declared "no license".
    return skipped, (f"its {meta.format} metadata names no license and no known starting weights (weight formats "
                     "have no standard license field, so this is not a declaration); record where the file comes "
                     "from and its license as a policy override")


def _license_fact(component: Component, meta: WeightMetadata, rel: str) -> str | None:
    """The weight-metadata fact; the Ultralytics stamp is tool evidence (a signal), never a license by itself."""
    raw = meta.license_raw
    if raw is None:
        return None
    if meta.ultralytics_stamp:
        component.signals.append(Signal("tool-stamp", STAMP_MESSAGE, f"{rel}: license field {raw!r}, saved by {meta.tool}"))
        component.facts.append(
            LicenseFact("weight-metadata", None, f"{meta.format} license field {raw!r} is the Ultralytics tool stamp")
        )
        return None
    license_name = meta.fields.get("general.license.name") or meta.fields.get("license_name")
    license_id = _normalize_license(raw, license_name)
    detail = f"{meta.format} metadata license = {raw!r}" + (f", license name {license_name!r}" if license_name else "")
    component.facts.append(LicenseFact("weight-metadata", license_id, detail))
    return license_id


def _normalize_license(raw: str, license_name: str | None = None) -> str | None:
    """SPDX first (names, expressions, texts); then Hub ids (``cc-by-nc-4.0``, ``other`` + name); else unknown."""
    text = raw.strip()
    if text.lower() == "other":
        return hub_license_to_id(text, license_name)
    found = normalize(text)
    if found is not None:
        return found
    if _SHORT_ID.match(text):
        return hub_license_to_id(text, license_name)
    return None  # free text we cannot identify stays unknown; the raw value is in the fact's detail


def _lineage(component: Component, bases: list[tuple[str, str]], identify: IdentifyBase, how: str) -> None:
    """A "lineage" fact and one lineage link per (base as written, relation); the model rule weighs them."""
    if not bases:
        return
    parts: list[str] = []
    licenses: set[str] = set()
    complete = True
    for raw, relation in bases:
        component_id, fact = identify(raw)
        if not component_id:
            component.notes.append(f"{how} {raw!r}, which is not a known model id; its license is unknown")
            complete = False
            parts.append(f"{how} {raw!r} (license unknown)")
            component.lineage.append(LineageLink(raw, None, None, relation, (component.id, raw)))
            continue
        if component_id == component.id:
            continue
        if component_id not in component.base_models:
            component.base_models.append(component_id)
        license_id = fact.license if fact is not None else None
        component.lineage.append(LineageLink(component_id, license_id, fact.source if fact is not None else None,
                                             relation, (component.id, component_id)))
        if fact is None or license_id is None:
            complete = False
            parts.append(f"{how} {component_id} (license unknown)")
            continue
        licenses.add(license_id)
        parts.append(f"{how} {component_id} ({license_id}, {_SOURCE_LABEL.get(fact.source, fact.source)})")
    combined = " AND ".join(sorted(licenses)) if licenses and complete else None
    component.facts.append(LicenseFact("lineage", combined, "; ".join(parts)))


def _decide(component: Component, unknown_reason: str) -> None:
    decide_model_license(component)
    classify_weights(component, unknown_reason)


# ----------------------------------------------------------------------------------------- directories


def _enrich_directory(component: Component, path: Path, rel: str, identify: IdentifyBase) -> tuple[list[SkippedFile], str]:
    """Card, LICENSE file and lineage of a model folder; returns (skipped, why its license would be unknown)."""
    skipped: list[SkippedFile] = []
    card, problem = _card(path / "README.md")
    unknown_reason = ("the folder has no model card (README.md) or LICENSE file naming a license; record where it "
                      "comes from and its license as a policy override")
    if problem:
        component.notes.append(f"{rel}/README.md not read: {problem}")
        skipped.append(SkippedFile(f"{rel}/README.md", problem))
        unknown_reason = f"its card {rel}/README.md was not read ({problem}); fix or remove the card, or record the license as a policy override"
    license_file = _license_file(path)
    bases: list[tuple[str, str]] = []
    if card:
        raw = card.get("license")
        name = card.get("license_name")
        link = card.get("license_link")
        if raw is not None:
            detail = f"README.md front matter license: {raw!r}"
            if name:
                detail += f", license_name: {name!r}"
            if link:
                detail += f", license_link: {link!r}"
            component.facts.append(LicenseFact("weight-metadata", hub_license_to_id(raw, name, link), detail,
                                               declares_none=card_declares_none(card) and license_file is None))
        elif license_file is None:
            component.facts.append(LicenseFact("weight-metadata", None, "README.md front matter has no license field",
                                               declares_none=True))
        declared = card.get("base_model")
        for base in declared if isinstance(declared, list) else [declared]:
            if isinstance(base, str) and base.strip():
                bases.append((base.strip(), "base_model"))
    if not bases:
        loaded_from, problem = _name_or_path(path / "config.json")
        if problem:
            component.notes.append(f"{rel}/config.json not read: {problem}")
            skipped.append(SkippedFile(f"{rel}/config.json", problem))
        elif loaded_from:
            component.notes.append(f"config.json _name_or_path is {loaded_from!r}: the model these weights were loaded from")
            bases.append((loaded_from, "_name_or_path"))
    if license_file is not None:
        name, license_id = license_file
        component.facts.append(LicenseFact("weight-metadata", license_id, f"{name} file in the model directory"))
        unknown_reason = (f"its {name} file's text was not identified as a known license; read it and record the "
                          "license as a policy override")
    _lineage(component, bases, identify, how="derived from")
    return skipped, unknown_reason


def _card(readme: Path) -> tuple[dict | None, str]:
    try:
        if not readme.is_file():
            return None, ""
        return read_card(readme), ""
    except OSError as exc:
        return None, f"unreadable ({exc.strerror or exc})"
    except CardUnreadable as exc:
        return None, str(exc)


def _name_or_path(config: Path) -> tuple[str | None, str]:
    try:
        if not config.is_file():
            return None, ""
        with config.open("rb") as handle:
            data = load_json(handle.read(MAX_CONFIG_BYTES + 1), max_bytes=MAX_CONFIG_BYTES, what="config.json")
    except OverLimit as exc:
        return None, str(exc)
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None, f"not valid JSON ({type(exc).__name__})"
    value = data.get("_name_or_path") if isinstance(data, dict) else None
    # Only a Hub id names a model; a local path (the folder it was saved from) says nothing about origin.
    if isinstance(value, str) and _HUB_ID.match(value.strip()) and ".." not in value:
        return value.strip(), ""
    return None, ""


def _license_file(path: Path) -> tuple[str, str | None] | None:
    for name in LICENSE_FILES:
        candidate = path / name
        try:
            if candidate.is_file() and candidate.stat().st_size <= MAX_LICENSE_FILE_BYTES:
                text = candidate.read_text(encoding="utf-8", errors="replace")
                return name, identify_text(text)
        except OSError:
            continue
    return None


def hub_base_identifier(kb: KnowledgeBase, hub: HubResolver) -> IdentifyBase:
    """Like kb_base_identifier, but a Hub base's license also comes from the Hub resolver (cache, API, snapshot)."""
    offline = kb_base_identifier(kb)

    def identify(raw: str) -> tuple[str, LicenseFact | None]:
        component_id, fact = offline(raw)
        if not component_id.startswith("hf:"):
            return component_id, fact
        answer = hub.lookup(component_id[len("hf:") :], None)
        chosen = chosen_fact(list(answer.facts) + ([fact] if fact is not None else []))
        return component_id, chosen or fact

    return identify


__all__ = ["STAMP_MESSAGE", "IdentifyBase", "enrich_weight_components", "hub_base_identifier", "kb_base_identifier"]
