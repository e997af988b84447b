"""The one loader engine: reads every loader catalog entry and analyzes the calls it names (CallLoader protocol).

discovery/project.py names a call's callee (``callee_name``), asks for the loader that handles it, and runs
``analyze``; the engine applies the rule's conditions (``only_when``, ``when``, ``dispatch``, ``default``,
``required``) and hands the id's value to the rule's mapping kind (kinds.py).
"""

from __future__ import annotations

import ast

from vlicense.discovery.loaders.base import MISSING, CallSite, Reference, Value, registry_owner
from vlicense.discovery.loaders.kinds import KINDS, Ctx, read_arg
from vlicense.knowledge.loader_catalog import CallRule, LibraryEntry, LoaderCatalog, Part, load_catalog


class CatalogLoader:
    """The calls of one catalog entry (one library), as a CallLoader."""

    def __init__(self, entry: LibraryEntry, catalog: LoaderCatalog) -> None:
        self.entry = entry
        self.catalog = catalog
        self.name = entry.library
        self.modules = entry.modules
        self.triggers = tuple(dict.fromkeys(t for rule in entry.calls for t in rule.triggers))

    def handles(self, qualname: str) -> bool:
        rule = self.catalog.rule_for(qualname)
        return rule is not None and rule.library == self.name

    def analyze(self, site: CallSite) -> list[Reference]:
        rule = self.catalog.rule_for(site.qualname)
        if rule is None:
            return []
        refs: list[Reference] = []
        for i, part in enumerate(rule.parts):
            refs += _analyze_part(self.catalog, rule, part, site, also=i > 0)
        return list(dict.fromkeys(refs))


MAX_BASE_DEPTH = 4


def _library_bases(evaluator, node: ast.AST, scope, line: int) -> list[str]:
    """Qualified library classes a project class derives from (directly or through project bases, any module)."""
    value = evaluator.evaluate(node, scope, line)
    return _bases_of(value, 0) if value.kind == "class" else []


def _bases_of(value: Value, depth: int) -> list[str]:
    owner, cls = value.value[0], value.value[1]
    out: list[str] = []
    for base in getattr(cls.node, "bases", ()):
        got = owner.evaluator.evaluate(base, cls.parent or cls, cls.node.lineno)
        if got.kind == "dotted" and not got.reason:
            out.append(str(got.value))
        elif got.kind == "class" and depth < MAX_BASE_DEPTH:
            out += _bases_of(got, depth + 1)
    return out


def _analyze_part(catalog: LoaderCatalog, rule: CallRule, part: Part, site: CallSite, *, also: bool) -> list[Reference]:
    mapping = part.mapping
    if mapping.map == "none":
        return []
    api = rule.api or site.qualname
    door = rule.part.mapping.loader
    if part.only_when is not None:
        check = part.only_when
        got = read_arg(site, check.arg, strict=False)
        if got.kind == "missing" and None not in check.values:
            return [site.unresolved(door, got, check.reason.format(value="missing"))]
        if got.kind != "missing" and not (got.kind == "const" and got.value in check.values):
            what = got.value if got.kind == "const" else "not a constant"
            return [site.unresolved(door, got, check.reason.format(value=what))]
    if part.when is not None:
        when = part.when
        # Absent-means-loads flags (load_weights=True by default) are read leniently: hidden in **kwargs still loads.
        flag = site.optional(when.arg.pos, when.arg.kw) if when.missing else site.arg(when.arg.pos, when.arg.kw)
        if flag.kind == "missing":
            if not when.missing:
                return []
        elif flag.kind == "const":
            if bool(flag.value) != when.truthy:
                return []
        else:
            return [site.unresolved(door, flag, f"{when.arg.kw or 'load'} flag: {flag.reason or 'not a constant'}")]
    if part.dispatch is not None:
        chooser = read_arg(site, part.dispatch.arg, strict=False)
        label = part.dispatch.arg.label
        if chooser.kind == "missing":
            mapping = part.dispatch.otherwise or mapping
        else:
            key = site.string(chooser)
            if key is None:
                return [site.unresolved(door, chooser, f"{label} {site.not_a_string(chooser)}")]
            chosen = part.dispatch.mapping_for(key)
            if chosen is None:
                return [site.unresolved(door, chooser, f"{label} {key!r}: not a value the loader catalog knows")]
            mapping = chosen
    value = read_arg(site, part.id, strict=not also) if part.id is not None else MISSING
    if value.kind == "missing" and part.default_by is not None and mapping.map != "hub":
        # (The hub kind leaves pipeline(task) defaults to identification, which reads the same table.)
        key = site.string(read_arg(site, part.default_by.arg, strict=False))
        found = part.default_by.get(key) if key is not None else None
        if found is not None:
            value = Value("const", found[0], text=repr(found[0]))
            api = f"{api}() (default for {part.default_by.arg.label}={key!r} in {catalog.defaults_source(rule)})"
    if value.kind == "missing":
        if part.default is not None:
            value = Value("const", part.default.value, text=repr(part.default.value))
            api = f"{api}() (default weights in {catalog.defaults_source(rule)})"
        elif part.required:
            return [site.unresolved(mapping.loader, value, "no model id given")]
    return KINDS[mapping.map](Ctx(site, rule, part, mapping, value, api, also))


def callee_name(evaluator, node: ast.Call, scope, line: int, catalog: LoaderCatalog | None = None) -> str | None:
    """The qualified name of a call's callee as the catalog spells it: ``pkg.mod.fn``; a registry subscript
    ``pkg.registry[]`` (``sam_model_registry["vit_h"](...)``, also ``mod.__dict__[k]`` and ``getattr(mod, k)``
    as ``mod[]``); a method of an object a library call returned
    ``pkg.Class().method`` (``app = FaceAnalysis(); app.prepare()``). None when it is not a library name."""
    func = node.func
    catalog = catalog or CATALOG
    qual = evaluator.qualname(func, scope, line)
    if isinstance(func, ast.Attribute) and func.attr in catalog.last_names and (qual is None or catalog.rule_for(qual) is None):
        # ``DepthAnything.from_pretrained(...)`` where the project class derives from a library class.
        for base in _library_bases(evaluator, func.value, scope, line):
            if catalog.rule_for(f"{base}.{func.attr}") is not None:
                return f"{base}.{func.attr}"
    if qual is not None:
        return qual
    key_owner = registry_owner(func)
    if key_owner is not None:
        # ``models.__dict__[arch](...)`` and ``getattr(models, arch)(...)`` look a name up in a module: the
        # module is the registry (``torchvision.models[]``), the name its key.
        base = evaluator.qualname(key_owner, scope, line)
        return f"{base}[]" if base else None
    if isinstance(func, ast.Attribute) and func.attr in catalog.method_names:
        owner = evaluator.evaluate(func.value, scope, line)
        if owner.kind == "call" and isinstance(owner.value, str):
            return f"{owner.value}().{func.attr}"
    return None


CATALOG = load_catalog()
LOADERS: tuple[CatalogLoader, ...] = tuple(CatalogLoader(entry, CATALOG) for entry in CATALOG.entries)
