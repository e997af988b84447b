"""Name bindings per scope, and which of them reach a use (straight-line reaching definitions, loops included)."""

from __future__ import annotations

import ast
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Literal

BindingKind = Literal["import", "relimport", "def", "value", "assign"]
Position = tuple[int, int]
END: Position = (1 << 30, 0)
# A use reached by more bindings than this is not worth a union (the name is a run-time variable).
MAX_REACHING = 64


@dataclass(eq=False)
class RowSource:
    """The rows a name is bound from: a ``for`` loop over ``iter`` (or a comprehension), or the values of a
    ``pytest.mark.parametrize`` decorator. Each bound name is one ``path`` (tuple indexes) into a row."""

    iter: ast.expr
    scope: Scope  # where ``iter`` is evaluated
    line: int
    what: str = "loop"  # "loop" | "parametrize"


@dataclass(eq=False, slots=True)
class Binding:
    """One binding of a name: where, how, and (for imports) the qualified name or (for values) the expression.

    ``inner`` is the body scope of a ``def``/``class`` binding; relative imports carry a root-relative dotted
    ``qualname`` (``src.pkg.settings.WEIGHTS``) so the project index can follow them. ``at``/``end`` are the
    statement's start and the position from which the binding is in effect; ``straight`` says it is a statement
    of the scope's own body (it always runs), ``block`` where the nested block holding it ends (every later
    position of that block sees it); ``row``/``path`` name a loop target's source. ``unpack`` is the value a tuple
    target takes apart (``weights, conf = PRESETS[mode]``): this name is item ``path`` of it.
    """

    line: int
    kind: BindingKind
    qualname: str | None = None
    node: ast.expr | None = None
    scope: Scope | None = None  # the scope the value expression is evaluated in
    inner: Scope | None = None
    at: Position = (0, 0)
    end: Position = (0, 0)
    straight: bool = False
    block: Position = (0, 0)  # where the nested block holding the statement ends ((0, 0): none, or the scope's body)
    row: RowSource | None = None
    path: tuple[int, ...] = ()
    unpack: ast.expr | None = None


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
    cli_defaults: dict[str, tuple[ast.expr | None, ast.expr | None, ast.AST]] = field(default_factory=dict)  # default, choices, decorator
    # Classes: ``self.X = value`` inside its methods -> [(value, method scope, line)].
    self_attrs: dict[str, list[tuple[ast.expr, Scope, int]]] = field(default_factory=dict)
    # Modules: ``opt.ckpt = value`` anywhere in the file (a plain name's attribute) -> [(name, value, scope)]; a
    # script that sets a parsed option itself gives it that value too (evaluator, argparse options).
    name_attrs: dict[str, list[tuple[str, ast.expr, Scope]]] = field(default_factory=dict)
    # Functions: the expressions their own ``return`` statements give (found on first use, evaluator._returns).
    returns: list[ast.expr] | None = None
    # Loops of this scope's body that no other loop of the scope encloses: (start, end), in source order.
    loops: list[tuple[Position, Position]] = field(default_factory=list)
    # name -> (bindings sorted by end, their ends, index of the last straight binding up to each)
    _reach: dict[str, tuple[list[Binding], list[Position], list[int]]] = field(default_factory=dict)

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

    def add_loop(self, start: Position, end: Position) -> None:
        if self.loops and start < self.loops[-1][1]:
            return  # nested in the previous loop: the outer one decides
        self.loops.append((start, end))

    def reaching(self, name: str, bindings: list[Binding], pos: Position | None) -> tuple[list[Binding], bool]:
        """The bindings of ``name`` (in this scope) that may be in effect at ``pos`` (None: after the scope ran),
        and whether one of them always runs (it hides whatever the name held before)."""
        if len(bindings) == 1:
            b = bindings[0]
            if pos is None or b.end <= pos or self._in_loop_with(b, pos):
                return bindings, b.straight or (pos is not None and b.end <= pos < b.block)
            return [], False
        info = self._reach.get(name)
        if info is None:
            ordered = sorted(bindings, key=lambda b: b.end)
            last, straight = [], -1
            for i, b in enumerate(ordered):
                if b.straight:
                    straight = i
                last.append(straight)
            info = self._reach[name] = (ordered, [b.end for b in ordered], last)
        ordered, ends, last = info
        k = len(ordered) if pos is None else bisect_right(ends, pos)
        first = last[k - 1] if k else -1
        if pos is not None:
            # A binding earlier in the same nested block as the use hides what came before it (``if a: url = x``
            # then ``if b: url = y; get(url)`` reads only y).
            for i in range(k - 1, first, -1):
                b = ordered[i]
                if pos < b.block:
                    if self.loops and (loop := self._loop_at(pos)) is not None and loop[0] <= b.at:
                        # The block is inside a loop: later bindings of the block may come round again.
                        return ordered[i:k] + ordered[k:bisect_right(ends, b.block)], True
                    first = i
                    break
        chosen = ordered[max(first, 0):k]
        if pos is not None and self.loops:
            loop = self._loop_at(pos)
            if loop is not None:
                chosen = chosen + ordered[k:bisect_right(ends, loop[1])]
        return chosen, first >= 0

    def _loop_at(self, pos: Position) -> tuple[Position, Position] | None:
        i = bisect_right(self.loops, (pos, END)) - 1
        if i >= 0 and self.loops[i][0] <= pos < self.loops[i][1]:
            return self.loops[i]
        return None

    def _in_loop_with(self, b: Binding, pos: Position) -> bool:
        loop = self._loop_at(pos) if self.loops else None
        return loop is not None and loop[0] <= b.at and b.end <= loop[1]


def position(node: ast.AST, line: int) -> Position:
    """Where a use is (its line and column; ``line`` for a node made by the analysis)."""
    lineno = getattr(node, "lineno", None)
    return (lineno, node.col_offset) if lineno is not None and lineno < 10**8 else (line, 0) if line < 10**8 else END


def pick(bindings: list[Binding], line: int, *, sequential: bool) -> Binding:
    """The binding in effect at ``line``: the last one before it in straight-line code, else the last one."""
    bindings = sorted(bindings, key=lambda b: b.line)
    if sequential:
        before = [b for b in bindings if b.line <= line]
        if before:
            return before[-1]
        return bindings[0]
    return bindings[-1]
