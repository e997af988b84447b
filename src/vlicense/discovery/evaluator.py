"""Static evaluation of expressions to Values: constants, containers, classes and instances, defaults, configs.

Value tracking rule (what a loader argument becomes), documented once here and tested in tests/discovery:

* A value whose every possibility is known statically -- a literal, a constant chain, a dict/list/tuple literal
  indexed by a run-time key (``BACKBONES[kind]``), a name assigned several constants, ``a if c else b``, an
  argparse option with ``choices=``, ``self.WEIGHTS`` with every class (base and subclasses in the project) that
  sets it, the rows of a ``for`` loop or of ``pytest.mark.parametrize`` -- is a ``choice``: the loader reports
  one ModelReference per candidate, each naming the other candidates in its ``api`` text.
* A value that is only a default the outside world may replace -- ``os.getenv(k, default)``, an
  argparse/click/typer option default, a function parameter's default when no call site in the project passes
  it, a pydantic settings field, a Hydra/OmegaConf config value -- is that constant, with a ``note`` and
  ``replaceable``: the ModelReference is reported (it is what the code loads as shipped), its ``api`` says it is
  a default, and a table indexed by it may give any of its entries.
* A value some of whose possibilities are unknown is ``unresolved``; ``candidates`` lists the known ones.

Every evaluation is memoized (node, scope, caller context), cycles are cut (budget.py) and the work is
budgeted, so the cost is linear in the code examined. Constants carry their ``origin`` (where written).
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import dataclasses
import itertools
import posixpath
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from vlicense.discovery.bindings import MAX_REACHING, Binding, RowSource, Scope, pick, position
from vlicense.discovery.budget import CYCLE, SHALLOW, Active, Tracker
from vlicense.discovery.loaders.base import Value
from vlicense.discovery.values import (
    CYCLE_REASON,
    MAX_CANDIDATES,
    MAX_TEXT,
    alternatives,
    checked_spec,
    combine,
    derive,
    join,
    join_all,
    percent_format,
    union,
)

if TYPE_CHECKING:  # pragma: no cover
    from vlicense.discovery.project import ModuleAnalysis

# Calls whose result is a constant when their arguments are (paths built from literals).
PATH_CALLS = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"})
JOIN_CALLS = frozenset({"os.path.join", "posixpath.join"})
PATH_FUNCTIONS: dict[str, Callable[[str], str]] = {
    "os.path.dirname": posixpath.dirname, "os.path.basename": posixpath.basename,
    "os.path.abspath": posixpath.normpath, "os.path.realpath": posixpath.normpath, "os.path.normpath": posixpath.normpath,
    "os.path.expanduser": lambda p: p, "os.fspath": lambda p: p,
}
PATH_ATTRIBUTES: dict[str, Callable[[str], str]] = {
    "parent": posixpath.dirname, "name": posixpath.basename, "stem": lambda p: posixpath.splitext(posixpath.basename(p))[0],
}
PATH_METHODS = frozenset({"resolve", "absolute", "expanduser", "as_posix"})
UNARY_OPS: dict[type, Callable[[object], object]] = {
    ast.USub: lambda v: -v, ast.UAdd: lambda v: +v, ast.Not: lambda v: not v,  # type: ignore[operator]
}
# String methods of constants that ids are built with (DINOv2's ``arch_name.replace("_", "")``); each takes only
# string arguments. Slices stay unresolved: ``if p.endswith("/"): p = p[:-1]`` is read without its test, and the
# trimmed value would be a wrong id (LLaVA's model_worker.py).
STR_METHODS: dict[str, Callable[..., str]] = {
    "lower": str.lower, "upper": str.upper, "strip": str.strip, "lstrip": str.lstrip, "rstrip": str.rstrip,
    "removeprefix": str.removeprefix, "removesuffix": str.removesuffix,
    "replace": lambda s, old, new: _replace(s, old, new),
}
ENV_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})
TYPER_CALLS = frozenset({"typer.Option", "typer.Argument"})
# Streamlit widgets that return one of their ``options`` (streamlit 1.67.0 elements/widgets/selectbox.py:177,
# radio.py:144, select_slider.py:165: ``(label, options, ...)``), on the page or in the sidebar.
STREAMLIT_CHOICE_CALLS = frozenset(f"streamlit.{where}{widget}" for where in ("", "sidebar.")
                                   for widget in ("selectbox", "radio", "select_slider"))
CLICK_DECORATORS = frozenset({"click.option", "click.argument"})
FIELD_CALLS = frozenset({"dataclasses.field", "pydantic.Field", "pydantic.fields.Field", "attr.ib", "attr.attrib",
                         "attrs.field", "pydantic_settings.SettingsConfigDict"})
SETTINGS_BASES = ("pydantic_settings.BaseSettings", "pydantic.BaseSettings", "pydantic.v1.BaseSettings")
OMEGACONF_LOAD = frozenset({"omegaconf.OmegaConf.load"})
OMEGACONF_CREATE = frozenset({"omegaconf.OmegaConf.create", "omegaconf.OmegaConf.merge"})
HYDRA_MAIN = frozenset({"hydra.main"})
PARSE_ARGS = frozenset({"parse_args", "parse_known_args", "parse_intermixed_args"})
MAX_DEPTH = 40


class _Shallow(NamedTuple):
    """A memo entry cut short by the depth limit: valid for a question asked at ``depth`` or deeper."""

    value: Value
    effects: frozenset | None
    depth: int
MAX_CONTAINER = 500
MAX_ROWS = 64
BUILTIN_NAMES = frozenset(vars(builtins))
PARAM_REASON = "argument is a function parameter"
PARAM_REASONS = (PARAM_REASON, "attribute of a function parameter")
STAR_REASON = "the argument may be passed through *args/**kwargs"
DEPTH_REASON = "not a constant (too many indirections)"
CONFIG_REASONS = ("config file", "Hydra config", "a config file")


def _consult(evaluator: Evaluator, scope: Scope) -> None:
    evaluator.consulted.add(scope)


class Frame:
    """The arguments of one call to a project function, used to evaluate its parameters (wrapper tracking).

    ``self_value`` is what the function's first parameter holds when the call passes it implicitly
    (``Detector.load()`` for a classmethod: the class Detector; ``self.load(x)``: the caller's ``self``).
    """

    _serials = itertools.count(1)

    def __init__(self, call: ast.Call, caller: Evaluator, caller_scope: Scope, callee: Evaluator, func_scope: Scope,
                 skip_self: bool, self_value: Value | None = None) -> None:
        self.serial = next(Frame._serials)
        self.call = call
        self.caller = caller
        self.caller_scope = caller_scope
        self.caller_frames = caller.frames
        self.caller_pins = caller.pins
        self.callee = callee
        self.func_scope = func_scope
        self.skip_self = skip_self
        self.self_value = self_value
        self.used = False

    def argument(self, name: str) -> ast.expr | None | str:
        """The caller's expression for parameter ``name``; None when not passed; "star" when unknowable."""
        func = self.func_scope.node
        args = getattr(func, "args", None)
        if args is None:
            return None
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        if self.skip_self and positional:
            positional = positional[1:]
        if name in ((args.vararg.arg if args.vararg else None), (args.kwarg.arg if args.kwarg else None)):
            return "star"
        for kw in self.call.keywords:
            if kw.arg == name:
                return kw.value
        if name in positional:
            index = positional.index(name)
            for i, a in enumerate(self.call.args):
                if isinstance(a, ast.Starred):
                    return "star"
                if i == index:
                    return a
        if any(k.arg is None for k in self.call.keywords):
            return "star"
        return None

    def value(self, name: str, depth: int) -> Value | None:
        self.used = True
        if getattr(self.func_scope.node, "args", None) is None:
            return None
        node = self.argument(name)
        if node == "star":
            # ``build(**config)``: what the caller spreads is read (a parameter of the caller makes it a wrapper).
            spread = [a.value for a in self.call.args if isinstance(a, ast.Starred)] + [k.value for k in self.call.keywords if k.arg is None]
            with self.caller.context(self.caller_frames, self.caller_pins):
                for expr in spread:
                    self.caller.evaluate(expr, self.caller_scope, expr.lineno, depth + 1)
            return Value("unresolved", text=name, reason=STAR_REASON)
        if node is None:
            default = self.func_scope.params.get(name)
            if default is None:
                return Value("unresolved", text=name, reason=f"parameter '{name}' has no default and is not passed")
            return self.callee.evaluate(default, self.func_scope.parent or self.func_scope, default.lineno, depth + 1)
        with self.caller.context(self.caller_frames, self.caller_pins):
            return self.caller.evaluate(node, self.caller_scope, node.lineno, depth + 1)


class ConfigFrame(Frame):
    """A project class a config instantiates (``target: pkg.Class`` with ``params:``): its parameters read the
    config's values, and their defaults otherwise."""

    def __init__(self, values: dict[str, Value], caller: Evaluator, caller_scope: Scope, callee: Evaluator,
                 func_scope: Scope) -> None:
        super().__init__(ast.Call(ast.Name("config", ast.Load()), [], []), caller, caller_scope, callee, func_scope, True)
        self.values = values

    def value(self, name: str, depth: int) -> Value | None:
        if name in self.values:
            self.used = True
            return self.values[name]
        return super().value(name, depth)


class Evaluator:
    """Resolves callee names to qualified library names and argument expressions to Values (memoized)."""

    def __init__(self, star_modules: list[str], segment: Callable[[ast.AST], str], owner: ModuleAnalysis | None = None) -> None:
        self.star_modules = star_modules
        self.segment = segment
        self.owner = owner
        index = owner.index if owner is not None else None
        self.tracker: Tracker = index.tracker if index is not None else Tracker()
        self.frames: dict[Scope, Frame] = {}
        self.pins: dict[RowSource, tuple[int, Value]] = {}
        self.ctx = 0
        self._contexts: dict[tuple, int] = {}
        self.memo: dict[tuple, object] = {}
        self._aliases: dict[tuple, object] = {}
        self._module_names: dict[str, ast.Name] = {}
        self._param_rows: dict[Scope, dict[str, tuple[RowSource, tuple[int, ...]]]] = {}
        # Function scopes whose parameters were read without a frame (the call is a wrapper's body).
        self.consulted: set[Scope] = set()

    # ------------------------------------------------------------------ context

    @contextlib.contextmanager
    def context(self, frames: dict[Scope, Frame], pins: dict[RowSource, tuple[int, Value]] | None = None):
        """Evaluate with these caller frames and pinned rows (memo entries are kept apart per context)."""
        pins = self.pins if pins is None else pins
        saved = (self.frames, self.pins, self.ctx)
        self.frames, self.pins = frames, pins
        if frames or pins:
            key = (frozenset(f.serial for f in frames.values()), frozenset((id(s), i) for s, (i, _) in pins.items()))
            self.ctx = self._contexts.setdefault(key, len(self._contexts) + 1)
        else:
            self.ctx = 0
        try:
            yield
        finally:
            self.frames, self.pins, self.ctx = saved

    def pinned(self, source: RowSource, index: int, row: Value):
        return self.context(self.frames, {**self.pins, source: (index, row)})

    # ------------------------------------------------------------------ callees

    def qualname(self, node: ast.AST, scope: Scope, line: int) -> str | None:
        """``tvm.resnet50`` -> ``torchvision.models.resnet50`` when tvm is imported; None when not a library name."""
        attrs: list[str] = []
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self._name_qualname(node.id, scope, position(node, line))
        return ".".join([base, *reversed(attrs)]) if base else None

    def _name_qualname(self, name: str, scope: Scope, pos) -> str | None:
        for s in scope.chain():
            if name in s.params:
                return None
            bindings = s.bindings.get(name)
            if not bindings:
                continue
            # Imports and local defs/classes decide; plain assignments (``YOLO = None`` fallbacks) do not shadow.
            decisive = [b for b in bindings if b.kind in ("import", "relimport", "def")]
            if decisive:
                chosen = pick(decisive, pos[0], sequential=s is scope)
                return chosen.qualname if chosen.kind == "import" else None
            reach, _ = s.reaching(name, bindings, pos if s is scope else None)
            reach = reach or bindings
            if len(reach) > MAX_REACHING:
                return None
            names = {self._alias(b) for b in reach}
            return names.pop() if len(names) == 1 else None
        found = self._star(name)
        if found is None and (module := self._star_module(name)) is not None:
            target = self.owner.index.get(module)  # type: ignore[union-attr]
            found = target.evaluator._name_qualname(name, target.module, (10**9, 0)) if target is not None else None
        return found

    def _alias(self, binding: Binding) -> str | None:
        """The library name an alias binding stands for (``Detector = ultralytics.YOLO``), memoized."""
        key = (binding, self.ctx)
        hit = self._aliases.get(key, self)
        if hit is not self:
            return hit  # type: ignore[return-value]
        self._aliases[key] = None  # in progress: a cycle resolves to nothing
        self.tracker.step()
        out: str | None = None
        if binding.row is not None:
            # Only a pinned row (one call analyzed per row) names one callee; the loop as a whole names several.
            v = self._row_value(binding.row, binding.path, 0, "", None) if binding.row in self.pins else None
            out = str(v.value) if v is not None and v.kind == "dotted" and not v.reason else None
        else:
            out = self._alias_expr(binding.node, binding.scope, binding.line)
        self._aliases[key] = out
        return out

    def _alias_expr(self, node: ast.AST | None, scope: Scope | None, line: int) -> str | None:
        if scope is None or not isinstance(node, (ast.Name, ast.Attribute)):
            return None
        return self.qualname(node, scope, line)

    def _star(self, name: str) -> str | None:
        if name in BUILTIN_NAMES:
            return None
        # ``from torchvision.models import *``: an otherwise unbound name may come from the library.
        return f"{self.star_modules[0]}.{name}" if len(self.star_modules) == 1 else None

    def _star_module(self, name: str) -> str | None:
        """The project module (its path) defining a name this module only has through ``from <module> import *``."""
        owner = self.owner
        if owner is None or owner.index is None or not owner.facts.star_imports or name in BUILTIN_NAMES or name.startswith("_"):
            return None
        return owner.index.star_module(owner, name)

    def callee_binding(self, node: ast.AST, scope: Scope, line: int) -> tuple[str, object] | None:
        """What a call's callee names in the project: ("local", Binding) for a def/class of this module,
        ("qual"/"rel", dotted) for a name imported (absolutely or relatively) from somewhere, ("attr",
        (Binding, name)) for ``Class.method``, ("self", (method scope, name)) for ``self.m``/``cls.m``."""
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
                chosen = pick(decisive, position(node, line)[0], sequential=s is scope)
                if chosen.kind == "def":
                    return ("local", chosen)
                kind = "rel" if chosen.kind == "relimport" else "qual"
                return (kind, chosen.qualname) if chosen.qualname else None
            module = self._star_module(node.id)
            return ("rel", f"{_dotted(module)}.{node.id}") if module is not None else None
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name):
                method = _method_scope(scope)
                if method is not None and node.value.id == method.self_name and not _rebound(method, node.value.id):
                    return ("self", (method, node.attr))
            base = self.callee_binding(node.value, scope, line)
            if base and base[0] in ("qual", "rel"):
                return (base[0], f"{base[1]}.{node.attr}")
            if base and base[0] == "local" and base[1].inner is not None and base[1].inner.kind == "class":
                return ("attr", (base[1], node.attr))
        return None

    # ------------------------------------------------------------------ values

    def evaluate(self, node: ast.AST, scope: Scope, line: int, depth: int = 0) -> Value:
        kind = type(node)
        if kind is ast.Constant:
            return Value("const", node.value, text=self.segment(node), node=node, origin=self.origin(node))
        key = (node, scope, self.ctx)
        memo = self.memo
        hit = memo.get(key)
        tracker = self.tracker
        if hit is not None:
            if type(hit) is Active:
                tracker.cycle(hit)
                return Value("unresolved", text=self.segment(node), reason=CYCLE_REASON, node=node)
            if type(hit) is _Shallow:
                # Cut short by the depth limit when computed at hit.depth: asked again as deep or deeper, it would
                # be cut at least as early, so that answer stands (and keeps the asker shallow too). Without this,
                # ``s = s + s`` rebound 40 times re-evaluates 2**40 paths below the cut.
                if depth >= hit.depth:
                    tracker.cut()
                    if hit.effects:
                        tracker.replay(hit.effects)
                    return hit.value
            else:
                value, effects = hit  # type: ignore[misc]
                if effects:
                    tracker.replay(effects)
                return value
        if depth > MAX_DEPTH:
            tracker.cut()
            return Value("unresolved", text=self.segment(node), reason=DEPTH_REASON, node=node)
        active = tracker.enter()
        memo[key] = active
        try:
            value = self._compute(kind, node, scope, line, depth, self.segment(node))
        except BaseException:
            memo.pop(key, None)
            tracker.abandon(active)
            raise
        status = tracker.leave(active)
        if status == CYCLE:
            value = Value("unresolved", text=value.text, reason=CYCLE_REASON, node=node)
        if status == SHALLOW:
            memo[key] = _Shallow(value, frozenset(active.effects) if active.effects else None, depth)
        else:
            memo[key] = (value, frozenset(active.effects) if active.effects else None)
        return value

    def _compute(self, kind: type, node, scope: Scope, line: int, depth: int, text: str) -> Value:
        handler = _HANDLERS.get(kind)
        if handler is not None:
            return handler(self, node, scope, line, depth, text)
        if kind is ast.UnaryOp and type(node.op) in UNARY_OPS:
            # ``-1``, ``not flag``: the operator applied to each known value.
            op = UNARY_OPS[type(node.op)]
            return combine([self.evaluate(node.operand, scope, line, depth + 1)], lambda v: op(v[0]), text, node, "", "")
        if kind is ast.IfExp:
            # Both branches, even under a constant test (a script's ``SMOL = True`` is a switch its user flips).
            branches = [self.evaluate(node.body, scope, line, depth + 1), self.evaluate(node.orelse, scope, line, depth + 1)]
            return _fallback(branches, text, node) or union(branches, text, node)
        if kind is ast.BoolOp and isinstance(node.op, ast.Or) and len(node.values) == 2:
            # ``os.environ.get("W") or "yolov8n.pt"``: the constant is what loads unless the run-time value is set.
            return _fallback([self.evaluate(v, scope, line, depth + 1) for v in node.values], text, node) or Value(
                "unresolved", text=text, reason="not a constant", node=node)
        if kind in (ast.List, ast.Tuple, ast.Set) and len(node.elts) <= MAX_CONTAINER:
            self.tracker.step(len(node.elts))
            items = tuple(self.evaluate(e, scope, line, depth + 1) for e in node.elts if not isinstance(e, ast.Starred))
            return Value("container", ("seq", items), text=text, node=node)
        if kind is ast.Dict and len(node.keys) <= MAX_CONTAINER and all(k is not None for k in node.keys):
            self.tracker.step(2 * len(node.keys))
            pairs = tuple((self.evaluate(k, scope, line, depth + 1), self.evaluate(v, scope, line, depth + 1)) for k, v in zip(node.keys, node.values))
            return Value("container", ("dict", pairs), text=text, node=node)
        if kind in (ast.List, ast.Tuple, ast.Set, ast.Dict):
            return Value("unresolved", text=text, reason=f"not a constant (a literal of more than {MAX_CONTAINER} items)", node=node)
        return Value("unresolved", text=text, reason="not a constant", node=node)

    def origin(self, node: ast.AST):
        owner = self.owner
        lineno = getattr(node, "lineno", None)
        if owner is None or lineno is None or lineno >= 10**8:
            return None
        return owner.locate(lineno, node.col_offset)

    def module_value(self, name: str, depth: int) -> Value:
        """The value a module-level name has once the module ran (for importers)."""
        node = self._module_names.get(name)
        if node is None:
            node = self._module_names[name] = ast.Name(id=name, lineno=10**9, col_offset=0)
        module = self.owner.module if self.owner is not None else Scope("module")
        return self.evaluate(node, module, 10**9, depth)

    def _lookup(self, qualname: str, depth: int, *, rooted: bool = False) -> Value | None:
        owner = self.owner
        if owner is None or owner.index is None:
            return None
        return owner.index.lookup(qualname, owner.rel, depth + 1, rooted=rooted)

    def _name_value(self, node: ast.Name, scope: Scope, line: int, depth: int, text: str) -> Value:
        name = node.id
        pos = position(node, line)
        for s in scope.chain():
            bindings = s.bindings.get(name)
            if name in s.params:
                if not bindings:
                    return self._param(s, name, node, depth, text)
                reach, hides = s.reaching(name, bindings, pos if s is scope else None)
                if not reach:
                    return self._param(s, name, node, depth, text)
                values = [self._binding_value(b, s, depth) for b in reach[:MAX_REACHING]]
                if not hides:
                    values.insert(0, self._param(s, name, node, depth, text))
                return values[0] if len(values) == 1 else union(values, text, node, several=name)
            if not bindings:
                continue
            reach, _ = s.reaching(name, bindings, pos if s is scope else None)
            return self._bound_value(name, reach or bindings, s, node, depth, text)
        if name == "__file__" and self.owner is not None:
            return Value("const", f"./{self.owner.rel}", text=text, node=node)
        module = self._star_module(name)
        if module is not None:
            found = self._lookup(f"{_dotted(module)}.{name}", depth, rooted=True)
            if found is not None:
                return derive(found, text, node)
        qual = self._star(name)
        if qual is not None:
            return Value("dotted", qual, text=text, node=node)
        if name in ("True", "False", "None"):
            return Value("const", {"True": True, "False": False, "None": None}[name], text=text, node=node)
        # Unbound (or a builtin): keep the spelling, e.g. an enum from an import this pass could not see.
        return Value("dotted", name, text=text, reason=f"not a constant ('{name}' is not defined in this file)", node=node)

    def _bound_value(self, name: str, bindings: list[Binding], s: Scope, node: ast.Name, depth: int, text: str) -> Value:
        if len(bindings) > MAX_REACHING:
            return Value("unresolved", text=text, reason=f"not a constant ('{name}' is assigned in more than {MAX_REACHING} places)", node=node)
        kinds = {b.kind for b in bindings}
        if kinds == {"import"} or kinds == {"relimport"}:
            quals = {b.qualname for b in bindings}
            if len(quals) == 1 and None not in quals:
                qual = quals.pop()
                found = self._lookup(qual, depth, rooted=kinds == {"relimport"})
                if found is not None:
                    return derive(found, text, node)
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
        if any(b.kind == "assign" and b.row is None and b.unpack is None for b in bindings):
            return Value("unresolved", text=text, reason=f"not a constant ('{name}' is computed at run time)", node=node)
        values = [self._binding_value(b, s, depth) for b in bindings]
        if len(values) == 1:
            v = values[0]
            if v.kind == "call":
                # ``m = hf_hub_download(...)``: keep the call so a loader can see where the value came from.
                return Value("call", v.value, text=text, reason=f"not a constant ('{name}' is computed at run time)", node=v.node)
            if v.kind == "unresolved" and not (v.reason in PARAM_REASONS or v.candidates or v.reason in (CYCLE_REASON, DEPTH_REASON)):
                return Value("unresolved", text=text, reason=f"not a constant ('{name}' is computed at run time)", node=node)
            return derive(v, text, node)
        if values and all(v.kind == "call" and v.value and v.value == values[0].value for v in values):
            # ``cfg = get_cfg()`` in two places: still the result of that call (``cfg.MODEL.WEIGHTS = ...``).
            return Value("call", values[0].value, text=text, reason=f"not a constant ('{name}' is computed at run time)", node=node)
        return union(values, text, node, several=name)

    def _binding_value(self, b: Binding, s: Scope, depth: int) -> Value:
        if b.row is not None:
            return self._row_value(b.row, b.path, depth, self.segment(b.row.iter), b.row.iter)
        if b.unpack is not None:
            whole = self.evaluate(b.unpack, b.scope or s, b.line, depth + 1)
            return _unpack(whole, b.path, self.segment(b.unpack), b.unpack)
        if b.node is None:
            return Value("unresolved", reason="not a constant (computed at run time)")
        v = self.evaluate(b.node, b.scope or s, b.line, depth + 1)
        if v.origin is None and v.kind in ("dotted", "const") and self.owner is not None:
            v = dataclasses.replace(v, origin=self.owner.locate(b.line, 0))
        return v

    # ------------------------------------------------------------------ rows (loops, parametrize)

    def _rows(self, source: RowSource, depth: int) -> list[Value] | Value:
        """The rows of a loop or parametrize list, or an unresolved Value saying why they are not known."""
        it = self.evaluate(source.iter, source.scope, source.line, depth + 1)
        if it.kind == "container" and it.value[0] != "union":
            shape, items = it.value
            rows = [k for k, _ in items] if shape == "dict" else list(items)
            return rows
        if it.kind == "choice":  # iterating over a string: not a table
            return Value("unresolved", text=it.text, reason="not a constant (iterates over a string)")
        reason = it.reason if it.kind == "unresolved" else f"not a constant (iterates over {it.text or 'a run-time value'})"
        return Value("unresolved", text=it.text, reason=reason, candidates=it.candidates)

    def _row_value(self, source: RowSource, path: tuple[int, ...], depth: int, text: str, node) -> Value:
        pinned = self.pins.get(source)
        if pinned is not None:
            return _unpack(pinned[1], path, text, node)
        rows = self._rows(source, depth)
        if isinstance(rows, Value):
            return Value("unresolved", text=text, reason=rows.reason, candidates=rows.candidates, node=node)
        if not rows:
            return Value("unresolved", text=text, reason="not a constant (loop over an empty literal)", node=node)
        return union([_unpack(r, path, text, node) for r in rows], text, node)

    def row_sources(self, call: ast.Call, scope: Scope) -> list[tuple[RowSource, list[Value]]]:
        """The loops/parametrize lists that names used in ``call`` are bound from, with their rows (if few)."""
        out: list[tuple[RowSource, list[Value]]] = []
        seen: set[int] = set()
        for n in itertools.islice(ast.walk(call), 200):
            if type(n) is not ast.Name or not isinstance(n.ctx, ast.Load):
                continue
            source = self._row_source(n, scope)
            if source is None or id(source) in seen:
                continue
            seen.add(id(source))
            rows = self._rows(source, 0)
            if isinstance(rows, list) and 0 < len(rows) <= MAX_ROWS:
                out.append((source, rows))
        return out

    def _row_source(self, node: ast.Name, scope: Scope) -> RowSource | None:
        for s in scope.chain():
            if node.id in s.params:
                found = self.param_rows(s).get(node.id)
                return found[0] if found and not s.bindings.get(node.id) else None
            bindings = s.bindings.get(node.id)
            if bindings:
                reach, _ = s.reaching(node.id, bindings, position(node, node.lineno) if s is scope else None)
                rows = {b.row for b in reach}
                return rows.pop() if len(rows) == 1 and None not in rows else None
        return None

    def param_rows(self, s: Scope) -> dict[str, tuple[RowSource, tuple[int, ...]]]:
        """``@pytest.mark.parametrize("a,b", rows)`` on a function: a -> (rows, (0,)), b -> (rows, (1,))."""
        found = self._param_rows.get(s)
        if found is not None:
            return found
        found = self._param_rows[s] = {}
        outer = s.parent or s
        for deco in getattr(s.node, "decorator_list", ()):
            if not (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute) and deco.func.attr == "parametrize"):
                continue
            if not (self.qualname(deco.func, outer, deco.lineno) or "").endswith("mark.parametrize"):
                continue
            names_node = deco.args[0] if deco.args else next((k.value for k in deco.keywords if k.arg == "argnames"), None)
            rows_node = deco.args[1] if len(deco.args) > 1 else next((k.value for k in deco.keywords if k.arg == "argvalues"), None)
            if names_node is None or rows_node is None:
                continue
            names = self.evaluate(names_node, outer, deco.lineno)
            if names.kind == "const" and isinstance(names.value, str):
                listed = [n.strip() for n in names.value.split(",") if n.strip()]
            elif names.kind == "container" and names.value[0] == "seq":
                listed = [v.value for v in names.value[1] if v.kind == "const" and isinstance(v.value, str)]
            else:
                continue
            source = RowSource(rows_node, outer, deco.lineno, "parametrize")
            for i, n in enumerate(listed):
                found[n] = (source, () if len(listed) == 1 else (i,))
        return found

    # ------------------------------------------------------------------ parameters and options

    def _param(self, s: Scope, name: str, node: ast.AST, depth: int, text: str) -> Value:
        frame = self.frames.get(s)
        if s.self_name == name and s.parent is not None and s.parent.kind == "class" and self.owner is not None:
            if frame is not None and frame.self_value is not None:
                frame.used = True
                return derive(frame.self_value, text, node)
            return Value("class", (self.owner, s.parent, True), text=text, node=node)
        # Filled by a framework, not by callers: parametrize rows, a Hydra config, a click option.
        rows = self.param_rows(s).get(name)
        if rows is not None:
            return self._row_value(rows[0], rows[1], depth, text, node)
        config = self._hydra(s, name, depth)
        if config is not None:
            return derive(config, text, node)
        if name in s.cli_defaults:
            default, choices, declared = s.cli_defaults[name]
            return self._option(f"click option '{name}'", default, choices, s.parent or s, depth, text, node, declared)
        if frame is not None:
            v = frame.value(name, depth)
            if v is not None:
                return v  # described as the caller wrote it (``load(compute())`` -> ``compute()``)
        self.consulted.add(s)
        self.tracker.note((_consult, self, s))
        default = s.params[name]
        if default is not None:
            d = self.evaluate(default, s.parent or s, default.lineno, depth + 1)
            if d.kind == "const" and d.value is not None:
                return dataclasses.replace(d, text=text, node=node, note=d.note or f"default of parameter '{name}'", replaceable=True)
            if d.kind == "choice":
                return dataclasses.replace(derive(d, text, node), replaceable=True)
            if d.kind == "const" or d.kind == "missing":
                return Value("unresolved", text=text, reason=PARAM_REASON, node=node)
            cands = tuple(str(c) for c, _ in alternatives(d) or ()) or d.candidates
            return Value("unresolved", text=text, reason=PARAM_REASON, candidates=cands, node=node)
        return Value("unresolved", text=text, reason=PARAM_REASON, node=node)

    def _option(self, what: str, default: ast.expr | None, choices: ast.expr | None, scope: Scope, depth: int, text: str, node,
                declared: ast.AST) -> Value:
        """A command-line option: its ``choices`` are the complete set; a default alone is a replaceable default.
        ``declared``: the call declaring it (the origin of an option without a default: where a reader looks)."""
        if choices is not None:
            c = self.evaluate(choices, scope, choices.lineno, depth + 1)
            if c.kind == "container" and c.value[0] == "seq":
                return union(list(c.value[1]), text, node)
        if default is None:
            return Value("unresolved", text=text, reason=f"{what} has no default", node=node, origin=self.origin(declared))
        d = self.evaluate(default, scope, default.lineno, depth + 1)
        if d.kind == "const" and d.value is not None:
            return dataclasses.replace(d, text=text, node=node, note=f"default of {what}", replaceable=True)
        if d.kind == "const":
            return Value("unresolved", text=text, reason=f"{what} has no default", node=node, origin=self.origin(declared))
        return derive(d, text, node)

    def _option_stores(self, name: str, attr: str, depth: int, text: str, node) -> list[Value]:
        """Constants the script itself gives a parsed option (``if opt.laion400m: opt.ckpt = "..."``): more values
        of ``opt.ckpt`` besides its default. Other stores (``opt.ckpt = os.path.join(opt.ckpt, ...)``) rewrite the
        value given at run time and add nothing known."""
        out: list[Value] = []
        stores = [(value, scope) for owner, value, scope in self.owner.module.name_attrs.get(attr, ()) if owner == name]
        for value, scope in stores[:MAX_CANDIDATES]:
            got = self.evaluate(value, scope, value.lineno, depth + 1)
            if got.kind in ("const", "choice") and got.value is not None:
                out.append(derive(got, text, node))
        return out

    def _hydra(self, s: Scope, name: str, depth: int) -> Value | None:
        """The config a ``@hydra.main(config_path=..., config_name=...)`` function receives as its first parameter."""
        func = s.node
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) or self.owner is None:
            return None
        positional = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
        if not positional or positional[0] != name:
            return None
        for deco in func.decorator_list:
            if isinstance(deco, ast.Call) and self.qualname(deco.func, s.parent or s, deco.lineno) in HYDRA_MAIN:
                kws = {k.arg: k.value for k in deco.keywords if k.arg}
                path = self.evaluate(kws["config_path"], s.parent or s, deco.lineno, depth + 1) if "config_path" in kws else Value("const", None)
                config = self.evaluate(kws["config_name"], s.parent or s, deco.lineno, depth + 1) if "config_name" in kws else Value("missing")
                if path.kind != "const" or config.kind != "const" or not isinstance(config.value, str):
                    return Value("unresolved", text=name, reason="Hydra config whose path or name is not a constant")
                return self.owner.config_value(path.value, config.value, hydra=True)
        return None

    # ------------------------------------------------------------------ attributes

    def _attribute_value(self, node: ast.Attribute, scope: Scope, line: int, depth: int, text: str) -> Value:
        base = self.evaluate(node.value, scope, line, depth + 1)
        attr = node.attr
        if base.kind == "dotted":
            qual = f"{base.value}.{attr}"
            found = self._lookup(qual, depth) if not base.reason else None
            if found is not None:
                return derive(found, text, node)
            return Value("dotted", qual, text=text, reason=base.reason, node=node)
        if base.kind == "class":
            return derive(self.class_attr(base.value, attr, depth + 1), text, node)
        if base.kind == "container" and base.value[0] in ("dict", "union"):
            # A config object read with attribute syntax (OmegaConf, Hydra): ``cfg.model.weights``.
            return self._index(base, Value("const", attr), text, node, None)
        if base.kind in ("const", "choice") and attr == "value":
            # A constant has no ``.value``: the base is an Enum member the evaluation read as its value
            # (``Weights.SMALL.value`` with ``class Weights(str, Enum): SMALL = "yolo11s.pt"``).
            return derive(base, text, node)
        if base.kind in ("const", "choice") and attr in PATH_ATTRIBUTES:
            fn = PATH_ATTRIBUTES[attr]
            return combine([base], lambda v: fn(_path_text(v[0])), text, node, "", "")
        if isinstance(node.value, ast.Name) and self.owner is not None and attr in self.owner.argparse:
            is_args = base.reason in PARAM_REASONS or base.kind == "call"
            if is_args or base.kind == "unresolved":
                options = self.owner.argparse[attr]
                values = [self._option(f"command-line option {flag}", d, c, sc, depth, text, node, call) for flag, d, c, sc, call in options]
                values += self._option_stores(node.value.id, attr, depth, text, node)
                return values[0] if len(values) == 1 else union(values, text, node)
        if base.kind == "unresolved" and base.reason == PARAM_REASON:
            return Value("unresolved", text=text, reason="attribute of a function parameter", node=node)
        if base.kind == "unresolved" and (base.reason == CYCLE_REASON or base.reason.startswith(CONFIG_REASONS)):
            return Value("unresolved", text=text, reason=base.reason, node=node)
        return Value("unresolved", text=text, reason="not a constant (attribute of a run-time object)", node=node)

    def class_attr(self, ref: tuple, attr: str, depth: int) -> Value:
        """``Cls.attr`` (the class and its bases), ``self.attr`` (also every subclass in the project and
        ``self.attr = ...`` in methods: one candidate per class that sets it), or ``instance.attr`` of an instance
        the project constructs (``Settings(...)``: the constructor's arguments, then the class's fields)."""
        owner, cls, instance = ref[0], ref[1], ref[2]
        ctor: Frame | None = ref[3] if len(ref) > 3 else None
        if ctor is not None:
            passed = _field_argument(owner, cls, ctor, attr)
            if passed is not None:
                with ctor.caller.context(ctor.caller_frames, ctor.caller_pins):
                    return ctor.caller.evaluate(passed, ctor.caller_scope, passed.lineno, depth + 1)
        values: list[Value] = []
        own = _class_lookup(owner, cls, attr, depth)
        if own is not None:
            values.append(own)
        if instance is True:
            for sub_owner, sub in owner.index.subclasses(owner, cls) if owner.index is not None else ():
                v = _own_attr(sub_owner, sub, attr, depth)
                if v is not None:
                    values.append(v)
        if instance:
            for klass_owner, klass in [(owner, cls), *_bases(owner, cls, depth)]:
                for value, method, line in klass.self_attrs.get(attr, ()):
                    if ctor is not None and method is ctor.func_scope:
                        with klass_owner.evaluator.context({**klass_owner.evaluator.frames, method: ctor}):
                            values.append(klass_owner.evaluator.evaluate(value, method, line, depth + 1))
                    else:
                        values.append(klass_owner.evaluator.evaluate(value, method, line, depth + 1))
        if not values:
            name = getattr(cls.node, "name", "?")
            return Value("unresolved", text=attr, reason=f"not a constant ('{attr}' is not set in class {name})")
        if len(values) > 1:
            # ``model_path = None`` in a base class is a placeholder the subclasses fill in.
            values = [v for v in values if not (v.kind == "const" and v.value is None)] or values[:1]
        v = values[0] if len(values) == 1 else union(values, attr, None)
        if v.kind == "const" and _is_settings(owner, cls, depth):
            return dataclasses.replace(v, note=f"default of settings field '{attr}' (an environment variable may replace it)", replaceable=True)
        return v

    # ------------------------------------------------------------------ strings

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
                out.append(format(value, checked_spec(spec)))
            return "".join(out)

        return combine(parts, fmt, text, node, "f-string with a non-constant part", "f-string that cannot be formatted statically")

    def _binop(self, node: ast.BinOp, scope: Scope, line: int, depth: int, text: str) -> Value:
        left = self.evaluate(node.left, scope, line, depth + 1)
        right = self.evaluate(node.right, scope, line, depth + 1)
        op = type(node.op)
        if op is ast.Div and alternatives(left) is None and alternatives(right) is not None:
            # ``ROOT / "weights" / "best.pt"`` under a folder known only at run time: the file name carries the id.
            return _under_runtime_dir([right], text, node)

        def apply(values: tuple) -> object:
            a, b = values
            if op is ast.Add and type(a) is type(b) and isinstance(a, (str, int)):
                return a + b
            # Path("weights") / "best.pt": both sides constant means one of them was a Path.
            if op is ast.Div and isinstance(a, str) and isinstance(b, str):
                return join(a, b)
            if op is ast.Mod and isinstance(a, str) and len(a) < 1000:
                return percent_format(a, b)
            raise TypeError("unsupported")

        return combine([left, right], apply, text, node, "not a constant (computed at run time)", "not a constant (computed at run time)")

    # ------------------------------------------------------------------ calls

    def _call_value(self, node: ast.Call, scope: Scope, line: int, depth: int, text: str) -> Value:
        func = node.func
        callee = self.qualname(func, scope, line)
        if callee in ENV_CALLS:
            return self._env(node, scope, line, depth, text)
        if callee in TYPER_CALLS:
            default = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "default"), None)
            if default is None or (isinstance(default, ast.Constant) and default.value is Ellipsis):
                return Value("unresolved", text=text, reason="typer option without a default", node=node)
            d = self.evaluate(default, scope, line, depth + 1)
            if d.kind == "const":
                return dataclasses.replace(d, text=text, node=node, note="default of a typer option", replaceable=True)
            return Value(d.kind, d.value, text=text, node=node, candidates=d.candidates, reason=d.reason, note=d.note, origins=d.origins)
        if callee in STREAMLIT_CHOICE_CALLS:
            options = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "options"), None)
            c = self.evaluate(options, scope, line, depth + 1) if options is not None else Value("missing")
            if c.kind == "container" and c.value[0] == "seq":
                return union(list(c.value[1]), text, node)
            return Value("unresolved", text=text, node=node,
                         reason=f"one of the options of a streamlit {callee.rsplit('.', 1)[1]}, not known statically")
        if callee in OMEGACONF_LOAD and self.owner is not None:
            path = self.evaluate(node.args[0], scope, line, depth + 1) if node.args else Value("missing")
            if path.kind != "const" or not isinstance(path.value, str):
                return Value("unresolved", text=text, reason="a config file whose path is not a constant", node=node)
            return derive(self.owner.config_value(None, path.value, hydra=False), text, node)
        if callee in OMEGACONF_CREATE and len(node.args) == 1:
            return derive(self.evaluate(node.args[0], scope, line, depth + 1), text, node)
        if callee is not None and callee.endswith(".param") and callee.split(".", 1)[0] == "pytest":
            items = tuple(self.evaluate(a, scope, line, depth + 1) for a in node.args if not isinstance(a, ast.Starred))
            return Value("container", ("seq", items), text=text, node=node)
        if isinstance(func, ast.Attribute) and not node.keywords:
            method = self._method_value(node, func, scope, line, depth, text)
            if method is not None:
                return method
        builtin = func.id if isinstance(func, ast.Name) and callee is None and not _bound(func.id, scope) else None
        if builtin in ("enumerate", "zip", "list", "tuple", "sorted", "reversed") and node.args and not node.keywords:
            return self._sequence_builtin(builtin, node, scope, line, depth, text)
        if builtin == "dict" and not node.args and node.keywords and len(node.keywords) <= MAX_CONTAINER and all(k.arg for k in node.keywords):
            # ``dict(model_type="x", device=d)`` is the literal ``{"model_type": "x", "device": d}`` (a ``**`` spread).
            self.tracker.step(2 * len(node.keywords))
            pairs = tuple((Value("const", k.arg, text=repr(k.arg)), self.evaluate(k.value, scope, line, depth + 1)) for k in node.keywords)
            return Value("container", ("dict", pairs), text=text, node=node)
        if (callee in PATH_CALLS or callee in JOIN_CALLS or callee in PATH_FUNCTIONS or builtin == "str") and node.args and not node.keywords:
            parts = [self.evaluate(a, scope, line, depth + 1) for a in node.args]
            if builtin == "str" or callee in PATH_FUNCTIONS:
                if len(parts) != 1:
                    return Value("call", callee, text=text, node=node)
                fn = PATH_FUNCTIONS.get(callee or "", lambda p: p)
                if builtin == "str":
                    # ``str(opt.resume)`` of ``default=False`` / ``None`` is the unset option, not a file called "False":
                    # keep the constant so the loader says nothing loads (or the value given at run time does).
                    return combine(parts, lambda v: v[0] if isinstance(v[0], (str, bool)) or v[0] is None else str(v[0]),
                                   text, node, "", "")
                v = combine(parts, lambda v: fn(_path_text(v[0])), text, node, "", "")
                return v if v.kind in ("const", "choice") else Value("call", callee, text=text, node=node)
            v = combine(parts, join_all, text, node, "", "")
            if v.kind in ("const", "choice"):
                return v
            unknown = [i for i, p in enumerate(parts) if alternatives(p) is None]
            if unknown and unknown[-1] < len(parts) - 1:
                return _under_runtime_dir(parts[unknown[-1] + 1:], text, node)
            return Value("call", callee, text=text, node=node)
        instance = self._instance(node, scope, line, depth, text)
        if instance is not None:
            return instance
        returned = self._returned(node, scope, line, depth, text)
        if returned is not None:
            return returned
        return Value("call", callee, text=text, node=node)

    def _returned(self, node: ast.Call, scope: Scope, line: int, depth: int, text: str) -> Value | None:
        """``resolve_relative_path('../models/x.pth')``, ``download_model(url)``: what a project function returns,
        its ``return`` expressions evaluated with the call's arguments (None: not a project function, or no value
        is returned)."""
        if self.owner is None:
            return None
        found = self.callee_binding(node.func, scope, line)
        if found is None or found[0] not in ("local", "qual", "rel", "self", "attr"):
            return None
        skip_self, self_value = False, None
        if found[0] in ("self", "attr"):
            # ``cls.weights()`` / ``self.path()`` / ``Detector.weights()``: the method (of the nearest class that
            # defines it), with the class (and, through cls/self, its subclasses) as its first parameter.
            method = self.owner.resolve_function(node.func, scope, line)
            if method is None:
                return None
            owner, fscope, skip_self, self_value = method
        else:
            if found[0] == "local":
                target = (self.owner, found[1])
            elif self.owner.index is not None:
                target = self.owner.index.resolve_def(found[1], self.owner.rel, rooted=found[0] == "rel", wrappers_only=False)
            else:
                target = None
            if target is None or target[1].inner is None:
                return None
            owner, fscope = target[0], target[1].inner
        if fscope.kind != "function":
            return None
        returns = _returns(fscope)
        if not returns:
            return None
        callee = owner.evaluator
        frame = Frame(node, self, scope, callee, fscope, skip_self=skip_self, self_value=self_value)
        with callee.context({**callee.frames, fscope: frame}):
            values = [callee.evaluate(r, fscope, r.lineno, depth + 1) for r in returns]
        return derive(values[0], text, node) if len(values) == 1 else union(values, text, node)

    def _method_value(self, node: ast.Call, func: ast.Attribute, scope: Scope, line: int, depth: int, text: str) -> Value | None:
        """Methods of known values: ``d.get(k, default)``, ``d.items()``, ``Path(...).resolve()``, ``p.joinpath(x)``."""
        name = func.attr
        if name not in ("get", "items", "values", "keys", "joinpath") and name not in PATH_METHODS and name not in STR_METHODS:
            return None
        if isinstance(func.value, ast.Name) and func.value.id in ("os", "sys"):
            return None
        container = self.evaluate(func.value, scope, line, depth + 1)
        if container.kind == "container" and container.value[0] == "union" and name == "get" and node.args:
            default = self.evaluate(node.args[1], scope, line, depth + 1) if len(node.args) > 1 else Value("const", None)
            return self._index(container, self.evaluate(node.args[0], scope, line, depth + 1), text, node, default)
        if container.kind == "container" and container.value[0] == "dict":
            if name == "get" and node.args:
                default = self.evaluate(node.args[1], scope, line, depth + 1) if len(node.args) > 1 else Value("const", None)
                return self._index(container, self.evaluate(node.args[0], scope, line, depth + 1), text, node, default)
            if not node.args and name in ("items", "values", "keys"):
                pairs = container.value[1]
                if name == "items":
                    items = tuple(Value("container", ("seq", (k, v)), text=text) for k, v in pairs)
                else:
                    items = tuple(k if name == "keys" else v for k, v in pairs)
                return Value("container", ("seq", items), text=text, node=node)
        if container.kind in ("const", "choice"):
            if name in STR_METHODS:
                parts = [container] + [self.evaluate(a, scope, line, depth + 1) for a in node.args]
                return combine(parts, lambda v: _str_method(name, v), text, node, "", "")
            if name in PATH_METHODS and not node.args:
                return derive(container, text, node)
            if name == "joinpath" and node.args:
                parts = [container] + [self.evaluate(a, scope, line, depth + 1) for a in node.args]
                return combine(parts, join_all, text, node, "", "")
        return None

    def _sequence_builtin(self, name: str, node: ast.Call, scope: Scope, line: int, depth: int, text: str) -> Value:
        seqs = []
        for a in node.args:
            v = self.evaluate(a, scope, line, depth + 1)
            if v.kind != "container" or v.value[0] == "union":
                return Value("call", None, text=text, node=node)
            shape, items = v.value
            seqs.append([k for k, _ in items] if shape == "dict" else list(items))
        if name == "enumerate":
            rows = [Value("container", ("seq", (Value("const", i), item)), text=text) for i, item in enumerate(seqs[0])]
        elif name == "zip":
            rows = [Value("container", ("seq", tuple(group)), text=text) for group in zip(*seqs)]
        elif name == "reversed":
            rows = list(reversed(seqs[0]))
        else:
            rows = list(seqs[0])
        return Value("container", ("seq", tuple(rows)), text=text, node=node)

    def _instance(self, node: ast.Call, scope: Scope, line: int, depth: int, text: str) -> Value | None:
        """``Settings(...)``, ``Detector(weights=...)``: an instance of a project class, with its constructor call."""
        if self.owner is None:
            return None
        found = self.callee_binding(node.func, scope, line)
        if found is None:
            return None
        target: tuple | None = None
        if found[0] == "local":
            target = (self.owner, found[1])
        elif found[0] in ("qual", "rel") and self.owner.index is not None:
            target = self.owner.index.resolve_def(found[1], self.owner.rel, rooted=found[0] == "rel", wrappers_only=False)
        if target is None or target[1].inner is None or target[1].inner.kind != "class":
            return None
        owner, cls = target[0], target[1].inner
        init_owner, init = owner, None
        for klass_owner, klass in [(owner, cls), *_bases(owner, cls, depth)]:
            init = _init_scope(klass)
            if init is not None:
                init_owner = klass_owner
                break
        frame = Frame(node, self, scope, init_owner.evaluator, init or cls, skip_self=init is not None)
        return Value("class", (owner, cls, "exact", frame), text=text, node=node)

    def _env(self, node: ast.Call, scope: Scope, line: int, depth: int, text: str) -> Value:
        key_node = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "key"), None)
        key = self.evaluate(key_node, scope, line, depth + 1) if key_node is not None else Value("missing")
        what = f"environment variable {key.value}" if key.kind == "const" else "an environment variable"
        default_node = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg in ("default", "value")), None)
        if default_node is None:
            return Value("unresolved", text=text, reason=f"read from {what} at run time (no default)", node=node)
        d = self.evaluate(default_node, scope, line, depth + 1)
        if d.kind == "const" and d.value is not None:
            return dataclasses.replace(d, text=text, node=node, note=f"default of {what}", replaceable=True)
        if d.kind == "choice":
            return dataclasses.replace(derive(d, text, node), replaceable=True)
        return Value("unresolved", text=text, reason=f"read from {what} at run time (default {d.reason or 'not a constant'})", node=node)

    # ------------------------------------------------------------------ subscripts

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
        if shape == "union":
            return union([self._index(member, key, text, node, default) for member in items], text, node)
        if key.kind == "const" and not key.replaceable:
            if shape == "dict":
                for k, v in items:
                    if k.kind == "const" and k.value == key.value:
                        return derive(v, text, node)
                if default is not None:
                    return derive(default, text, node)
                return Value("unresolved", text=text, reason=f"key {key.value!r} is not in the literal", node=node)
            if isinstance(key.value, int) and not isinstance(key.value, bool) and -len(items) <= key.value < len(items):
                return derive(items[key.value], text, node)
            return Value("unresolved", text=text, reason="index outside the literal", node=node)
        # A run-time key (or a default the outside world may replace): every value of the literal is possible.
        values = [v for _, v in items] if shape == "dict" else list(items)
        if default is not None and not (default.kind == "const" and default.value is None):
            values.append(default)
        if not values:
            return Value("unresolved", text=text, reason="item of an empty literal", node=node)
        return union(values, text, node)


_HANDLERS: dict[type, Callable] = {
    ast.Name: Evaluator._name_value, ast.Attribute: Evaluator._attribute_value, ast.JoinedStr: Evaluator._fstring,
    ast.BinOp: Evaluator._binop, ast.Call: Evaluator._call_value, ast.Subscript: Evaluator._subscript,
}


# ---------------------------------------------------------------------------------------------- helpers


MAX_RETURNS = 8


def _returns(fscope: Scope) -> list[ast.expr]:
    """The values a function returns (its own ``return x`` statements, not those of nested functions or classes);
    empty when it has more than MAX_RETURNS of them."""
    found = fscope.returns
    if found is None:
        found, stack = [], list(getattr(fscope.node, "body", ()))
        while stack:
            stmt = stack.pop()
            if isinstance(stmt, ast.Return):
                if stmt.value is not None:
                    found.append(stmt.value)
            elif not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.extend(c for c in ast.iter_child_nodes(stmt) if isinstance(c, (ast.stmt, ast.excepthandler, ast.match_case)))
        found.sort(key=lambda r: (r.lineno, r.col_offset))
        if len(found) > MAX_RETURNS:
            found = []
        fscope.returns = found
    return found


def _dotted(rel: str) -> str:
    """A module's root-relative dotted name: ``pkg/x.py`` -> ``pkg.x``, ``pkg/__init__.py`` -> ``pkg``."""
    return rel.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _unpack(row: Value, path: tuple[int, ...], text: str, node) -> Value:
    if path and row.kind == "container" and row.value[0] == "union":
        # One of several literal rows (``PRESETS[mode]`` with a run-time key): the item of each of them.
        return union([_unpack(member, path, text, node) for member in row.value[1]], text, node)
    for i in path:
        if row.kind != "container" or row.value[0] != "seq" or i >= len(row.value[1]):
            return Value("unresolved", text=text, reason="not a constant (a row that cannot be unpacked statically)", node=node)
        row = row.value[1][i]
    return derive(row, text, node) if node is not None else row


def _str_method(name: str, values: tuple) -> str:
    if not all(isinstance(v, str) for v in values):
        raise TypeError(f"str.{name} of a value that is not a string")
    return STR_METHODS[name](*values)


def _replace(s: str, old: str, new: str) -> str:
    # The result's length is known before building it: a constant cannot make a huge string this way.
    if len(s) + (s.count(old) if old else len(s) + 1) * max(0, len(new) - len(old)) > MAX_TEXT:
        raise ValueError("replacement result too long")
    return s.replace(old, new)


def _path_text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a path")
    return value


def _under_runtime_dir(parts: list[Value], text: str, node) -> Value:
    """``os.path.join(ROOT, "models", name)`` with ROOT known only at run time: the known tail carries the id."""
    v = combine(parts, join_all, text, node, "", "")
    if v.kind not in ("const", "choice"):
        return v
    return dataclasses.replace(v, note=v.note or "under a folder known only at run time")


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
    reach, _ = cls.reaching(attr, bindings, None)
    values = []
    for b in reach or bindings:
        if b.node is None:
            continue
        node = b.node
        if isinstance(node, ast.Call) and node.func is not None:
            callee = owner.evaluator.qualname(node.func, cls, b.line)
            if callee in FIELD_CALLS:
                # ``x: str = field(default="a")`` / ``Field("a")``: the default, not the call.
                node = next((k.value for k in node.keywords if k.arg == "default"), node.args[0] if node.args and callee.startswith("pydantic") else None)
                if node is None:
                    values.append(Value("unresolved", text=attr, reason=f"not a constant ('{attr}' has no static default)"))
                    continue
        values.append(owner.evaluator._binding_value(dataclasses.replace(b, node=node), cls, depth))
    if not values:
        return Value("unresolved", text=attr, reason=f"not a constant ('{attr}' is computed at run time)")
    return values[0] if len(values) == 1 else union(values, attr, None)


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


def _is_settings(owner, cls: Scope, depth: int) -> bool:
    """A pydantic BaseSettings class (its fields may be replaced by environment variables)."""
    for klass_owner, klass in [(owner, cls), *_bases(owner, cls, depth)]:
        node = klass.node
        for base in getattr(node, "bases", ()):
            qual = klass_owner.evaluator.qualname(base, klass.parent or klass, node.lineno) or ""
            if qual in SETTINGS_BASES:
                return True
    return False


def _init_scope(cls: Scope) -> Scope | None:
    init = cls.bindings.get("__init__")
    return init[-1].inner if init and init[-1].inner is not None else None


def _field_argument(owner, cls: Scope, ctor: Frame, attr: str) -> ast.expr | None:
    """The constructor argument that sets field ``attr`` of a dataclass/pydantic/attrs-style class (no __init__)."""
    if ctor.func_scope is not cls:
        return None
    for kw in ctor.call.keywords:
        if kw.arg == attr:
            return kw.value
    if ctor.call.args and not any(isinstance(a, ast.Starred) for a in ctor.call.args):
        fields = []
        for klass_owner, klass in [*reversed(_bases(owner, cls, 0)), (owner, cls)]:
            fields += [s.target.id for s in getattr(klass.node, "body", ()) if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
        fields = list(dict.fromkeys(fields))
        if attr in fields and fields.index(attr) < len(ctor.call.args):
            return ctor.call.args[fields.index(attr)]
    return None


def _method_scope(scope: Scope) -> Scope | None:
    """The method whose body ``scope`` is (or is nested in, through comprehensions and lambdas), if any."""
    s: Scope | None = scope
    while s is not None and s.kind == "function":
        if s.self_name is not None and s.parent is not None and s.parent.kind == "class":
            return s
        if s.node is not None and not isinstance(s.node, ast.Lambda):
            return None
        s = s.parent
    return None


def _rebound(scope: Scope, name: str) -> bool:
    return bool(scope.bindings.get(name))


def _fallback(branches: list[Value], text: str, node) -> Value | None:
    """``sys.argv[1] if len(sys.argv) > 1 else "yolov8n.pt"``: one branch known only at run time, the other constant
    strings: those load as shipped (a replaceable default, like ``os.getenv(name, default)``); None otherwise."""
    known = [b for b in branches if alternatives(b) is not None]
    if len(known) != 1 or not all(isinstance(v, str) and v for v, _ in alternatives(known[0]) or ()):
        return None
    other = next(b for b in branches if b is not known[0])
    if other.kind not in ("unresolved", "call"):
        return None
    note = f"default when {other.text or 'the run-time value'} is not given"
    return dataclasses.replace(derive(known[0], text, node), note=known[0].note or note, replaceable=True)


def _bound(name: str, scope: Scope) -> bool:
    return any(name in s.bindings or name in s.params for s in scope.chain())
