"""The one loader engine: reads every loader catalog entry and analyzes the calls it names (CallLoader protocol).

discovery/project.py names a call's callee (``callee_name``), asks for the loader that handles it, and runs
``analyze``; the engine applies the rule's conditions (``only_when``, ``when``, ``dispatch``, ``default``,
``required``), maps a constant id through the catalog (match rules, closed sets, templates, delegation:
LoaderCatalog.choose) and hands it to the mapping kind (kinds.py).
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import re

from vlicense.discovery.loaders.base import MISSING, CallSite, Reference, Value, registry_owner
from vlicense.discovery.loaders.kinds import KINDS, Ctx, read_arg, run_time_call, weights_only_when
from vlicense.knowledge.loader_catalog import Arg, CallRule, Case, Dispatch, LibraryEntry, LoaderCatalog, Part, When, load_catalog


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

    def wrapper_allowed(self, qualname: str, function: str, refs: list[Reference]) -> bool:
        """Whether a project function passing a parameter to this call is a wrapper (its callers are followed)."""
        rule = self.catalog.rule_for(qualname)
        return rule is None or rule.wrappers == "any" or bool(refs) or bool(DOWNLOAD_HELPER.search(function.lower()))

    def analyze(self, site: CallSite) -> list[Reference]:
        rule = self.catalog.rule_for(site.qualname)
        if rule is None:
            return []
        refs: list[Reference] = []
        for i, part in enumerate(rule.parts):
            refs += _analyze_part(self.catalog, rule, part, site, also=i > 0)
        return list(dict.fromkeys(refs))


MAX_BASE_DEPTH = 4
# Names of project functions that download weights (``download_model``, ``fetch_checkpoint``, ``get_weights``).
DOWNLOAD_HELPER = re.compile(r"download|fetch|weight|checkpoint|ckpt|model")


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
    door = catalog.effective(rule.part.mapping).loader
    if part.only_when is not None:
        check = part.only_when
        got = read_arg(site, check.arg, strict=False)
        if got.kind == "missing" and None not in check.values:
            return [site.unresolved(door, got, check.reason.format(value="missing"))]
        if got.kind != "missing" and not (got.kind == "const" and got.value in check.values):
            what = got.value if got.kind == "const" else "not a constant"
            return [site.unresolved(door, got, check.reason.format(value=what))]
    condition = None  # the run-time call a load flag depends on (the api text says so)
    if part.when is not None:
        stop = _when_stops(site, part.when, part, door)
        if isinstance(stop, Value):
            condition = stop
        elif stop is not None:
            return stop
    id_arg, default = part.id, part.default
    if part.dispatch is not None:
        case = _case(catalog, part.dispatch, site, door)
        if isinstance(case, list):
            return case
        if case is not None and case.when is not None:
            stop = _when_stops(site, case.when, part, catalog.effective(mapping.overlay(case.mapping)).loader)
            if isinstance(stop, Value):
                condition = stop
            elif stop is not None:
                return stop
        if case is not None:
            mapping = mapping.overlay(case.mapping)
            id_arg = case.id if case.has_id else id_arg
            default = case.default or default
    value = _read(catalog, site, id_arg, strict=not also) if id_arg is not None else MISSING
    if value.kind == "missing" and part.default_by is not None and mapping.map != "hub":
        # (The hub kind leaves pipeline(task) defaults to identification, which reads the same table.)
        key = site.string(read_arg(site, part.default_by.arg, strict=False))
        found = part.default_by.get(key) if key is not None else None
        if found is not None:
            value = Value("const", found[0], text=repr(found[0]))
            api = f"{api}() (default for {part.default_by.arg.label}={key!r} in {catalog.defaults_source(rule)})"
    if value.kind == "missing":
        if default is not None:
            value = Value("const", default.value, text=repr(default.value))
            api = f"{api}() (default weights in {catalog.defaults_source(rule)})"
            mapping = mapping.overlay(default.mapping) if default.mapping is not None else mapping
        elif part.required:
            return [site.unresolved(catalog.effective(mapping).loader, value, "no model id given")]
    variables = {"callee": site.short}
    for name, arg in part.template_args:
        got = _read(catalog, site, arg, strict=False)
        if got.kind != "missing":
            text = site.string(got)
            if text is None:
                return [site.unresolved(door, got, f"{arg.label} {site.not_a_string(got)}")]
            variables[name] = text
    if condition is not None:
        api = weights_only_when(api, condition)
    items = _elements(value) if id_arg is not None and id_arg.multiple else [value]
    refs: list[Reference] = []
    for item in items:
        refs += _map_value(catalog, Ctx(site, rule, part, mapping, _constant(catalog, item), api, also), variables)
    return refs


def _when_stops(site: CallSite, when: When, part: Part, door: str) -> list[Reference] | Value | None:
    """None when the ``when`` condition lets the call load; [] when it loads nothing; the flag's value when a
    run-time call decides it (the call may load: it is reported, saying so); an unresolved entry when the flag is
    not known statically."""
    # Absent-means-loads flags (load_weights=True by default) are read leniently: hidden in **kwargs still loads.
    flag = site.optional(when.arg.pos, when.arg.kw) if when.missing else site.arg(when.arg.pos, when.arg.kw)
    if flag.kind == "missing":
        return None if when.missing else []
    if flag.kind == "const":
        # A replaceable default (``--checkpoint`` defaults to None) of the id itself loads nothing here but
        # a value given at run time does: the mapping kind lists it as unresolved.
        if not when.loads(flag.value) and not (flag.note and part.id is not None and _same_arg(when.arg, part.id)):
            return []
        return None
    if when.object and flag.kind == "call":
        # ``model=fasterrcnn_resnet50_fpn(...)``: an object the code built is truthy.
        return None if when.loads(True) else []
    if when.loads(True) and run_time_call(site, flag):
        # ``pretrained=is_main_process()`` (DETR and its many descendants): true on some run of the code, so the
        # weights are part of what it uses; listing them beats hiding their license behind an unresolved flag.
        return flag
    return [site.unresolved(door, flag, f"{when.arg.kw or 'load'} flag: {flag.reason or 'not a constant'}")]


def _case(catalog: LoaderCatalog, dispatch: Dispatch, site: CallSite, door: str) -> Case | None | list[Reference]:
    """The dispatch case the call's argument picks (its library default when absent), None for ``otherwise``
    absent, or the unresolved reference when the argument is not known or names no case."""
    chooser = _read(catalog, site, dispatch.arg, strict=False)
    label = dispatch.arg.label
    key = dispatch.default.value if chooser.kind == "missing" and dispatch.default else None
    if chooser.kind != "missing":
        key = site.string(chooser)
        if key is None:
            return [site.unresolved(door, chooser, f"{label} {site.not_a_string(chooser)}")]
    case = dispatch.case_for(key) if key is not None else dispatch.otherwise
    if case is None and key is not None:
        return [site.unresolved(door, chooser, f"{label} {key!r}: not a value the loader catalog knows")]
    if case is not None and case.mapping.unresolved:
        return [site.unresolved(door, chooser, case.mapping.unresolved.format(value=key))]
    return case


def _map_value(catalog: LoaderCatalog, ctx: Ctx, variables: dict[str, str]) -> list[Reference]:
    """A constant id goes through the mapping's match rules, closed set and template (LoaderCatalog.choose);
    any other value reaches the mapping kind as it is (which lists it as unresolved, or as nothing)."""
    value = ctx.value
    if value.kind != "const":
        ctx.mapping = catalog.effective(ctx.mapping)
        return KINDS[ctx.mapping.map or "file"](ctx)
    choice = catalog.choose(ctx.mapping, value.value, variables)
    if choice.reason is not None:
        return [ctx.site.unresolved(catalog.effective(ctx.mapping).loader, value, choice.reason)]
    if choice.mapping is None:
        return []
    ctx.mapping = choice.mapping
    if choice.name is not None:
        ctx.value = dataclasses.replace(value, value=choice.name)
    return KINDS[choice.mapping.map or "file"](ctx)


def _same_arg(a: Arg, b: Arg) -> bool:
    return (a.kw is not None and a.kw == b.kw) or (a.pos is not None and a.pos == b.pos)


def _read(catalog: LoaderCatalog, site: CallSite, arg: Arg, *, strict: bool) -> Value:
    return _constant(catalog, read_arg(site, arg, strict=strict))


def _constant(catalog: LoaderCatalog, value: Value) -> Value:
    """A library's class constant (``Models.YOLO_NAS_L``) as its value; a literal list of constants as a tuple."""
    if value.kind == "dotted" and not value.reason:
        found = catalog.constant(str(value.value))
        if found is not None:
            return Value("const", found, text=value.text, node=value.node)
    elif value.kind == "container" and value.value[0] == "seq":
        items = [_constant(catalog, v) for v in value.value[1]]
        if all(v.kind == "const" for v in items):
            return Value("const", tuple(v.value for v in items), text=value.text, node=value.node)
    return value


def _elements(value: Value) -> list[Value]:
    """The ids of a list-valued argument (``actions=("age", "gender")``, ``configs=[a, b]``); a single id alone."""
    if value.kind == "container" and value.value[0] == "seq":
        return list(value.value[1])
    if value.kind == "const" and isinstance(value.value, tuple):
        return [Value("const", v, text=repr(v), node=value.node) for v in value.value]
    return [value]


def callee_name(evaluator, node: ast.Call, scope, line: int, catalog: LoaderCatalog | None = None) -> str | None:
    """The qualified name of a call's callee as the catalog spells it: ``pkg.mod.fn``; a registry subscript
    ``pkg.registry[]`` (``sam_model_registry["vit_h"](...)``, also ``mod.__dict__[k]`` and ``getattr(mod, k)``
    as ``mod[]``); a method (or an attribute chain) of an object a library call returned
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
    func = _alias_of(func, scope) or func
    qual = evaluator.qualname(func, scope, line) if func is not node.func else None
    if qual is not None:
        return qual
    key_owner = registry_owner(func)
    if key_owner is not None:
        # ``models.__dict__[arch](...)`` and ``getattr(models, arch)(...)`` look a name up in a module: the
        # module is the registry (``torchvision.models[]``), the name its key.
        base = evaluator.qualname(key_owner, scope, line)
        if base:
            return f"{base}[]"
        # A project table of library callables read with a known key: ``BACKBONES["swag"]`` -> its dotted value.
        picked = evaluator.evaluate(func, scope, line) if isinstance(func, ast.Subscript) else None
        return picked.value if picked is not None and picked.kind == "dotted" and isinstance(picked.value, str) else None
    if isinstance(func, ast.Attribute) and func.attr in catalog.method_names:
        # ``app.prepare(...)``, and attribute chains of a returned object: ``cfg.MODEL.WEIGHTS = x`` reaches here
        # as a call with the value as its argument (python_ast.walk_module) -> ``pkg.get_cfg().MODEL.WEIGHTS``.
        chain, base = [func.attr], func.value
        for _ in range(catalog.method_chain(func.attr)):
            owner = evaluator.evaluate(base, scope, line)
            if owner.kind == "call" and isinstance(owner.value, str):
                return f"{owner.value}()." + ".".join(chain)
            if not isinstance(base, ast.Attribute):
                break
            chain.insert(0, base.attr)
            base = base.value
    return None


def _alias_of(func: ast.expr, scope) -> ast.expr | None:
    """The expression a local name stands for when it is bound exactly once to a registry entry or a dotted
    callable: ``build = sam_model_registry[kind]`` then ``build(checkpoint=...)``."""
    only = _only_binding(func, scope, "value")
    return only.node if only is not None and isinstance(only.node, (ast.Subscript, ast.Attribute)) else None


PARTIALS = frozenset({"functools.partial"})


def _only_binding(name: ast.expr, scope, kind: str):
    """The binding of a local name bound exactly once (of ``kind``) in the nearest scope binding it; else None."""
    if not isinstance(name, ast.Name):
        return None
    for s in scope.chain():
        if name.id in s.params:
            return None
        bindings = s.bindings.get(name.id)
        if bindings:
            return bindings[0] if len(bindings) == 1 and bindings[0].kind == kind else None
    return None


def through_partial(evaluator, node: ast.Call, scope) -> ast.Call:
    """``make = functools.partial(timm.create_model, pretrained=True)`` then ``make("resnet50")``: the call as the
    wrapped callable receives it (the partial's arguments first; a keyword of the call wins over the partial's).
    Any other call is returned as it is. Only a name bound exactly once is followed (no guess between bindings)."""
    only = _only_binding(node.func, scope, "value")
    bound = only.node if only is not None else None
    if not (isinstance(bound, ast.Call) and bound.args and not isinstance(bound.args[0], ast.Starred)):
        return node
    if evaluator.qualname(bound.func, only.scope or scope, only.line) not in PARTIALS:
        return node
    given = {k.arg for k in node.keywords if k.arg}
    keywords = [k for k in bound.keywords if k.arg not in given] + list(node.keywords)
    return ast.copy_location(ast.Call(func=bound.args[0], args=[*bound.args[1:], *node.args], keywords=keywords), node)


MAX_KEYED_ROWS = 16


def keyed_calls(evaluator, node: ast.Call, scope) -> list[ast.Call]:
    """``BACKBONES[key](weights=WEIGHTS[key])`` (or ``ctor = BACKBONES[key]; ctor(...)``) with a run-time ``key``
    over a project dict literal: the call once per key of the table, every ``X[key]`` in it read with that key (the
    callee and its weights stay paired); also ``ctor, w = TABLE[key]; ctor(weights=w)``, each unpacked name read as
    its item of the entry. Empty when the callee is no such table lookup."""
    func = _alias_of(node.func, scope) or node.func
    unpacked = _only_binding(node.func, scope, "assign")
    if unpacked is not None and unpacked.unpack is not None and unpacked.path:
        func = unpacked.unpack
    if not (isinstance(func, ast.Subscript) and isinstance(func.slice, ast.Name)):
        return []
    key = evaluator.evaluate(func.slice, scope, node.lineno)
    if key.kind == "const" and not key.replaceable:
        return []  # one known key: callee_name reads the entry itself
    table = evaluator.evaluate(func.value, scope, node.lineno)
    if table.kind != "container" or table.value[0] != "dict" or not 0 < len(table.value[1]) <= MAX_KEYED_ROWS:
        return []
    keys = [k.value for k, _ in table.value[1]]
    if not all(k.kind == "const" for k, _ in table.value[1]) or not all(isinstance(k, (str, int)) for k in keys):
        return []
    name = func.slice.id

    class _Pin(ast.NodeTransformer):
        def __init__(self, value):
            self.value = value

        def visit_Subscript(self, sub: ast.Subscript) -> ast.AST:
            self.generic_visit(sub)
            if isinstance(sub.slice, ast.Name) and sub.slice.id == name:
                return ast.copy_location(ast.Subscript(value=sub.value, slice=ast.Constant(self.value), ctx=sub.ctx), sub)
            return sub

        def visit_Name(self, n: ast.Name) -> ast.AST:
            # A name unpacked from this same lookup: its item of the pinned entry (``TABLE["swag"][1]``).
            b = _only_binding(n, scope, "assign") if isinstance(n.ctx, ast.Load) else None
            if b is None or b.unpack is not func or not b.path:
                return n
            item: ast.expr = ast.Subscript(value=func.value, slice=ast.Constant(self.value), ctx=ast.Load())
            for i in b.path:
                item = ast.Subscript(value=item, slice=ast.Constant(i), ctx=ast.Load())
            return ast.copy_location(item, n)

    calls = []
    for k in keys:
        pin = _Pin(k)
        call = pin.visit(copy.deepcopy(node))
        if func is not node.func and unpacked is None:
            call.func = pin.visit(copy.deepcopy(func))
        calls.append(ast.fix_missing_locations(call))
    return calls


CATALOG = load_catalog()
LOADERS: tuple[CatalogLoader, ...] = tuple(CatalogLoader(entry, CATALOG) for entry in CATALOG.entries)
