"""One ``ast`` pass over a Python module: import table, scopes and bindings, calls (analysis is in project.py)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from vlicense.discovery.bindings import Binding, Position, RowSource, Scope
from vlicense.discovery.evaluator import Evaluator
from vlicense.discovery.loaders import CATALOG, LOADERS_BY_MODULE
from vlicense.discovery.loaders.base import Reference
from vlicense.model import Location

_NEWLINE = re.compile(r"\r\n|\r|\n")
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
SETUP_CALLS = frozenset({"setuptools.setup", "distutils.core.setup"})
# Nodes that hold no call and bind no name: never pushed on the walk stack.
_LEAF_TYPES = frozenset(
    {ast.Name, ast.Constant, ast.alias}
    | {c for base in (ast.expr_context, ast.operator, ast.cmpop, ast.unaryop, ast.boolop) for c in base.__subclasses__()}
)
_STMT_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")
class PythonSyntaxError(Exception):
    """The source is not Python 3 this interpreter can parse; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class RawImport:
    """An absolute import's top-level module and where it is (first-party/stdlib filtering happens later); for a
    namespace package (``google.colab``, ``google.cloud.storage``) the dotted name, since its top level is shared
    by unrelated distributions (see import_name)."""

    module: str
    location: Location
    # (folder as written, where) when the import follows a ``sys.path`` edit adding a folder the tree does not hold
    # (a separate checkout): the module may be that checkout's, not a distribution of the same name.
    checkout: tuple[str, Location] | None = None


@dataclass
class ModuleFacts:
    """What one Python module contributes to discovery."""

    imports: list[RawImport] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    # setup.py only: (requirement text, group, line) from literal install_requires/extras_require.
    setup_requirements: list[tuple[str, str, int]] = field(default_factory=list)
    setup_problems: list[str] = field(default_factory=list)
    # setup.py only: the distribution name when setup(name=...) is a literal.
    setup_name: str | None = None
    # Module-level ``from <module> import *`` of modules that may be the project's: (dotted name, root-relative).
    star_imports: list[tuple[str, bool]] = field(default_factory=list)


class SourceText:
    """Lines of a source string, for snippets and expression text (columns in ast are UTF-8 byte offsets)."""

    def __init__(self, source: str) -> None:
        # str.split when only "\n" ends lines (the usual case): the same list, without the regex engine.
        self.lines = source.split("\n") if "\r" not in source else _NEWLINE.split(source)

    def line(self, lineno: int) -> str:
        return self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""

    def snippet(self, lineno: int) -> str:
        return self.line(lineno).strip()[:200]

    def column(self, lineno: int, col_offset: int) -> int:
        """1-based character column from a byte offset."""
        text = self.line(lineno)
        if text.isascii():
            return col_offset + 1
        return len(text.encode("utf-8")[:col_offset].decode("utf-8", "replace")) + 1

    def segment(self, node: ast.AST) -> str:
        try:
            start, end = node.lineno, node.end_lineno
            scol, ecol = node.col_offset, node.end_col_offset
        except AttributeError:
            return ""
        if end is None or ecol is None:
            return ""
        if start == end:
            return self.line(start).encode("utf-8")[scol:ecol].decode("utf-8", "replace")
        first = self.line(start).encode("utf-8")[scol:].decode("utf-8", "replace")
        middle = [self.line(n) for n in range(start + 1, end)]
        last = self.line(end).encode("utf-8")[:ecol].decode("utf-8", "replace")
        return "\n".join([first, *middle, last])


Locate = Callable[[int, int], Location]


# Top-level packages shared by many unrelated distributions (PEP 420 namespaces): ``google.colab`` is google-colab,
# ``google.cloud.storage`` google-cloud-storage, ``google.protobuf`` protobuf; the top level alone names none of them.
NAMESPACE_ROOTS = frozenset({"google", "azure"})


def import_name(dotted: str) -> str:
    """The module name an import is reported by: its top level, or up to three parts under a namespace root."""
    top, _, rest = dotted.partition(".")
    if top in NAMESPACE_ROOTS and rest:
        return ".".join(dotted.split(".")[:3])
    return top


def parse(source: str, filename: str) -> ast.Module:
    """Parse Python 3 source; every failure becomes PythonSyntaxError with a readable reason."""
    try:
        return ast.parse(source, filename=filename)
    except SyntaxError as exc:
        detail = exc.msg or "invalid syntax"
        raise PythonSyntaxError(f"not valid Python 3 syntax (line {exc.lineno or 0}: {detail})", exc.lineno or 0) from exc
    except (ValueError, TypeError) as exc:
        raise PythonSyntaxError(f"not valid Python source ({exc})") from exc
    except (RecursionError, MemoryError) as exc:
        raise PythonSyntaxError("source too deeply nested to parse") from exc


def is_loader_call(qualname: str) -> bool:
    """Whether some loader handles calls to ``qualname``."""
    return any(loader.handles(qualname) for loader in LOADERS_BY_MODULE.get(qualname.split(".", 1)[0], ()))


# Attribute names the catalog has callees for on returned objects (``get_cfg().MODEL.WEIGHTS``).
ASSIGNED_ATTRS = CATALOG.method_names


def walk_module(tree: ast.Module, module: Scope, calls, facts: ModuleFacts, star_modules: list[str], locate: Locate,
          package: tuple[str, ...] = (), functions: list[Scope] | None = None) -> None:
    """Bind every name and collect every call. ``package``: the file's directory as root-relative parts (so a
    relative import gets a root-relative dotted name); ``functions`` receives each def's scope."""
    # Pre-order, source-order traversal with an explicit stack (deep expressions must not hit the recursion limit).
    stack: list[tuple[ast.AST, Scope]] = [(tree, module)]
    # Statements of a scope's own body (not under an if/for/while/try): their bindings always run.
    straight: set[int] = {id(s) for s in tree.body}
    # Statements of a nested block (an if/else branch, a loop or with body, a try clause) -> where that block ends:
    # a binding there is in effect at every later position of its block (see Scope.reaching).
    blocks: dict[int, Position] = {}
    push = stack.append
    while stack:
        node, scope = stack.pop()
        kind = type(node)
        children: list[tuple[ast.AST, Scope]] | None = None
        if kind not in _SPECIAL_KINDS:
            pass  # most nodes: only their children matter
        elif kind is ast.Call:
            calls.append((node, scope))
        elif kind is ast.Import:
            where = _where(node, straight, blocks)
            for alias in node.names:
                top = alias.name.split(".", 1)[0]
                facts.imports.append(RawImport(import_name(alias.name), locate(node.lineno, node.col_offset)))
                if alias.asname:
                    scope.bind(alias.asname, Binding(node.lineno, "import", qualname=alias.name, **where))
                else:
                    scope.bind(top, Binding(node.lineno, "import", qualname=top, **where))
        elif kind is ast.ImportFrom:
            where = _where(node, straight, blocks)
            if node.level:
                base = _relative_base(package, node.level, node.module)
                for alias in node.names:
                    if alias.name != "*":
                        qual = f"{base}.{alias.name}" if base else (alias.name if base == "" else None)
                        scope.bind(alias.asname or alias.name, Binding(node.lineno, "relimport", qualname=qual, **where))
                    elif base and scope is module:
                        facts.star_imports.append((base, True))
            elif node.module:
                facts.imports.append(RawImport(import_name(node.module), locate(node.lineno, node.col_offset)))
                for alias in node.names:
                    if alias.name == "*":
                        if node.module.split(".", 1)[0] in LOADERS_BY_MODULE:
                            star_modules.append(node.module)
                        elif scope is module:
                            facts.star_imports.append((node.module, False))
                    else:
                        scope.bind(alias.asname or alias.name, Binding(node.lineno, "import", qualname=f"{node.module}.{alias.name}", **where))
        elif kind in _FUNCTIONS or kind is ast.Lambda:
            inner = Scope("function", scope, name=getattr(node, "name", "<lambda>"), node=node)
            if kind is not ast.Lambda:
                scope.bind(node.name, Binding(node.lineno, "def", inner=inner, **_where(node, straight, blocks)))
                straight.update(id(s) for s in node.body)
                if functions is not None:
                    functions.append(inner)
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in getattr(node, "decorator_list", []))
            if scope.kind == "class" and positional and not static:
                inner.self_name = positional[0].arg
            defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
            for a, d in zip(positional, defaults):
                inner.params[a.arg] = d
            for a, d in zip(args.kwonlyargs, args.kw_defaults):
                inner.params[a.arg] = d
            for a in (args.vararg, args.kwarg):
                if a is not None:
                    inner.params[a.arg] = None
            children = [(d, scope) for d in getattr(node, "decorator_list", [])]
            children += [(d, scope) for d in [*args.defaults, *args.kw_defaults] if d is not None]
            body = node.body if isinstance(node.body, list) else [node.body]
            children += [(s, inner) for s in body]
        elif kind is ast.ClassDef:
            inner = Scope("class", scope, name=node.name, node=node)
            scope.bind(node.name, Binding(node.lineno, "def", inner=inner, **_where(node, straight, blocks)))
            straight.update(id(s) for s in node.body)
            children = [(d, scope) for d in node.decorator_list]
            children += [(b, scope) for b in node.bases] + [(k.value, scope) for k in node.keywords]
            children += [(s, inner) for s in node.body]
        elif kind in _COMPREHENSIONS:
            inner = Scope("function", scope)
            children = []
            for i, gen in enumerate(node.generators):
                row = RowSource(gen.iter, scope if i == 0 else inner, node.lineno)
                _bind_target(gen.target, inner, node.lineno, None, {}, row)
                children.append((gen.iter, scope if i == 0 else inner))
                children += [(c, inner) for c in gen.ifs]
            if kind is ast.DictComp:
                children += [(node.key, inner), (node.value, inner)]
            else:
                children.append((node.elt, inner))
        elif kind is ast.Assign:
            where = _where(node, straight, blocks)
            for target in node.targets:
                _bind_target(target, scope, node.lineno, node.value, where)
                if type(target) is ast.Attribute and target.attr in ASSIGNED_ATTRS:
                    # ``cfg.MODEL.WEIGHTS = x``: a catalog attribute callee, analyzed as a call with x as argument 0.
                    calls.append((ast.copy_location(ast.Call(target, [node.value], []), node), scope))
                if (scope.self_name and type(target) is ast.Attribute and type(target.value) is ast.Name
                        and target.value.id == scope.self_name and scope.parent is not None):
                    # ``self.weights = ...`` in a method: a candidate for ``self.weights`` anywhere in the class.
                    scope.parent.self_attrs.setdefault(target.attr, []).append((node.value, scope, node.lineno))
                elif type(target) is ast.Attribute and type(target.value) is ast.Name:
                    module.name_attrs.setdefault(target.attr, []).append((target.value.id, node.value, scope))
        elif kind is ast.AnnAssign:
            if node.value is not None and isinstance(node.target, ast.Name):
                scope.bind(node.target.id, Binding(node.lineno, "value", node=node.value, **_where(node, straight, blocks)))
        elif kind is ast.AugAssign:
            _bind_target(node.target, scope, node.lineno, None, _where(node, straight, blocks))
        elif kind in (ast.For, ast.AsyncFor):
            scope.add_loop((node.lineno, node.col_offset), (node.end_lineno or node.lineno, node.end_col_offset or 0))
            it = node.iter
            # Not straight (the loop may not run), but every position of its body sees the target: a name reused
            # by two loops in a row (``for name in first: ...`` then ``for name in second: load(name)``) reads
            # only the second loop's rows there.
            last = node.body[-1]
            where = {"at": (node.lineno, node.col_offset), "end": (it.end_lineno or it.lineno, it.end_col_offset or 0),
                     "block": (last.end_lineno or last.lineno, last.end_col_offset or 0)}
            _bind_target(node.target, scope, node.lineno, None, where, RowSource(it, scope, node.lineno))
        elif kind is ast.While:
            scope.add_loop((node.lineno, node.col_offset), (node.end_lineno or node.lineno, node.end_col_offset or 0))
        elif kind in (ast.With, ast.AsyncWith):
            if id(node) in straight:
                straight.update(id(s) for s in node.body)
            for item in node.items:
                if item.optional_vars is not None:
                    _bind_target(item.optional_vars, scope, node.lineno, _opened_path(item.context_expr), _where(node, straight, blocks, head=item.context_expr))
        elif kind is ast.ExceptHandler:
            if node.name:
                scope.bind(node.name, Binding(node.lineno, "assign", **_where(node, set(), blocks)))
        elif kind is ast.NamedExpr:
            _bind_target(node.target, scope, node.lineno, node.value, _where(node, set(), blocks))
        elif kind is ast.Global:
            scope.globals_.update(node.names)
        if kind in _BLOCK_KINDS:
            for name in _BLOCK_FIELDS:
                block = getattr(node, name, None)
                if block and type(block) is list and isinstance(block[0], ast.stmt):
                    last = block[-1]
                    end = (last.end_lineno or last.lineno, last.end_col_offset or 0)
                    for stmt in block:
                        blocks[id(stmt)] = end
        if children is None:
            # Pushed last field first, last item first: popped in source order.
            for name in _child_fields(kind):
                value = getattr(node, name, None)
                if type(value) is list:
                    for c in reversed(value):
                        if type(c) not in _LEAF_TYPES and isinstance(c, ast.AST):
                            push((c, scope))
                elif value is not None and type(value) not in _LEAF_TYPES and isinstance(value, ast.AST):
                    push((value, scope))
        else:
            stack.extend(reversed(children))


# Compound statements and the fields holding their blocks of statements.
_BLOCK_KINDS = frozenset({ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.ExceptHandler,
                          ast.match_case, *([ast.TryStar] if hasattr(ast, "TryStar") else [])})
_BLOCK_FIELDS = ("body", "orelse", "finalbody")
# Nodes walk_module handles itself (the rest only have children to visit).
_SPECIAL_KINDS = frozenset({
    ast.Call, ast.Import, ast.ImportFrom, *_FUNCTIONS, ast.Lambda, ast.ClassDef, *_COMPREHENSIONS, ast.Assign,
    ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.ExceptHandler,
    ast.NamedExpr, ast.Global,
})
# Fields that never hold a child worth visiting (identifiers, contexts, operators, flags).
_SKIP_FIELDS = frozenset({"ctx", "id", "attr", "name", "names", "level", "module", "kind", "type_comment", "conversion", "is_async", "op", "ops", "asname"})
_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    """A node type's child fields, last first (walk_module pushes them on a stack)."""
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _FIELDS[kind] = tuple(reversed([f for f in kind._fields if f not in _SKIP_FIELDS]))
    return fields


def imports_only(tree: ast.Module, facts: ModuleFacts, locate: Locate) -> None:
    stack: list[ast.AST] = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Import:
            for alias in node.names:
                facts.imports.append(RawImport(import_name(alias.name), locate(node.lineno, node.col_offset)))
        elif kind is ast.ImportFrom:
            if not node.level and node.module:
                facts.imports.append(RawImport(import_name(node.module), locate(node.lineno, node.col_offset)))
        else:
            for name in _STMT_BLOCKS:
                block = getattr(node, name, None)
                if block:
                    stack.extend(reversed(block))


def _relative_base(package: tuple[str, ...], level: int, module: str | None) -> str | None:
    """``from ..x import y`` in ``a/b/c.py`` -> ``a.x`` (None when it climbs above the root)."""
    if level - 1 > len(package):
        return None
    parts = list(package[: len(package) - (level - 1)])
    if module:
        parts += module.split(".")
    return ".".join(parts)


def _where(node: ast.AST, straight: set[int], blocks: dict[int, Position], head: ast.AST | None = None) -> dict:
    """A binding statement's start, the position from which it is in effect, whether it always runs, and where
    the block it belongs to ends."""
    last = head or node
    end = (getattr(last, "end_lineno", None) or node.lineno, getattr(last, "end_col_offset", None) or 0)
    return {"at": (node.lineno, node.col_offset), "end": end, "straight": id(node) in straight,
            "block": blocks.get(id(node), (0, 0))}


def _opened_path(expr: ast.expr) -> ast.expr | None:
    """``open(path, "rb")`` -> ``path``: ``with open(p, "rb") as f: torch.load(f)`` loads the file ``p``."""
    if (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "open" and expr.args
            and not isinstance(expr.args[0], ast.Starred)):
        return expr.args[0]
    return None


def _bind_target(target: ast.AST, scope: Scope, line: int, value: ast.expr | None, where: dict,
                 row: RowSource | None = None, path: tuple[int, ...] = (), unpack: ast.expr | None = None) -> None:
    if isinstance(target, ast.Name):
        if value is not None:
            scope.bind(target.id, Binding(line, "value", node=value, **where))
        else:
            scope.bind(target.id, Binding(line, "assign", row=row, path=path, unpack=unpack, **where))
    elif isinstance(target, (ast.Tuple, ast.List)):
        values = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
        if values is not None and len(values) == len(target.elts) and not any(isinstance(v, ast.Starred) for v in values):
            for t, v in zip(target.elts, values):
                _bind_target(t, scope, line, v, where)
        else:
            starred = any(isinstance(t, ast.Starred) for t in target.elts)
            # ``weights, conf = PRESETS[mode]``: each name is one item of the value (a loop target's rows use ``row``).
            # Only a table read (a subscript or a name): unpacking what a call returns would make every caller of
            # ``loc, x = resolve(cfg)`` a wrapper call site whose value is still unknown (timm's builder: thousands of
            # unresolved entries at its model factories, and 3x the time).
            table = unpack if unpack is not None else (value if isinstance(value, (ast.Subscript, ast.Name, ast.Attribute)) else None)
            whole = None if starred or row is not None else table
            for i, t in enumerate(target.elts):
                _bind_target(t, scope, line, None, where, None if starred else row, (*path, i), whole)
    elif isinstance(target, ast.Starred):
        _bind_target(target.value, scope, line, None, where)


def setup_requirements(node: ast.Call, scope: Scope, evaluator: Evaluator, facts: ModuleFacts) -> None:
    """Literal name, install_requires and extras_require of a setup() call (the AST only; setup.py is never run)."""
    for kw in node.keywords:
        if kw.arg == "name":
            name = evaluator.evaluate(kw.value, scope, node.lineno)
            if name is not None and name.kind == "const" and isinstance(name.value, str) and name.value.strip():
                facts.setup_name = name.value.strip()
        elif kw.arg == "install_requires":
            _literal_list(kw.value, "runtime", scope, evaluator, facts)
        elif kw.arg == "extras_require":
            if isinstance(kw.value, ast.Dict):
                for key, value in zip(kw.value.keys, kw.value.values):
                    extra = evaluator.evaluate(key, scope, node.lineno) if key is not None else None
                    if extra is None or extra.kind != "const" or not isinstance(extra.value, str):
                        facts.setup_problems.append(f"line {node.lineno}: extras_require key is not a literal")
                        continue
                    _literal_list(value, f"optional:{extra.value}", scope, evaluator, facts)
            else:
                facts.setup_problems.append(f"line {kw.value.lineno}: extras_require is not a literal dict")


def _literal_list(node: ast.expr, group: str, scope: Scope, evaluator: Evaluator, facts: ModuleFacts) -> None:
    if isinstance(node, ast.Name):
        for s in scope.chain():
            bindings = s.bindings.get(node.id)
            if bindings and len(bindings) == 1 and bindings[0].node is not None:
                node = bindings[0].node
                break
    if not isinstance(node, (ast.List, ast.Tuple)):
        facts.setup_problems.append(f"line {node.lineno}: {group} requirements are not a literal list")
        return
    for elt in node.elts:
        v = evaluator.evaluate(elt, scope, elt.lineno)
        if v.kind == "const" and isinstance(v.value, str):
            facts.setup_requirements.append((v.value, group, elt.lineno))
        else:
            facts.setup_problems.append(f"line {elt.lineno}: requirement is not a literal")
