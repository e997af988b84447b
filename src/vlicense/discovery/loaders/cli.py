"""Command-line forms of the loader catalog (``cli:``) and plain-text ids mapped through a catalog mapping.

Used by the shell/Dockerfile scanner and notebooks (``!yolo predict model=x.pt``), and by the config scanner for
values a known library's callee receives (``class_path: anomalib.models.Cfa`` + ``backbone: ...``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from vlicense.discovery.loaders.base import HUB_ID, Reference, looks_like_path, normalize_path, weight_format
from vlicense.discovery.loaders.engine import CATALOG
from vlicense.knowledge.loader_catalog import CliArg, CliRule, Mapping
from vlicense.knowledge.weight_urls import is_url, weight_for_url
from vlicense.model import Location, ModelReference, UnresolvedReference


@dataclass(frozen=True)
class CliHit:
    """One id a command names: the word index holding it (None for the library's default), its text, and the
    mapping in force (the rule's, refined by a dispatch case or the default's own)."""

    rule: CliRule
    index: int | None
    value: str
    mapping: Mapping | None = None

    @property
    def default_api(self) -> str:
        return f"(default weights in {CATALOG.defaults_source(self.rule)})"

    @property
    def effective(self) -> Mapping:
        return CATALOG.effective(self.mapping or self.rule.mapping)


def cli_commands() -> frozenset[str]:
    """Every program name the catalog has command-line forms for."""
    return frozenset(c for entry in CATALOG.entries for rule in entry.cli for c in rule.commands)


def cli_hits(words: list[str]) -> list[CliHit]:
    """The ids a simple command (its words, program first) names through a catalog CLI form."""
    if not words:
        return []
    program = PurePosixPath(words[0]).name
    hits: list[CliHit] = []
    for rule in CATALOG.cli_rules(program):
        hits += _match(rule, words)
    return hits


def _match(rule: CliRule, words: list[str]) -> list[CliHit]:
    args = list(enumerate(words[1:], start=1))
    plain = [(i, w) for i, w in args if "=" not in w]
    if any(w in rule.skip_when for _, w in plain):
        return []
    positional = [(i, w) for i, w in plain if not w.startswith("-")]
    if rule.subcommand:
        if [w for _, w in positional[: len(rule.subcommand)]] != list(rule.subcommand):
            return []
        positional = positional[len(rule.subcommand):]
    mapping, default = rule.mapping, rule.default
    if rule.dispatch is not None:
        found = _find(rule.dispatch.arg, words, args, positional)
        key = found[0][1] if found else rule.dispatch.default.value if rule.dispatch.default else None
        case = rule.dispatch.case_for(key) if key is not None else rule.dispatch.otherwise
        if case is None or case.mapping.unresolved:
            # The dispatch value is not one the library knows: its ids are listed as unresolved with the reason.
            reason = case.mapping.unresolved if case is not None else "{value!r}: not a value the loader catalog knows"
            mapping = Mapping(unresolved=reason.format(value=key).replace("{", "{{").replace("}", "}}"))
        else:
            mapping, default = mapping.overlay(case.mapping), case.default or default
    found = _find(rule.id, words, args, positional)
    if found:
        return [CliHit(rule, i, value, mapping) for i, value in found]
    # The mode may be a word or a ``key=value`` setting (``yolo task=detect mode=train``).
    modes = [w for _, w in plain] + [w.partition("=")[2] for _, w in args if "=" in w]
    if default is not None and (not rule.default_when or any(w in rule.default_when for w in modes)):
        return [CliHit(rule, None, default.value, mapping.overlay(default.mapping) if default.mapping else mapping)]
    return []


def _find(where: CliArg, words: list[str], args: list[tuple[int, str]], positional: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(word index, text) of the value(s) ``where`` points at: ``key=value``, ``--option value``/``--option=value``
    (with ``multiple``: every word up to the next option), or the n-th positional word after the subcommand."""
    for i, word in args:
        key, eq, value = word.partition("=")
        if where.key is not None and eq and key == where.key:
            return [(i, value)]
        if key in where.options:
            if eq:
                return [(i, value)]
            following = []
            for j in range(i + 1, len(words)):
                if words[j].startswith("-") or (following and not where.multiple):
                    break
                following.append((j, words[j]))
            return following
    if where.pos is not None and where.pos < len(positional):
        return [positional[where.pos]]
    return []


def ultralytics_cli_class(name: str) -> str:
    """The class the yolo CLI picks for a weights name (ultralytics 8.4.190 cfg/__init__.py:1138-1158)."""
    stem = PurePosixPath(name).stem.lower()
    if "rtdetr" in stem:
        return "RTDETR"
    if "fastsam" in stem:
        return "FastSAM"
    if any(k in stem for k in ("sam_", "sam2_", "sam2.1_", "sam3", "mobile_sam")):
        return "SAM"
    if "yolo_nas" in stem:
        return "NAS"
    return "YOLO"


def cli_reference(hit: CliHit, location: Location, scope: str, api: str) -> list[Reference]:
    """References for a hit's plain text (no shell variables): the hit's mapping applied to the value."""
    if hit.index is None:
        api = f"{api} {hit.default_api}"
    return text_references(hit.mapping or hit.rule.mapping, hit.value, location, scope, api)


def text_references(mapping: Mapping, text: str, location: Location, scope: str, api: str) -> list[Reference]:
    """A plain-text id (a command line, a config value) through a catalog mapping (its match rules, closed set
    and template first: LoaderCatalog.choose)."""
    value = text.strip()
    if not value:
        return []
    choice = CATALOG.choose(mapping, value)
    if choice.reason is not None:
        return [UnresolvedReference(location, CATALOG.effective(mapping).loader, value, choice.reason)]
    if choice.mapping is None:
        return []
    mapping, value = choice.mapping, choice.name or value
    if is_url(value):
        found = weight_for_url(value)
        if found is None:
            return []
        return [ModelReference(found.loader, found.name, location, found.variant, found.revision, api=api, scope=scope,
                               url=value if found.loader == "file" else None)]
    if mapping.map == "ultralytics":
        if value.lower().endswith((".yaml", ".yml")):
            return []
        return [ModelReference("ultralytics", value, location, ultralytics_cli_class(value), api=api, scope=scope)]
    if mapping.map == "component":
        # choose() sent paths to the file kind unless a match rule names them (detectron2://<zoo path>).
        return [ModelReference(mapping.namespace or "file", value, location, api=api, scope=scope)]
    if mapping.map in ("file", "url") or looks_like_path(value) or (mapping.map != "hub" and "/" in value and weight_format(value)):
        path = normalize_path(value)
        return [ModelReference("file", path, location, weight_format(path) or "directory", api=api, scope=scope)]
    if mapping.map == "hub":
        return [ModelReference("huggingface", value, location, api=api, scope=scope)] if HUB_ID.match(value) else []
    if mapping.map == "torchvision":
        # A builder name alone does not say which weights member the library passes.
        return [UnresolvedReference(location, "torchvision", value, f"torchvision builder given to {api}: which weights it loads is not known statically")]
    if mapping.map == "none":
        return []
    return [ModelReference(mapping.loader, value, location, api=api, scope=scope)]
