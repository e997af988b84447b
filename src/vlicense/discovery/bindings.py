"""Name bindings per scope (imports, defs, assignments, parameters) and static evaluation of expressions."""

from __future__ import annotations

import ast
import builtins
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from vlicense.discovery.loaders.base import Value

BindingKind = Literal["import", "relimport", "def", "value", "assign"]

# Calls whose result is a constant when their arguments are (paths built from literals).
PATH_CALLS = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"})
JOIN_CALLS = frozenset({"os.path.join", "posixpath.join"})
MAX_DEPTH = 20
BUILTIN_NAMES = frozenset(vars(builtins))


@dataclass
class Binding:
    """One binding of a name: where, how, and (for imports) the qualified name or (for values) the expression."""

    line: int
    kind: BindingKind
    qualname: str | None = None
    node: ast.expr | None = None
    scope: Scope | None = None  # the scope the value expression is evaluated in


@dataclass(eq=False)
class Scope:
    """A module, function (incl. lambda/comprehension) or class body."""

    kind: Literal["module", "function", "class"]
    parent: Scope | None = None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    params: dict[str, ast.expr | None] = field(default_factory=dict)  # parameter -> default expression
    globals_: set[str] = field(default_factory=set)

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


class Evaluator:
    """Resolves callee names to qualified library names and argument expressions to Values."""

    def __init__(self, star_modules: list[str], segment: Callable[[ast.AST], str]) -> None:
        self.star_modules = star_modules
        self.segment = segment

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

    # ------------------------------------------------------------------ values

    def evaluate(self, node: ast.AST, scope: Scope, line: int, depth: int = 0) -> Value:
        text = self.segment(node)
        if depth > MAX_DEPTH:
            return Value("unresolved", text=text, reason="not a constant (too many indirections)", node=node)
        if isinstance(node, ast.Constant):
            return Value("const", node.value, text=text, node=node)
        if isinstance(node, ast.Name):
            return self._name_value(node, scope, line, depth, text)
        if isinstance(node, ast.Attribute):
            return self._attribute_value(node, scope, line, depth, text)
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node, scope, line, depth, text)
        if isinstance(node, ast.BinOp):
            return self._binop(node, scope, line, depth, text)
        if isinstance(node, ast.Call):
            return self._call_value(node, scope, line, depth, text)
        return Value("unresolved", text=text, reason="not a constant", node=node)

    def _name_value(self, node: ast.Name, scope: Scope, line: int, depth: int, text: str) -> Value:
        name = node.id
        for s in scope.chain():
            if name in s.params:
                default = s.params[name]
                candidates: tuple[str, ...] = ()
                if default is not None:
                    d = self.evaluate(default, s.parent or s, line, depth + 1)
                    if d.kind == "const" and isinstance(d.value, str):
                        candidates = (d.value,)
                return Value("unresolved", text=text, reason="argument is a function parameter", candidates=candidates, node=node)
            bindings = s.bindings.get(name)
            if not bindings:
                continue
            kinds = {b.kind for b in bindings}
            if kinds == {"import"}:
                quals = {b.qualname for b in bindings}
                if len(quals) == 1:
                    return Value("dotted", quals.pop(), text=text, node=node)
            if "import" in kinds or "relimport" in kinds:
                return Value("unresolved", text=text, reason=f"not a constant ('{name}' is imported from another module; not followed)", node=node)
            if "def" in kinds:
                return Value("unresolved", text=text, reason=f"not a constant ('{name}' is a function or class)", node=node)
            if "assign" in kinds:
                return Value("unresolved", text=text, reason=f"not a constant ('{name}' is computed at run time)", node=node)
            values = [self.evaluate(b.node, b.scope or s, b.line, depth + 1) for b in bindings if b.node is not None]
            bad = [v for v in values if v.kind not in ("const", "dotted")]
            if bad:
                # Keep the innermost cause short: a parameter or several values matter to the reader, the rest is run time.
                inner = bad[0]
                if len(values) == 1 and inner.kind == "call":
                    # ``m = hf_hub_download(...)``: keep the call so a loader can see where the value came from.
                    reason = f"not a constant ('{name}' is computed at run time)"
                    return Value("call", inner.value, text=text, reason=reason, node=inner.node)
                if inner.reason in ("argument is a function parameter", "attribute of a function parameter") or inner.candidates:
                    return Value("unresolved", text=text, reason=inner.reason, candidates=inner.candidates, node=node)
                return Value("unresolved", text=text, reason=f"not a constant ('{name}' is computed at run time)", node=node)
            distinct = {(v.kind, v.value if v.kind == "dotted" else repr(v.value)) for v in values}
            if len(distinct) > 1:
                cands = tuple(sorted({str(v.value) for v in values}))
                return Value("unresolved", text=text, reason=f"'{name}' is assigned more than one value", candidates=cands, node=node)
            v = values[0]
            return Value(v.kind, v.value, text=text, node=node)
        qual = self._star(name)
        if qual is not None:
            return Value("dotted", qual, text=text, node=node)
        if name in ("True", "False", "None"):
            return Value("const", {"True": True, "False": False, "None": None}[name], text=text, node=node)
        # Unbound (or a builtin): keep the spelling, e.g. an enum from an import this pass could not see.
        return Value("dotted", name, text=text, reason=f"not a constant ('{name}' is not defined in this file)", node=node)

    def _attribute_value(self, node: ast.Attribute, scope: Scope, line: int, depth: int, text: str) -> Value:
        base = self.evaluate(node.value, scope, line, depth + 1)
        if base.kind == "dotted":
            return Value("dotted", f"{base.value}.{node.attr}", text=text, reason=base.reason, node=node)
        if base.kind == "unresolved" and base.reason == "argument is a function parameter":
            return Value("unresolved", text=text, reason="attribute of a function parameter", node=node)
        return Value("unresolved", text=text, reason="not a constant (attribute of a run-time object)", node=node)

    def _fstring(self, node: ast.JoinedStr, scope: Scope, line: int, depth: int, text: str) -> Value:
        out: list[str] = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(str(part.value))
                continue
            if not isinstance(part, ast.FormattedValue):
                return Value("unresolved", text=text, reason="f-string with a non-constant part", node=node)
            v = self.evaluate(part.value, scope, line, depth + 1)
            if v.kind != "const":
                return Value("unresolved", text=text, reason="f-string with a non-constant part", candidates=v.candidates, node=node)
            spec = ""
            if part.format_spec is not None:
                s = self.evaluate(part.format_spec, scope, line, depth + 1)
                if s.kind != "const":
                    return Value("unresolved", text=text, reason="f-string with a non-constant part", node=node)
                spec = str(s.value)
            value = v.value
            try:
                if part.conversion == ord("r"):
                    value = repr(value)
                elif part.conversion == ord("a"):
                    value = ascii(value)
                elif part.conversion == ord("s"):
                    value = str(value)
                out.append(format(value, spec))
            except (ValueError, TypeError):
                return Value("unresolved", text=text, reason="f-string that cannot be formatted statically", node=node)
        return Value("const", "".join(out), text=text, node=node)

    def _binop(self, node: ast.BinOp, scope: Scope, line: int, depth: int, text: str) -> Value:
        left = self.evaluate(node.left, scope, line, depth + 1)
        right = self.evaluate(node.right, scope, line, depth + 1)
        if left.kind == "const" and right.kind == "const":
            a, b = left.value, right.value
            if isinstance(node.op, ast.Add) and type(a) is type(b) and isinstance(a, (str, int)):
                return Value("const", a + b, text=text, node=node)
            # Path("weights") / "best.pt": both sides constant means one of them was a Path.
            if isinstance(node.op, ast.Div) and isinstance(a, str) and isinstance(b, str):
                return Value("const", _join(a, b), text=text, node=node)
            if isinstance(node.op, ast.Mod) and isinstance(a, str) and len(a) < 1000:
                try:
                    return Value("const", a % b, text=text, node=node)
                except (TypeError, ValueError):
                    pass
        return Value("unresolved", text=text, reason="not a constant (computed at run time)", node=node)

    def _call_value(self, node: ast.Call, scope: Scope, line: int, depth: int, text: str) -> Value:
        callee = self.qualname(node.func, scope, line)
        builtin_str = isinstance(node.func, ast.Name) and node.func.id == "str" and callee is None and not _bound(node.func.id, scope)
        if (callee in PATH_CALLS or callee in JOIN_CALLS or builtin_str) and node.args and not node.keywords:
            parts = [self.evaluate(a, scope, line, depth + 1) for a in node.args]
            if all(p.kind == "const" and isinstance(p.value, str) for p in parts):
                if builtin_str and len(parts) == 1:
                    return Value("const", parts[0].value, text=text, node=node)
                if not builtin_str:
                    joined = parts[0].value
                    for p in parts[1:]:
                        joined = _join(joined, p.value)
                    return Value("const", joined, text=text, node=node)
        return Value("call", callee, text=text, node=node)


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
