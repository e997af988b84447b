"""Name bindings per scope and static evaluation of expressions (constants, containers, classes, defaults).

Value tracking rule (what a loader argument becomes), documented once here and tested in tests/discovery:

* A value whose every possibility is known statically -- a literal, a constant chain, a dict/list/tuple literal
  indexed by a run-time key (``BACKBONES[kind]``), a name assigned several constants, ``a if c else b``, an
  argparse option with ``choices=``, ``self.WEIGHTS`` with every class (base and subclasses in the project) that
  sets it -- is a ``choice``: the loader reports one ModelReference per candidate, each naming the other
  candidates in its ``api`` text.
* A value that is only a default the outside world may replace -- ``os.getenv(k, default)``,
  ``os.environ.get(k, default)``, an argparse/click/typer option default, a function parameter's default when
  no call site in the project passes it -- is that constant, with a ``note``: the ModelReference is reported
  (it is what the code loads as shipped) and its ``api`` says it is a default.
* A value some of whose possibilities are unknown is ``unresolved``; ``candidates`` lists the known ones.
"""

from __future__ import annotations

import ast
import builtins
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from vlicense.discovery.loaders.base import Value

if TYPE_CHECKING:  # pragma: no cover
    from vlicense.discovery.project import ModuleAnalysis

BindingKind = Literal["import", "relimport", "def", "value", "assign"]

# Calls whose result is a constant when their arguments are (paths built from literals).
PATH_CALLS = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"})
JOIN_CALLS = frozenset({"os.path.join", "posixpath.join"})
ENV_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
TYPER_CALLS = frozenset({"typer.Option", "typer.Argument"})
CLICK_DECORATORS = frozenset({"click.option", "click.argument"})
PARSE_ARGS = frozenset({"parse_args", "parse_known_args", "parse_intermixed_args"})
MAX_DEPTH = 20
MAX_CANDIDATES = 32
MAX_CONTAINER = 500
BUILTIN_NAMES = frozenset(vars(builtins))
PARAM_REASON = "argument is a function parameter"


@dataclass
class Binding:
    """One binding of a name: where, how, and (for imports) the qualified name or (for values) the expression.

    ``inner`` is the body scope of a ``def``/``class`` binding; relative imports carry a root-relative dotted
    ``qualname`` (``src.pkg.settings.WEIGHTS``) so the project index can follow them.
    """

    line: int
    kind: BindingKind
    qualname: str | None = None
    node: ast.expr | None = None
    scope: Scope | None = None  # the scope the value expression is evaluated in
    inner: Scope | None = None


@dataclass(eq=False)
class Scope:
    """A module, function (incl. lambda/comprehension) or class body."""

    kind: Literal["module", "function", "class"]
    parent: Scope | None = None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    params: dict[str, ast.expr | None] = field(default_factory=dict)  # parameter -> default expression
    globals_: set[str] = field(default_factory=set)
    name: str = ""
    node: ast.AST | None = None  # the FunctionDef/Lambda/ClassDef
    self_name: str | None = None  # methods: the first parameter (self/cls)
    # Functions decorated with click.option/argument: parameter -> (default, choices) expressions.
    cli_defaults: dict[str, tuple[ast.expr | None, ast.expr | None]] = field(default_factory=dict)
    # Classes: ``self.X = value`` inside its methods -> [(value, method scope, line)].
    self_attrs: dict[str, list[tuple[ast.expr, Scope, int]]] = field(default_factory=dict)

    def bind(self, name: str, binding: Binding) -> None:
        target = self
        if name in self.globals_:
            while target.parent is not None:
                target = target.parent
        binding.scope = binding.scope or self
        target.bindings.setdefault(name, []).append(binding)

    def chain(self):
        """Scopes searched for a name used here: this one, then enclosing functions and the module (not classes)."""
        yield self
        scope = self.parent
        while scope is not None:
            if scope.kind != "class":
                yield scope
            scope = scope.parent

    def within(self, other: Scope) -> bool:
        scope: Scope | None = self
        while scope is not None:
            if scope is other:
                return True
            scope = scope.parent
        return False


class Frame:
    """The arguments of one call to a project function, used to evaluate its parameters (wrapper tracking)."""

    def __init__(self, call: ast.Call, caller: Evaluator, caller_scope: Scope, callee: Evaluator, func_scope: Scope,
                 skip_self: bool) -> None:
        self.call = call
        self.caller = caller
        self.caller_scope = caller_scope
        self.caller_frames = dict(caller.frames)
        self.callee = callee
        self.func_scope = func_scope
        self.skip_self = skip_self
        self.used = False

    def value(self, name: str, depth: int) -> Value | None:
        self.used = True
        func = self.func_scope.node
        args = getattr(func, "args", None)
        if args is None:
            return None
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        if self.skip_self and positional:
            positional = positional[1:]
        if name in ((args.vararg.arg if args.vararg else None), (args.kwarg.arg if args.kwarg else None)):
            return Value("unresolved", text=name, reason="argument collected by *args/**kwargs")
        node: ast.expr | None = None
        for kw in self.call.keywords:
            if kw.arg == name:
                node = kw.value
        if node is None and name in positional:
            index = positional.index(name)
            for i, a in enumerate(self.call.args):
                if isinstance(a, ast.Starred):
                    return Value("unresolved", text=name, reason="the argument may be passed through *args/**kwargs")
                if i == index:
                    node = a
                    break
        if node is None:
            if any(k.arg is None for k in self.call.keywords):
                return Value("unresolved", text=name, reason="the argument may be passed through *args/**kwargs")
            default = self.func_scope.params.get(name)
            if default is None:
                return Value("unresolved", text=name, reason=f"parameter '{name}' has no default and is not passed")
            return self.callee.evaluate(default, self.func_scope.parent or self.func_scope, default.lineno, depth + 1)
        saved = self.caller.frames
        self.caller.frames = self.caller_frames
        try:
            return self.caller.evaluate(node, self.caller_scope, node.lineno, depth + 1)
        finally:
            self.caller.frames = saved


class Evaluator:
    """Resolves callee names to qualified library names and argument expressions to Values."""

    def __init__(self, star_modules: list[str], segment: Callable[[ast.AST], str], owner: ModuleAnalysis | None = None) -> None:
        self.star_modules = star_modules
        self.segment = segment
        self.owner = owner
        self.frames: dict[Scope, Frame] = {}
        # Function scopes whose parameters were read without a frame (the call is a wrapper's body).
        self.consulted: set[Scope] = set()

    # ------------------------------------------------------------------ callees

    def qualname(self, node: ast.AST, scope: Scope, line: int) -> str | None:
        """``tvm.resnet50`` -> ``torchvision.models.resnet50`` when tvm is imported; None when not a library name."""
        if isinstance(node, ast.Name):
            return self._name_qualname(node.id, scope, line, 0)
        if isinstance(node, ast.Attribute):
            base = self.qualname(node.value, scope, line)
            return f"{base}.{node.attr}" if base else None
        return None

    def _name_qualname(self, name: str, scope: Scope, line: int, depth: int) -> str | None:
        for s in scope.chain():
            if name in s.params:
                return None
            bindings = s.bindings.get(name)
            if not bindings:
                continue
            # Imports and local defs/classes decide; plain assignments (``YOLO = None`` fallbacks) do not shadow.
            decisive = [b for b in bindings if b.kind in ("import", "relimport", "def")]
            if decisive:
                chosen = _pick(decisive, line, sequential=s is scope)
                return chosen.qualname if chosen.kind == "import" else None
            # An alias assignment: ``Detector = ultralytics.YOLO``.
            values = [b for b in bindings if b.kind == "value"]
            if len(values) == len(bindings) and depth < MAX_DEPTH:
                names = {self._alias(b, depth) for b in values}
                if len(names) == 1:
                    return names.pop()
            return None
        return self._star(name)

    def _alias(self, binding: Binding, depth: int) -> str | None:
        node = binding.node
        if isinstance(node, ast.Name):
            return self._name_qualname(node.id, binding.scope, binding.line, depth + 1)
        if isinstance(node, ast.Attribute):
            base = self._alias(Binding(binding.line, "value", node=node.value, scope=binding.scope), depth + 1)
            return f"{base}.{node.attr}" if base else None
        return None

    def _star(self, name: str) -> str | None:
        if name in BUILTIN_NAMES:
            return None
        # ``from torchvision.models import *``: an otherwise unbound name may come from the library.
        return f"{self.star_modules[0]}.{name}" if len(self.star_modules) == 1 else None

    def callee_binding(self, node: ast.AST, scope: Scope, line: int) -> tuple[str, object] | None:
        """What a call's callee names in the project: ("local", Binding) for a def/class of this module,
        ("qual", dotted) for a name imported (absolutely or relatively) from somewhere."""
        if isinstance(node, ast.Name):
            for s in scope.chain():
                if node.id in s.params:
                    return None
                bindings = s.bindings.get(node.id)
                if not bindings:
                    continue
                decisive = [b for b in bindings if b.kind in ("import", "relimport", "def")]
                if not decisive:
                    return None
                chosen = _pick(decisive, line, sequential=s is scope)
                if chosen.kind == "def":
                    return ("local", chosen)
                kind = "rel" if chosen.kind == "relimport" else "qual"
                return (kind, chosen.qualname) if chosen.qualname else None
            return None
        if isinstance(node, ast.Attribute):
            base = self.callee_binding(node.value, scope, line)
            if base and base[0] in ("qual", "rel"):
                return (base[0], f"{base[1]}.{node.attr}")
            if base and base[0] == "local" and base[1].inner is not None and base[1].inner.kind == "class":
                return ("attr", (base[1], node.attr))  # Class.staticfactory(...): not followed
        return None

    # ------------------------------------------------------------------ values

    def evaluate(self, node: ast.AST, scope: Scope, line: int, depth: int = 0) -> Value:
        text = self.segment(node)
        if depth > MAX_DEPTH:
            return Value("unresolved", text=text, reason="not a constant (too many indirections)", node=node)
        kind = type(node)
        if kind is ast.Constant:
            return Value("const", node.value, text=text, node=node)
        if kind is ast.Name:
            return self._name_value(node, scope, line, depth, text)
        if kind is ast.Attribute:
            return self._attribute_value(node, scope, line, depth, text)
        if kind is ast.JoinedStr:
            return self._fstring(node, scope, line, depth, text)
        if kind is ast.BinOp:
            return self._binop(node, scope, line, depth, text)
        if kind is ast.Call:
            return self._call_value(node, scope, line, depth, text)
        if kind is ast.Subscript:
            return self._subscript(node, scope, line, depth, text)
        if kind is ast.IfExp:
            return _union([self.evaluate(node.body, scope, line, depth + 1), self.evaluate(node.orelse, scope, line, depth + 1)], text, node)
        if kind in (ast.List, ast.Tuple, ast.Set) and len(node.elts) <= MAX_CONTAINER:
            items = tuple(self.evaluate(e, scope, line, depth + 1) for e in node.elts if not isinstance(e, ast.Starred))
            return Value("container", ("seq", items), text=text, node=node)
        if kind is ast.Dict and len(node.keys) <= MAX_CONTAINER and all(k is not None for k in node.keys):
            pairs = tuple((self.evaluate(k, scope, line, depth + 1), self.evaluate(v, scope, line, depth + 1)) for k, v in zip(node.keys, node.values))
            return Value("container", ("dict", pairs), text=text, node=node)
        return Value("unresolved", text=text, reason="not a constant", node=node)

    def _lookup(self, qualname: str, depth: int, *, rooted: bool = False) -> Value | None:
        owner = self.owner
        if owner is None or owner.index is None:
            return None
        return owner.index.lookup(qualname, owner.rel, depth + 1, rooted=rooted)

    def _name_value(self, node: ast.Name, scope: Scope, line: int, depth: int, text: str) -> Value:
        name = node.id
        for s in scope.chain():
            if name in s.params:
                return self._param(s, name, node, depth, text)
            bindings = s.bindings.get(name)
            if not bindings:
                continue
            kinds = {b.kind for b in bindings}
            if kinds == {"import"} or kinds == {"relimport"}:
                quals = {b.qualname for b in bindings}
                if len(quals) == 1 and None not in quals:
                    qual = quals.pop()
                    found = self._lookup(qual, depth, rooted=kinds == {"relimport"})
                    if found is not None:
                        return _derive(found, text, node)
                    if kinds == {"import"}:
                        return Value("dotted", qual, text=text, node=node)
                    return Value("unresolved", text=text, reason=f"not a constant ('{name}' is imported from a module not found in the project)", node=node)
            if "import" in kinds or "relimport" in kinds:
                return Value("unresolved", text=text, reason=f"not a constant ('{name}' is imported from another module; not followed)", node=node)
            if "def" in kinds:
                defs = [b for b in bindings if b.kind == "def"]
                if len(defs) == 1 and defs[0].inner is not None and defs[0].inner.kind == "class" and self.owner is not None:
                    return Value("class", (self.owner, defs[0].inner, False), text=text, node=node)
                return Value("unresolved", text=text, reason=f"not a constant ('{name}' is a function or class)", node=node)
            if "assign" in kinds:
                return Value("unresolved", text=text, reason=f"not a constant ('{name}' is computed at run time)", node=node)
            values = [self.evaluate(b.node, b.scope or s, b.line, depth + 1) for b in bindings if b.node is not None]
            if len(values) == 1:
                v = values[0]
                if v.kind == "call":
                    # ``m = hf_hub_download(...)``: keep the call so a loader can see where the value came from.
                    return Value("call", v.value, text=text, reason=f"not a constant ('{name}' is computed at run time)", node=v.node)
                if v.kind == "unresolved" and not (v.reason in (PARAM_REASON, "attribute of a function parameter") or v.candidates):
                    return Value("unresolved", text=text, reason=f"not a constant ('{name}' is computed at run time)", node=node)
                return _derive(v, text, node)
            if values and all(v.kind == "call" and v.value and v.value == values[0].value for v in values):
                # ``cfg = get_cfg()`` in two places: still the result of that call (``cfg.MODEL.WEIGHTS = ...``).
                return Value("call", values[0].value, text=text, reason=f"not a constant ('{name}' is computed at run time)", node=node)
            return _union(values, text, node, several=name)
        qual = self._star(name)
        if qual is not None:
            return Value("dotted", qual, text=text, node=node)
        if name in ("True", "False", "None"):
            return Value("const", {"True": True, "False": False, "None": None}[name], text=text, node=node)
        # Unbound (or a builtin): keep the spelling, e.g. an enum from an import this pass could not see.
        return Value("dotted", name, text=text, reason=f"not a constant ('{name}' is not defined in this file)", node=node)

    def _param(self, s: Scope, name: str, node: ast.AST, depth: int, text: str) -> Value:
        frame = self.frames.get(s)
        if frame is not None:
            v = frame.value(name, depth)
            if v is not None:
                return v  # described as the caller wrote it (``load(compute())`` -> ``compute()``)
        if s.self_name == name and s.parent is not None and s.parent.kind == "class" and self.owner is not None:
            return Value("class", (self.owner, s.parent, True), text=text, node=node)
        self.consulted.add(s)
        if name in s.cli_defaults:
            default, choices = s.cli_defaults[name]
            return self._option(f"click option '{name}'", default, choices, s.parent or s, depth, text, node)
        default = s.params[name]
        if default is not None:
            d = self.evaluate(default, s.parent or s, default.lineno, depth + 1)
            if d.kind == "const" and d.value is not None:
                return Value("const", d.value, text=text, node=node, note=d.note or f"default of parameter '{name}'")
            if d.kind == "choice":
                return _derive(d, text, node)
            if d.kind == "const" or d.kind == "missing":
                return Value("unresolved", text=text, reason=PARAM_REASON, node=node)
            cands = tuple(str(c) for c in _alternatives(d) or ()) or d.candidates
            return Value("unresolved", text=text, reason=PARAM_REASON, candidates=cands, node=node)
        return Value("unresolved", text=text, reason=PARAM_REASON, node=node)

    def _option(self, what: str, default: ast.expr | None, choices: ast.expr | None, scope: Scope, depth: int, text: str, node) -> Value:
        """A command-line option: its ``choices`` are the complete set; a default alone is a replaceable default."""
        if choices is not None:
            c = self.evaluate(choices, scope, choices.lineno, depth + 1)
            if c.kind == "container" and c.value[0] == "seq":
                return _union(list(c.value[1]), text, node)
        if default is None:
            return Value("unresolved", text=text, reason=f"{what} has no default", node=node)
        d = self.evaluate(default, scope, default.lineno, depth + 1)
        if d.kind == "const" and d.value is not None:
            return Value("const", d.value, text=text, node=node, note=f"default of {what}")
        if d.kind == "const":
            return Value("unresolved", text=text, reason=f"{what} has no default", node=node)
        return _derive(d, text, node)

    def _attribute_value(self, node: ast.Attribute, scope: Scope, line: int, depth: int, text: str) -> Value:
        base = self.evaluate(node.value, scope, line, depth + 1)
        attr = node.attr
        if base.kind == "dotted":
            qual = f"{base.value}.{attr}"
            found = self._lookup(qual, depth) if not base.reason else None
            if found is not None:
                return _derive(found, text, node)
            return Value("dotted", qual, text=text, reason=base.reason, node=node)
        if base.kind == "class":
            return _derive(self.class_attr(base.value, attr, depth + 1), text, node)
        if isinstance(node.value, ast.Name) and self.owner is not None and attr in self.owner.argparse:
            is_args = base.reason in (PARAM_REASON, "attribute of a function parameter") or (
                base.kind == "call" and isinstance(base.node, ast.Call) and isinstance(base.node.func, ast.Attribute)
                and base.node.func.attr in PARSE_ARGS)
            if is_args or base.kind == "unresolved":
                options = self.owner.argparse[attr]
                values = [self._option(f"command-line option {flag}", d, c, sc, depth, text, node) for flag, d, c, sc in options]
                return values[0] if len(values) == 1 else _union(values, text, node)
        if base.kind == "unresolved" and base.reason == PARAM_REASON:
            return Value("unresolved", text=text, reason="attribute of a function parameter", node=node)
        return Value("unresolved", text=text, reason="not a constant (attribute of a run-time object)", node=node)

    def class_attr(self, ref: tuple, attr: str, depth: int) -> Value:
        """``Cls.attr`` (the class and its bases) or ``self.attr`` (also every subclass in the project and
        ``self.attr = ...`` in methods): one candidate per class that sets it."""
        owner, cls, instance = ref
        values: list[Value] = []
        own = _class_lookup(owner, cls, attr, depth)
        if own is not None:
            values.append(own)
        if instance:
            for sub_owner, sub in owner.index.subclasses(owner, cls) if owner.index is not None else ():
                v = _own_attr(sub_owner, sub, attr, depth)
                if v is not None:
                    values.append(v)
            for klass_owner, klass in [(owner, cls), *_bases(owner, cls, depth)]:
                for value, method, line in klass.self_attrs.get(attr, ()):
                    values.append(klass_owner.evaluator.evaluate(value, method, line, depth + 1))
        if not values:
            name = getattr(cls.node, "name", "?")
            return Value("unresolved", text=attr, reason=f"not a constant ('{attr}' is not set in class {name})")
        return values[0] if len(values) == 1 else _union(values, attr, None)

    def _fstring(self, node: ast.JoinedStr, scope: Scope, line: int, depth: int, text: str) -> Value:
        parts: list[Value] = []
        specs: list[tuple[int | None, str]] = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(Value("const", str(part.value)))
                specs.append((None, ""))
                continue
            if not isinstance(part, ast.FormattedValue):
                return Value("unresolved", text=text, reason="f-string with a non-constant part", node=node)
            v = self.evaluate(part.value, scope, line, depth + 1)
            spec = ""
            if part.format_spec is not None:
                s = self.evaluate(part.format_spec, scope, line, depth + 1)
                if s.kind != "const":
                    return Value("unresolved", text=text, reason="f-string with a non-constant part", node=node)
                spec = str(s.value)
            parts.append(v)
            specs.append((part.conversion, spec))

        def fmt(values: tuple) -> str:
            out = []
            for value, (conversion, spec) in zip(values, specs):
                if conversion == ord("r"):
                    value = repr(value)
                elif conversion == ord("a"):
                    value = ascii(value)
                elif conversion == ord("s"):
                    value = str(value)
                out.append(format(value, spec))
            return "".join(out)

        return _combine(parts, fmt, text, node, "f-string with a non-constant part", "f-string that cannot be formatted statically")

    def _binop(self, node: ast.BinOp, scope: Scope, line: int, depth: int, text: str) -> Value:
        left = self.evaluate(node.left, scope, line, depth + 1)
        right = self.evaluate(node.right, scope, line, depth + 1)
        op = type(node.op)

        def apply(values: tuple) -> object:
            a, b = values
            if op is ast.Add and type(a) is type(b) and isinstance(a, (str, int)):
                return a + b
            # Path("weights") / "best.pt": both sides constant means one of them was a Path.
            if op is ast.Div and isinstance(a, str) and isinstance(b, str):
                return _join(a, b)
            if op is ast.Mod and isinstance(a, str) and len(a) < 1000:
                return a % b
            raise TypeError("unsupported")

        return _combine([left, right], apply, text, node, "not a constant (computed at run time)", "not a constant (computed at run time)")

    def _call_value(self, node: ast.Call, scope: Scope, line: int, depth: int, text: str) -> Value:
        callee = self.qualname(node.func, scope, line)
        if callee in ENV_CALLS:
            return self._env(node, scope, line, depth, text)
        if callee in TYPER_CALLS:
            default = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "default"), None)
            if default is None or (isinstance(default, ast.Constant) and default.value is Ellipsis):
                return Value("unresolved", text=text, reason="typer option without a default", node=node)
            d = self.evaluate(default, scope, line, depth + 1)
            return Value(d.kind, d.value, text=text, node=node, candidates=d.candidates, reason=d.reason,
                         note="default of a typer option" if d.kind == "const" else d.note)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args and not node.keywords:
            container = self.evaluate(node.func.value, scope, line, depth + 1)
            if container.kind == "container" and container.value[0] == "dict":
                default = self.evaluate(node.args[1], scope, line, depth + 1) if len(node.args) > 1 else Value("const", None)
                return self._index(container, self.evaluate(node.args[0], scope, line, depth + 1), text, node, default)
        builtin_str = isinstance(node.func, ast.Name) and node.func.id == "str" and callee is None and not _bound(node.func.id, scope)
        if (callee in PATH_CALLS or callee in JOIN_CALLS or builtin_str) and node.args and not node.keywords:
            parts = [self.evaluate(a, scope, line, depth + 1) for a in node.args]
            if builtin_str and len(parts) == 1:
                return _combine(parts, lambda v: v[0] if isinstance(v[0], str) else str(v[0]), text, node, "", "")
            if not builtin_str:
                def join(values: tuple) -> str:
                    if not all(isinstance(v, str) for v in values):
                        raise TypeError("not a path")
                    joined = values[0]
                    for v in values[1:]:
                        joined = _join(joined, v)
                    return joined

                v = _combine(parts, join, text, node, "", "")
                if v.kind in ("const", "choice"):
                    return v
        return Value("call", callee, text=text, node=node)

    def _env(self, node: ast.Call, scope: Scope, line: int, depth: int, text: str) -> Value:
        key_node = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "key"), None)
        key = self.evaluate(key_node, scope, line, depth + 1) if key_node is not None else Value("missing")
        what = f"environment variable {key.value}" if key.kind == "const" else "an environment variable"
        default_node = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg in ("default", "value")), None)
        if default_node is None:
            return Value("unresolved", text=text, reason=f"read from {what} at run time (no default)", node=node)
        d = self.evaluate(default_node, scope, line, depth + 1)
        if d.kind == "const" and d.value is not None:
            return Value("const", d.value, text=text, node=node, note=f"default of {what}")
        if d.kind == "choice":
            return _derive(d, text, node)
        return Value("unresolved", text=text, reason=f"read from {what} at run time (default {d.reason or 'not a constant'})", node=node)

    def _subscript(self, node: ast.Subscript, scope: Scope, line: int, depth: int, text: str) -> Value:
        base = self.evaluate(node.value, scope, line, depth + 1)
        if base.kind == "dotted" and base.value == "os.environ":
            key = self.evaluate(node.slice, scope, line, depth + 1)
            what = f"environment variable {key.value}" if key.kind == "const" else "an environment variable"
            return Value("unresolved", text=text, reason=f"read from {what} at run time (no default)", node=node)
        if base.kind != "container":
            return Value("unresolved", text=text, reason="not a constant (item of a run-time object)", node=node)
        if isinstance(node.slice, ast.Slice):
            return Value("unresolved", text=text, reason="not a constant (slice)", node=node)
        return self._index(base, self.evaluate(node.slice, scope, line, depth + 1), text, node, None)

    def _index(self, container: Value, key: Value, text: str, node, default: Value | None) -> Value:
        shape, items = container.value
        if key.kind == "const":
            if shape == "dict":
                for k, v in items:
                    if k.kind == "const" and k.value == key.value:
                        return _derive(v, text, node)
                if default is not None:
                    return _derive(default, text, node)
                return Value("unresolved", text=text, reason=f"key {key.value!r} is not in the literal", node=node)
            if isinstance(key.value, int) and not isinstance(key.value, bool) and -len(items) <= key.value < len(items):
                return _derive(items[key.value], text, node)
            return Value("unresolved", text=text, reason="index outside the literal", node=node)
        # A run-time key: every value of the literal is possible (plus the .get default).
        values = [v for _, v in items] if shape == "dict" else list(items)
        if default is not None and not (default.kind == "const" and default.value is None):
            values.append(default)
        if not values:
            return Value("unresolved", text=text, reason="item of an empty literal", node=node)
        return _union(values, text, node)


# ---------------------------------------------------------------------------------------------- helpers


def _derive(v: Value, text: str, node) -> Value:
    """The same value, described by the expression that led to it."""
    return Value(v.kind, v.value, text=text, reason=v.reason, candidates=v.candidates, node=v.node if v.kind == "call" else node, note=v.note)


def _alternatives(v: Value) -> list[object] | None:
    if v.kind == "const":
        return [v.value]
    if v.kind == "choice":
        return list(v.value)
    return None


def _choice(values: list[object], text: str, node, note: str = "") -> Value:
    distinct: list[object] = []
    for value in values:
        if value not in distinct:
            distinct.append(value)
    distinct.sort(key=lambda x: (type(x).__name__, str(x)))
    if len(distinct) == 1:
        return Value("const", distinct[0], text=text, node=node, note=note)
    return Value("choice", tuple(distinct), text=text, node=node)


def _union(values: list[Value], text: str, node, several: str | None = None) -> Value:
    """Several possible values: a choice when each is known, else unresolved listing the known ones."""
    known: list[object] = []
    unknown: list[Value] = []
    notes = [v.note for v in values if v.note]
    for v in values:
        alts = _alternatives(v)
        if alts is None:
            unknown.append(v)
        else:
            known += alts
    if not unknown:
        if len(known) > MAX_CANDIDATES:
            return Value("unresolved", text=text, reason=f"more than {MAX_CANDIDATES} candidates", candidates=tuple(sorted({str(k) for k in known})[:MAX_CANDIDATES]), node=node)
        return _choice(known, text, node, notes[0] if notes and len(values) == 1 else "")
    cands = tuple(sorted({str(k) for k in known if k is not None} | {c for v in unknown for c in v.candidates}))
    if several and all(v.kind == "dotted" for v in unknown) and not known:
        distinct = {str(v.value) for v in unknown}
        if len(distinct) == 1:
            return _derive(unknown[0], text, node)
        return Value("unresolved", text=text, reason=f"'{several}' is assigned more than one value", candidates=tuple(sorted(distinct)), node=node)
    inner = unknown[0]
    reason = inner.reason if inner.kind == "unresolved" else (inner.reason or "not a constant (computed at run time)")
    if several:
        reason = f"not a constant ('{several}' is computed at run time)" if not cands else f"'{several}' has values not known statically"
    return Value("unresolved", text=text, reason=reason, candidates=cands, node=node)


def _combine(parts: list[Value], fn: Callable[[tuple], object], text: str, node, bad: str, fails: str) -> Value:
    """Apply ``fn`` to every combination of the parts' possible values (constants or choices)."""
    alternatives = []
    for p in parts:
        alts = _alternatives(p)
        if alts is None:
            reason = bad or p.reason or "not a constant"
            if p.kind == "call" and not bad:
                return Value("call", p.value, text=text, node=node)
            return Value("unresolved", text=text, reason=reason, candidates=p.candidates, node=node)
        alternatives.append(alts)
    total = 1
    for alts in alternatives:
        total *= len(alts)
    if total > MAX_CANDIDATES:
        return Value("unresolved", text=text, reason=f"more than {MAX_CANDIDATES} candidates", node=node)
    results = []
    for combo in itertools.product(*alternatives):
        try:
            results.append(fn(combo))
        except (TypeError, ValueError, KeyError, OverflowError):
            return Value("unresolved", text=text, reason=fails or "not a constant", node=node)
    note = next((p.note for p in parts if p.note), "")
    return _choice(results, text, node, note)


def _class_lookup(owner, cls: Scope, attr: str, depth: int) -> Value | None:
    """``attr`` as the class (or, following its bases in the project, an ancestor) defines it."""
    v = _own_attr(owner, cls, attr, depth)
    if v is not None:
        return v
    for base_owner, base in _bases(owner, cls, depth):
        v = _own_attr(base_owner, base, attr, depth)
        if v is not None:
            return v
    return None


def _own_attr(owner, cls: Scope, attr: str, depth: int) -> Value | None:
    bindings = cls.bindings.get(attr)
    if not bindings:
        return None
    values = [owner.evaluator.evaluate(b.node, cls, b.line, depth + 1) for b in bindings if b.node is not None]
    if not values:
        return Value("unresolved", text=attr, reason=f"not a constant ('{attr}' is computed at run time)")
    return values[0] if len(values) == 1 else _union(values, attr, None)


def _bases(owner, cls: Scope, depth: int, seen: set | None = None) -> list[tuple]:
    """Project classes ``cls`` derives from, nearest first (a bounded walk; library bases are ignored)."""
    seen = seen if seen is not None else {id(cls)}
    out: list[tuple] = []
    node = cls.node
    if not isinstance(node, ast.ClassDef) or depth > MAX_DEPTH:
        return out
    for base in node.bases:
        v = owner.evaluator.evaluate(base, cls.parent or cls, node.lineno, depth + 1)
        if v.kind == "class" and id(v.value[1]) not in seen:
            seen.add(id(v.value[1]))
            out.append((v.value[0], v.value[1]))
            out += _bases(v.value[0], v.value[1], depth + 1, seen)
    return out


def _bound(name: str, scope: Scope) -> bool:
    return any(name in s.bindings or name in s.params for s in scope.chain())


def _join(a: str, b: str) -> str:
    return os.path.join(a, b).replace("\\", "/") if a else b


def _pick(bindings: list[Binding], line: int, *, sequential: bool) -> Binding:
    """The binding in effect at ``line``: the last one before it in straight-line code, else the last one."""
    bindings = sorted(bindings, key=lambda b: b.line)
    if sequential:
        before = [b for b in bindings if b.line <= line]
        if before:
            return before[-1]
        return bindings[0]
    return bindings[-1]
