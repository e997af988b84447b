"""Per-file analysis with cross-module value lookups and first-party wrapper functions (static, never imported).

A file's result (FileResult) depends on its own text and on the project files its analysis consulted; those
are recorded in ``deps`` so a cached result is reused only while every one of them is unchanged.

Wrappers: a project function whose loader call reads one of its parameters (``def load(name): return
YOLO(name)``) is a wrapper; every call of it in the project is analyzed as a load at the call site with the
call's arguments (wrappers of wrappers up to MAX_WRAPPER_DEPTH). The loader call inside the wrapper, analyzed
on its own, yields a reference "tagged" with the wrapper's key; tagged references are dropped at link time
when some file calls that wrapper (the call sites carry the real values), and kept otherwise (with the
parameter's default, or unresolved).
"""

from __future__ import annotations

import ast
import bisect
import contextlib
import dataclasses
import itertools
import posixpath
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from vlicense.discovery import recover
from vlicense.discovery import preprocessing
from vlicense.discovery.bindings import Binding, Scope
from vlicense.discovery.budget import BudgetExceeded, Tracker
from vlicense.discovery.configvalues import config_value
from vlicense.discovery.evaluator import (
    CLICK_DECORATORS,
    MAX_ROWS,
    PARAM_REASONS,
    STAR_REASON,
    ConfigFrame,
    Evaluator,
    Frame,
    _bases,
    _dotted,
)
from vlicense.discovery.loaders import LOADERS_BY_MODULE, callee_name, keyed_calls, through_partial
from vlicense.discovery.values import union
from vlicense.discovery.loaders.by_name import WEIGHT_KEYWORDS, named_weights, unnamed_weight_keywords
from vlicense.discovery.loaders.base import (
    CallLoader,
    _clip,
    CallSite,
    Reference,
    Value,
    is_project_dir_factory,
)
from vlicense.discovery.python_ast import (
    SETUP_CALLS,
    ModuleFacts,
    PythonSyntaxError,
    RawImport,
    SourceText,
    is_loader_call,
    setup_requirements,
    walk_module,
)
from vlicense.discovery.sources import (
    MAX_PYTHON_BYTES,
    Unreadable,
    decode_python,
    read_bytes,
)
from vlicense.model import HygieneObservation, Location, ModelReference, RequirementReference, SkippedFile, UnresolvedReference

_CLASS_BASES = re.compile(r"class\s+\w+\s*\(([^)]*)\)")
_WORD = re.compile(r"\w+")
MAX_WRAPPER_DEPTH = 4
MAX_STAR_DEPTH = 3
MAX_CHOICE_EXPANSION = 2


@dataclass
class FileResult:
    """What one file contributes, before linking (cacheable: plain data only)."""

    rel: str
    imports: list[RawImport] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    tagged: list[tuple[str, Reference]] = field(default_factory=list)
    called: list[str] = field(default_factory=list)
    # (caller, callee) wrapper keys: the caller passes its own parameters on to the callee (see _wrapper_call).
    forwards: list[tuple[str, str]] = field(default_factory=list)
    wrapper_names: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    setup_requirements: list[tuple[str, str, int]] = field(default_factory=list)
    setup_problems: list[str] = field(default_factory=list)
    setup_lines: list[str] = field(default_factory=list)
    setup_name: str | None = None
    # Notebooks: ``!pip install x`` lines (group = the notebook's scope label).
    requirements: list[RequirementReference] = field(default_factory=list)
    # Fast (imports-only) results: what the imports name, to spot callers of project wrappers without a re-read.
    import_names: list[str] = field(default_factory=list)
    # A notebook read without parsing its code (it cannot reach a loader): imports and shell commands only.
    light: bool = False
    # rel path (or "dir:<rel>" for a directory check, "*" for a whole-project search) -> existed
    deps: dict[str, bool] = field(default_factory=dict)
    # Model hygiene: preprocessing that reaches the models this module loads (discovery/preprocessing.py).
    hygiene: list[HygieneObservation] = field(default_factory=list)


@dataclass
class _Entry:
    """One load inside a wrapper: a loader call, or a call of another wrapper."""

    call: ast.Call
    scope: Scope
    loader: CallLoader | None = None
    target: tuple | None = None  # (ModuleAnalysis, function Scope, skip_self)


class ModuleAnalysis:
    """One parsed module: scopes, calls, argparse options; ``run()`` yields its references (memoized)."""

    def __init__(self, index: ProjectIndex | None, rel: str, source: str, tree: ast.Module, *, scope_label: str,
                 locate: Callable[[int, int], Location] | None = None, is_setup: bool = False) -> None:
        self.index = index
        self.rel = rel
        self.text = SourceText(source)
        self.source = source
        self.tree = tree
        self.scope_label = scope_label
        self.is_setup = is_setup
        self.locate = locate or self._locate
        self.module = Scope("module", name=rel)
        self.calls: list[tuple[ast.Call, Scope]] = []
        self.facts = ModuleFacts()
        self.functions: list[Scope] = []
        star: list[str] = []
        package = tuple(PurePosixPath(rel).parent.parts) if "/" in rel else ()
        walk_module(tree, self.module, self.calls, self.facts, star, self.locate, package, self.functions)
        self.calls.sort(key=lambda c: (c[0].lineno, c[0].col_offset))
        self.evaluator = Evaluator(star, self.text.segment, owner=self)
        self.argparse = self._argparse()
        self._click()
        self.classes = [b.inner for bs in _all_bindings(self.module) for b in bs if b.inner is not None and b.inner.kind == "class"]
        self.wrappers: dict[Scope, list[_Entry]] = {}
        self.result: FileResult | None = None
        self._running = False
        root = index.base if index is not None else Path(".")
        check = is_project_dir_factory(root, _parent(rel))

        def is_dir(path: str) -> bool:
            found = check(path)
            if self.index is not None:
                self.index.record(f"dir:{_parent(rel)}|{path}", found)
            return found

        self.is_dir = is_dir

    def _locate(self, line: int, col: int) -> Location:
        return Location(self.rel, line, self.text.column(line, col), self.text.snippet(line))

    def dispose(self) -> None:
        """Break this analysis' reference cycles (scopes and their bindings, the evaluator and its owner) once the
        run is over: its syntax tree is then freed at once by reference counting, not by a later full collection
        that walks every node of every tree (seconds on a large project)."""
        todo = [self.module, *self.functions, *self.classes, *(scope for _, scope in self.calls)]
        seen: set[int] = set()
        while todo:
            scope = todo.pop()
            if scope is None or id(scope) in seen:
                continue
            seen.add(id(scope))
            todo.append(scope.parent)
            for bindings in scope.bindings.values():
                todo += [b.scope for b in bindings] + [b.inner for b in bindings]
            for values in scope.self_attrs.values():
                todo += [method for _, method, _ in values]
            scope.bindings = {}
            scope.self_attrs = {}
            scope.name_attrs = {}
            scope._reach = {}
            scope.parent = None
        vars(self.evaluator).clear()
        vars(self).clear()

    # ------------------------------------------------------------------ preparation

    def _argparse(self) -> dict[str, list[tuple[str, ast.expr | None, ast.expr | None, Scope, ast.Call]]]:
        """``parser.add_argument("--weights", default=..., choices=...)`` -> {"weights": [(flag, default, choices, scope,
        the add_argument call)]}."""
        out: dict[str, list] = {}
        for node, scope in self.calls:
            func = node.func
            if not (isinstance(func, ast.Attribute) and func.attr == "add_argument"):
                continue
            flags = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            kws = {k.arg: k.value for k in node.keywords if k.arg}
            dest_node = kws.get("dest")
            if isinstance(dest_node, ast.Constant) and isinstance(dest_node.value, str):
                dest = dest_node.value
            else:
                longs = [f for f in flags if f.startswith("--")]
                dest = (longs[0] if longs else flags[0] if flags else "").lstrip("-").replace("-", "_")
            if dest.isidentifier():
                flag = next((f for f in flags if f.startswith("--")), flags[0] if flags else dest)
                out.setdefault(dest, []).append((flag, kws.get("default"), kws.get("choices"), scope, node))
        return out

    def _click(self) -> None:
        for fn in self.functions:
            for deco in getattr(fn.node, "decorator_list", []):
                if not isinstance(deco, ast.Call):
                    continue
                if self.evaluator.qualname(deco.func, fn.parent or self.module, deco.lineno) not in CLICK_DECORATORS:
                    continue
                decls = [a.value for a in deco.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                names = [d for d in decls if d.isidentifier()]
                longs = [d for d in decls if d.startswith("--")]
                dest = names[0] if names else (longs[0] if longs else (decls[0] if decls else "")).lstrip("-").replace("-", "_").split("/")[0]
                if dest in fn.params:
                    kws = {k.arg: k.value for k in deco.keywords if k.arg}
                    choices = None
                    typ = kws.get("type")
                    if isinstance(typ, ast.Call) and self.evaluator.qualname(typ.func, fn.parent or self.module, deco.lineno) == "click.Choice" and typ.args:
                        choices = typ.args[0]
                    fn.cli_defaults[dest] = (kws.get("default"), choices, deco)

    # ------------------------------------------------------------------ analysis

    def run(self) -> FileResult:
        """The module's references, wrappers and calls of other modules' wrappers (computed once)."""
        if self.result is not None:
            return self.result
        result = FileResult(self.rel, imports=list(self.facts.imports))
        if self._running:
            return result  # an import cycle through wrappers: the outer run finishes the work
        self._running = True
        recorder = self.index.start_recording() if self.index is not None else None
        budget = self.evaluator.tracker.begin_file(self.rel)
        try:
            self._run(result)
        finally:
            self._running = False
            self.evaluator.tracker.end_file(budget)
            if self.index is not None:
                result.deps = self.index.stop_recording(recorder)
        result.wrapper_names = sorted({_imported_name(s) for s in self.wrappers})
        self.result = result
        return result

    def _run(self, result: FileResult) -> None:
        pending: list[tuple[ast.Call, Scope]] = []
        unnamed: set[int] = set()
        handled: set[int] = set()
        consumed: set[int] = set()
        node: ast.Call | None = None
        try:
            self._mark_checkout_imports()  # evaluates sys.path arguments: inside the budget's handler
            for node, scope in self.calls:
                if id(node) in consumed:
                    continue
                outcome = self._call(result, node, scope, consumed)
                if outcome == "load":
                    handled.add(id(node))
                elif outcome != "setup":
                    self._config_instances(result, node, scope)
                    pending.append((node, scope))
                    if outcome == "unnamed":
                        unnamed.add(id(node))
            # Calls of project functions that are wrappers; repeated so wrappers defined later in the file count.
            done: set[int] = set()
            targets: dict[int, tuple | None] = {}  # which function a call names does not change between rounds
            for _ in range(MAX_WRAPPER_DEPTH):
                progress = False
                for node, scope in pending:
                    if id(node) not in done and self._wrapper_call(result, node, scope, targets):
                        done.add(id(node))
                        progress = True
                if not progress:
                    break
            for node, scope in pending:
                self._ui_events(result, node, scope)
            node = None
            self._by_name(result, [(n, sc) for n, sc in pending if id(n) in unnamed and id(n) not in done], handled | consumed | done)
        except BudgetExceeded as exc:
            # Bounded work: what the budget cuts short is reported, at the call being analyzed.
            where = self.locate(node.lineno, node.col_offset) if node is not None else self.locate(1, 0)
            expression = self.text.segment(node) if node is not None else ""
            result.references.append(UnresolvedReference(where, "python", _clip(expression), f"{exc}; the rest of the file was not analyzed"))
            result.imports = list(self.facts.imports)
            return
        result.imports = list(self.facts.imports)
        try:
            result.hygiene = preprocessing.observe(self, result.references)
        except BudgetExceeded as exc:
            result.references.append(UnresolvedReference(self.locate(1, 0), "python", "", f"{exc}; model hygiene not analyzed"))

    def _mark_checkout_imports(self) -> None:
        """``sys.path.insert(0, "grounded-sam-osx")`` then ``from osx import get_model``: when the folder is not in
        the tree (cloned at setup time), the imports after the edit may be that checkout's modules, not PyPI
        distributions of the same name (``utils``, ``models``, ``config``); they are marked for the resolver."""
        if "sys.path" not in self.source:
            return
        edits: list[tuple[tuple[int, int], str, Location]] = []
        for node, scope in self.calls:
            func = node.func
            position = SYS_PATH_EDITS.get(func.attr) if isinstance(func, ast.Attribute) else None
            if position is None or len(node.args) <= position:
                continue
            if self.evaluator.qualname(func.value, scope, node.lineno) != "sys.path":
                continue
            value = self.evaluator.evaluate(node.args[position], scope, node.lineno)
            folder = value.value if value.kind == "const" and isinstance(value.value, str) else None
            if folder and self._missing_folder(folder):
                where = self.locate(node.lineno, node.col_offset)
                edits.append((_code_order(where), folder, where))
        if not edits:
            return
        edits.sort(key=lambda e: e[0])
        starts = [e[0] for e in edits]
        marked = []
        for raw in self.facts.imports:
            # The last edit before the import (bisect: a file of many edits and imports costs no more than its size).
            i = bisect.bisect_left(starts, _code_order(raw.location)) - 1
            marked.append(dataclasses.replace(raw, checkout=(edits[i][1], edits[i][2])) if i >= 0 and raw.checkout is None else raw)
        self.facts.imports = marked

    def _missing_folder(self, folder: str) -> bool:
        """Whether a relative ``sys.path`` folder names a place inside the tree (from the root or the file's folder)
        that the tree does not hold; absolute and home paths are the machine's, not a checkout the project names."""
        text = folder.replace("\\", "/").rstrip("/")
        if not text or text.startswith(("/", "~", "$")) or re.match(r"^[A-Za-z]:", text):
            return False
        # A relative entry is relative to the working directory: the root, or the file's folder.
        inside = False
        for base in dict.fromkeys([_parent(self.rel), ""]):
            joined = posixpath.normpath(posixpath.join(base, text))
            if joined == ".":
                return False  # the tree's root: its modules are the project's own
            if joined == ".." or joined.startswith("../"):
                continue  # outside the tree (``sys.path.append("..")``): nothing the tree should hold
            if self.is_dir(joined):
                return False
            inside = True
        return inside

    def _call(self, result: FileResult, node: ast.Call, scope: Scope, consumed: set[int]) -> str:
        """Analyze one call: "load" (a loader call, or one through the rows of a loop), "setup" (setup.py),
        "unnamed" (the callee is no library name), "other"."""
        node = through_partial(self.evaluator, node, scope)
        qual = callee_name(self.evaluator, node, scope, node.lineno)
        if qual is None:
            keyed = keyed_calls(self.evaluator, node, scope)
            if keyed and "load" in [self._call(result, call, scope, consumed) for call in keyed]:
                return "load"
            return "load" if self._row_call(result, node, scope, consumed) else "unnamed"
        if self.is_setup and qual in SETUP_CALLS:
            setup_requirements(node, scope, self.evaluator, self.facts)
            result.setup_requirements = list(self.facts.setup_requirements)
            result.setup_problems = list(self.facts.setup_problems)
            result.setup_lines = list(self.text.lines)
            result.setup_name = self.facts.setup_name
            return "setup"
        loader = _loader_for(qual)
        if loader is None:
            # A project name the analysis cannot follow (a module left out of the tree, a registry of the project's
            # own builders) is as opaque as an unnamed callable: its weight keywords are listed (see _by_name).
            return "unnamed" if self.index is not None and self.index.defines(qual.removesuffix("[]"), self.rel) else "other"
        self.evaluator.consulted = set()
        location = self.locate(node.lineno, node.col_offset)
        rows = self.evaluator.row_sources(node, scope)
        refs = self._each_row(rows, lambda: run_loader(self, node, scope, qual, loader, location, consumed))
        self._file_refs(result, refs, _Entry(node, scope, loader=loader), qual)
        if self.index is not None and self.index.has_name(qual.partition(".")[0]):
            # The project is the library (Real-ESRGAN's own ``realesrgan.RealESRGANer``): the catalog reads this
            # call, so the loads inside the class are the library's, not loads of their own.
            target = self.resolve_function(node.func, scope, node.lineno)
            if target is not None:
                result.called.append(wrapper_key(target[0], target[1]))
        return "load"

    def _row_call(self, result: FileResult, node: ast.Call, scope: Scope, consumed: set[int]) -> bool:
        """``for ctor, w in TABLE: ctor(weights=w)``: the callee comes from the rows; each row is one call."""
        head = node.func
        while isinstance(head, ast.Attribute):
            head = head.value
        if not isinstance(head, ast.Name) or self.evaluator._row_source(head, scope) is None:
            return False
        rows = self.evaluator.row_sources(node, scope)
        if not rows:
            return False
        location = self.locate(node.lineno, node.col_offset)
        loaders: list = []

        def one_row() -> list[Reference]:
            qual = callee_name(self.evaluator, node, scope, node.lineno)
            loader = _loader_for(qual) if qual else None
            if loader is None:
                return []
            loaders.append(loader)
            return run_loader(self, node, scope, qual, loader, location, consumed)

        self.evaluator.consulted = set()
        refs = self._each_row(rows, one_row)
        if not loaders:
            return False
        self._file_refs(result, refs, _Entry(node, scope, loader=loaders[0]))
        return True

    def _each_row(self, sources: list, analyze: Callable[[], list[Reference]]) -> list[Reference]:
        """``analyze()`` once per combination of the rows names in the call come from (when few), else once."""
        combos = 1
        for _, rows in sources:
            combos *= len(rows)
        if not sources or combos > MAX_ROWS:
            return analyze()
        out: list[Reference] = []
        for combo in itertools.product(*[list(enumerate(rows)) for _, rows in sources]):
            with contextlib.ExitStack() as stack:
                for (source, _), (i, row) in zip(sources, combo):
                    stack.enter_context(self.evaluator.pinned(source, i, row))
                out += analyze()
        return out

    def _wrapper_call(self, result: FileResult, node: ast.Call, scope: Scope, targets: dict[int, tuple | None]) -> bool:
        if id(node) in targets:
            target = targets[id(node)]
        else:
            target = targets[id(node)] = self.resolve_function(node.func, scope, node.lineno)
        if target is None:
            return False
        owner, fscope = target[0], target[1]
        if owner is not self:
            owner.run()
            if self.index is not None and owner.result is not None:
                self.index.merge_deps(owner.result.deps)
        if fscope not in owner.wrappers:
            return False
        self.evaluator.consulted = set()
        refs = run_wrapper(self, node, scope, target, self.locate(node.lineno, node.col_offset), depth=1)
        callee = wrapper_key(owner, fscope)
        # ``self.setup(name)`` passing the caller's own parameter on finds what the callee finds on its own: the
        # callee keeps its references (at its load line) unless a call of the caller, or of its callers, adds one.
        own = (result if owner is self else owner.result or FileResult(owner.rel)).tagged
        forwards = any(scope.within(s) for s in self.evaluator.consulted)
        same = forwards and (_found(refs) == _found([r for key, r in own if key == callee]) or _only_parameters(refs))
        caller = self._file_refs(result, refs, _Entry(node, scope, target=target), forwarding=same)
        if not same:
            result.called.append(callee)
        elif caller is not None:
            result.forwards.append((caller, callee))
        return True

    def _config_instances(self, result: FileResult, node: ast.Call, scope: Scope) -> None:
        """``create_model('./models/cldm_v15.yaml')``: a call given a project YAML config whose ``target:`` /
        ``_target_`` entries name project classes; what each class loads with the config's ``params`` (or the
        sibling keys) and its own defaults is loaded at the call, with the target line as an origin."""
        if self.index is None:
            return
        paths = [a.value for a in node.args if type(a) is ast.Constant and _yaml_path(a.value)]
        paths += [k.value.value for k in node.keywords if type(k.value) is ast.Constant and _yaml_path(k.value.value)]
        if not paths:
            return
        location = self.locate(node.lineno, node.col_offset)
        for path in paths[:2]:
            config = self.config_value(None, path, hydra=False)
            for target, values in _config_targets(config):
                found = self.index.resolve_def(str(target.value), self.rel)
                target_fn = _function_of(*found) if found is not None and found[1].kind == "def" else None
                if target_fn is None or found[1].inner is None or found[1].inner.kind != "class":
                    continue
                owner, fscope = target_fn[0], target_fn[1]
                if owner is not self:
                    owner.run()
                if fscope not in owner.wrappers:
                    continue
                refs = run_wrapper(self, node, scope, target_fn, location, depth=1, values=values)
                result.references += [dataclasses.replace(r, origins=(*r.origins, target.origin))
                                      if isinstance(r, ModelReference) and target.origin is not None else r for r in refs]

    def _ui_events(self, result: FileResult, node: ast.Call, scope: Scope) -> None:
        """Gradio calls ``fn`` with one value per input component (gradio 6.31.0 interface.py:84 ``Interface(fn,
        inputs, ...)``, events.py:615 ``<component>.click(fn, inputs=...)``): a Dropdown's or Radio's value is one
        of its ``choices`` (components/dropdown.py:49, radio.py:31), so what ``fn`` loads with it is loaded here."""
        func = node.func
        short = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        interface = short == "Interface" and callee_name(self.evaluator, node, scope, node.lineno) in (
            "gradio.Interface", "gradio.interface.Interface")
        if not interface and not (isinstance(func, ast.Attribute) and func.attr in GRADIO_EVENTS):
            return
        fn = node.args[0] if node.args else _keyword(node, "fn")
        inputs = node.args[1] if interface and len(node.args) > 1 else _keyword(node, "inputs")
        if fn is None or not isinstance(inputs, (ast.List, ast.Tuple)):
            return
        target = self.resolve_function(fn, scope, node.lineno)
        if target is None:
            return
        owner, fscope, skip_self = target[0], target[1], target[2]
        if owner is not self:
            owner.run()
        if fscope not in owner.wrappers:
            return
        params = list(fscope.params)[1 if skip_self else 0:]
        values: dict[str, Value] = {}
        for param, component in zip(params, inputs.elts):
            choices = _gradio_choices(self, _bound_call(component, scope), scope)
            options = self.evaluator.evaluate(choices, scope, node.lineno) if choices is not None else None
            if options is not None and options.kind == "container" and options.value[0] == "seq":
                values[param] = union(list(options.value[1]), options.text, choices)
        location = self.locate(node.lineno, node.col_offset)
        for param, value in values.items():
            # One widget at a time: independent dropdowns (a detector type and a weights path) would otherwise
            # multiply into pairs the app never loads. What stays unknown is the wrapper's own business.
            refs = run_wrapper(self, node, scope, target, location, depth=1, values={param: value})
            result.references += [r for r in refs if isinstance(r, ModelReference)]

    def _by_name(self, result: FileResult, unnamed: list[tuple[ast.Call, Scope]], loads: set[int]) -> None:
        """Known weights named outside loader calls (``loads``: calls already analyzed as loads), and weight
        keywords given to callables nobody can name."""
        for node, scope in unnamed:
            if any(k.arg in WEIGHT_KEYWORDS for k in node.keywords) and self.resolve_function(node.func, scope, node.lineno) is None:
                result.references += unnamed_weight_keywords(node, self.locate(node.lineno, node.col_offset), self.text.segment)
        seen = {(r.loader, r.name) for r in [*result.references, *(r for _, r in result.tagged)] if isinstance(r, ModelReference)}
        for ref in named_weights(self.tree, self.source, self.locate, self.scope_label, loads):
            if (ref.loader, ref.name) not in seen:
                seen.add((ref.loader, ref.name))
                result.references.append(ref)

    def _file_refs(self, result: FileResult, refs: list[Reference], entry: _Entry, qual: str = "", *,
                   forwarding: bool = False) -> str | None:
        """Keep ``refs`` (None), or, when they read parameters of an enclosing function, make that function a
        wrapper and return its key: its call sites carry the values (its own references are tagged with it, or
        dropped for a ``forwarding`` call of another wrapper)."""
        consulted = [s for s in self.evaluator.consulted if entry.scope.within(s)]
        allowed = getattr(entry.loader, "wrapper_allowed", None)
        if consulted and allowed is not None:
            # ``subprocess.run(cmd)`` / ``requests.get(url)`` in an API client: its callers are not worth following.
            consulted = [s for s in consulted if allowed(qual, s.name, refs)]
        if not consulted:
            result.references += refs
            return None
        for fscope in consulted:
            self.wrappers.setdefault(fscope, []).append(_Entry(entry.call, entry.scope, entry.loader, entry.target))
        key = wrapper_key(self, max(consulted, key=lambda s: _depth(s)))
        if not forwarding:
            result.tagged += [(key, r) for r in refs]
        return key

    def resolve_function(self, func: ast.AST, scope: Scope, line: int) -> tuple | None:
        """(ModuleAnalysis, function scope, skip_self, self value) for a call of a project function, a class (its
        __init__), a classmethod/staticmethod (``Detector.create(...)``) or a method of ``self``/``cls``."""
        found = self.evaluator.callee_binding(func, scope, line)
        if found is None:
            return None
        if found[0] == "local":
            return _function_of(self, found[1])
        if found[0] == "attr":
            binding, attr = found[1]
            return _method_of(self, binding.inner, attr, Value("class", (self, binding.inner, False)))
        if found[0] == "self":
            # ``self.load(x)`` / ``cls.load(x)`` in a method of this module's class (or a subclass's instance).
            method, attr = found[1]
            return _method_of(self, method.parent, attr, Value("class", (self, method.parent, True)))
        if found[0] in ("qual", "rel") and self.index is not None:
            binding = self.index.resolve_def(found[1], self.rel, rooted=found[0] == "rel")
            if binding is not None:
                return _function_of(*binding)
            qual = found[1]
            head, _, attr = qual.rpartition(".")
            klass = self.index.resolve_def(head, self.rel, rooted=found[0] == "rel") if head else None
            if klass is not None and klass[1].inner is not None and klass[1].inner.kind == "class":
                return _method_of(klass[0], klass[1].inner, attr, Value("class", (klass[0], klass[1].inner, False)))
        return None

    def config_value(self, config_path: str | None, name: str, *, hydra: bool) -> Value:
        """A YAML config file the code loads (Hydra ``config_path``/``config_name``, ``OmegaConf.load(path)``)."""
        root = self.index.base if self.index is not None else Path(".")
        record = self.index.record if self.index is not None else None
        cache = self.index.configs if self.index is not None else None
        return config_value(root, _parent(self.rel), config_path, name, hydra=hydra, record=record, cache=cache)


FORWARDED = (*PARAM_REASONS, STAR_REASON)
# ``sys.path.<method>(...)``: the position of the folder argument.
SYS_PATH_EDITS = {"insert": 1, "append": 0}


def _found(refs: list[Reference]) -> frozenset:
    """What references say, ignoring where they are: to compare a call site with its callee."""
    return frozenset((r.loader, r.name, r.variant) if isinstance(r, ModelReference) else (r.loader, r.expression, r.reason, r.candidates)
                     for r in refs)


def _only_parameters(refs: list[Reference]) -> bool:
    """Nothing but "the value is the caller's parameter" (or its ``**kwargs``): the call site knows no more than
    the callee does on its own."""
    return bool(refs) and all(not isinstance(r, ModelReference) and r.reason.endswith(FORWARDED) and not r.candidates for r in refs)


def _function_of(owner: ModuleAnalysis, binding: Binding) -> tuple | None:
    inner = binding.inner
    if inner is None:
        return None
    if inner.kind == "function":
        return owner, inner, False, None
    init = inner.bindings.get("__init__")
    if init and init[-1].inner is not None:
        return owner, init[-1].inner, True, None
    return None


def _method_of(owner: ModuleAnalysis, cls: Scope | None, attr: str, self_value: Value) -> tuple | None:
    """The method ``attr`` of ``cls`` (or of the nearest project base defining it) as a call target."""
    if cls is None:
        return None
    for klass_owner, klass in [(owner, cls), *_bases(owner, cls, 0)]:
        bindings = [b for b in klass.bindings.get(attr, ()) if b.kind == "def" and b.inner is not None and b.inner.kind == "function"]
        if not bindings:
            continue
        method = bindings[-1].inner
        decorators = {d.id for d in getattr(method.node, "decorator_list", ()) if isinstance(d, ast.Name)}
        if "staticmethod" in decorators:
            return klass_owner, method, False, None
        if "classmethod" in decorators:
            if self_value.value[2]:  # ``self.create(...)`` on an instance: cls is its class
                exact = self_value.value[2] == "exact"
                self_value = Value("class", (self_value.value[0], self_value.value[1], not exact))
            return klass_owner, method, True, self_value
        # A plain method: through ``self`` the instance is implicit; through the class it is passed explicitly.
        return (klass_owner, method, True, self_value) if self_value.value[2] else (klass_owner, method, False, None)
    return None


def _depth(scope: Scope) -> int:
    n = 0
    while scope.parent is not None:
        scope, n = scope.parent, n + 1
    return n


def _public_name(scope: Scope) -> str:
    """The name a caller spells: a function's name, its class's name for ``__init__``, ``Class.method``."""
    if scope.parent is not None and scope.parent.kind == "class":
        return scope.parent.name if scope.name == "__init__" else f"{scope.parent.name}.{scope.name}"
    return scope.name


def _imported_name(scope: Scope) -> str:
    """The name a caller imports to reach a wrapper: the function, or the class of a method."""
    return scope.parent.name if scope.parent is not None and scope.parent.kind == "class" else scope.name


def wrapper_key(owner: ModuleAnalysis, scope: Scope) -> str:
    return f"{owner.rel}:{getattr(scope.node, 'lineno', 0)}:{scope.name}"


def _loader_for(qual: str) -> CallLoader | None:
    for loader in LOADERS_BY_MODULE.get(qual.split(".", 1)[0], ()):
        if loader.handles(qual):
            return loader
    return None


def run_loader(owner: ModuleAnalysis, node: ast.Call, scope: Scope, qual: str, loader: CallLoader, location: Location,
               consumed: set[int], *, via: str = "", overrides: dict[int, Value] | None = None, level: int = 0) -> list[Reference]:
    """One loader call; a ``choice`` argument is expanded into one reference per candidate. Each reference
    carries the origins of the constants it was built from when they are written elsewhere than the call."""
    overrides = overrides or {}
    seen: list[tuple[int, Value]] = []

    def evaluate(n: ast.AST) -> Value:
        if id(n) in overrides:
            return overrides[id(n)]
        v = owner.evaluator.evaluate(n, scope, node.lineno)
        seen.append((id(n), v))
        return v

    site = CallSite(
        qualname=qual,
        node=node,
        location=location,
        scope=owner.scope_label,
        evaluate=evaluate,
        segment=owner.text.segment,
        is_project_dir=owner.is_dir,
        consumed=consumed,
        is_loader_call=is_loader_call,
    )
    refs = loader.analyze(site)
    choices = [(n, v) for n, v in seen if v.kind == "choice"]
    if choices and level < MAX_CHOICE_EXPANSION:
        n, v = choices[0]
        out: list[Reference] = []
        names = ", ".join(str(c) for c in v.value)
        origins = v.origins if len(v.origins) == len(v.value) else (None,) * len(v.value)
        for cand, origin in zip(v.value, origins):
            const = Value("const", cand, text=v.text, node=v.node, note=f"one of {names} for {v.text}", origin=origin)
            out += run_loader(owner, node, scope, qual, loader, location, consumed, via=via,
                              overrides={**overrides, n: const}, level=level + 1)
        return out
    values = [v for _, v in seen] + list(overrides.values())
    notes = [v.note for v in values if v.kind == "const" and v.note]
    suffix = "".join(f" [{n}]" for n in dict.fromkeys(notes))
    if via:
        suffix = f" via {via}" + suffix
    out = []
    for r in refs:
        if isinstance(r, ModelReference):
            origins = _origins(r, values)
            if suffix or origins:
                r = dataclasses.replace(r, api=(r.api or qual) + suffix, origins=origins or r.origins)
        out.append(r)
    return out


def _origins(ref: ModelReference, values: list[Value]) -> tuple[Location, ...]:
    """Where the constants a reference was built from are written, when elsewhere than the load itself."""
    names = [n for n in (ref.name, ref.variant) if n]
    out: list[Location] = []
    for v in values:
        o = v.origin
        if v.kind != "const" or o is None or not isinstance(v.value, str) or not v.value.strip():
            continue
        if (o.path, o.line) == (ref.location.path, ref.location.line) or o in out:
            continue
        text = v.value.strip()
        if any(_part_of(text, n) or _part_of(n, text) for n in names):
            out.append(o)
    return tuple(out)


def _part_of(part: str, whole: str) -> bool:
    """Whether ``part`` is written in ``whole`` as a whole word: ``yolov8n`` in ``yolov8n.pt``, ``models`` in
    ``models/x.pt``, not ``yolov5`` (a model type read next to the id) in ``yolov5l6.pt``."""
    start = whole.find(part)
    while start >= 0:
        end = start + len(part)
        if (start == 0 or not whole[start - 1].isalnum()) and (end == len(whole) or not whole[end].isalnum()):
            return True
        start = whole.find(part, start + 1)
    return False


# Gradio event listeners whose ``fn`` gets the ``inputs`` components' values (gradio 6.31.0 events.py).
GRADIO_EVENTS = frozenset({"click", "change", "submit", "select", "upload", "input", "release", "then"})
GRADIO_CHOICE_COMPONENTS = frozenset({"gradio.Dropdown", "gradio.Radio", "gradio.components.Dropdown",
                                      "gradio.components.Radio", "gradio.inputs.Dropdown", "gradio.inputs.Radio"})


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def _bound_call(node: ast.expr, scope: Scope) -> ast.expr:
    """A name bound once to a call (``dd = gr.Dropdown(...)``) -> that call; anything else as it is."""
    if isinstance(node, ast.Name):
        s: Scope | None = scope
        while s is not None and node.id not in s.bindings:
            s = s.parent
        bindings = s.bindings.get(node.id, []) if s is not None else []
        if len(bindings) == 1 and isinstance(bindings[0].node, ast.Call):
            return bindings[0].node
    return node


def _gradio_choices(module: ModuleAnalysis, node: ast.expr, scope: Scope) -> ast.expr | None:
    """The ``choices`` expression of a ``gr.Dropdown(...)`` / ``gr.Radio(...)`` call, else None."""
    if not isinstance(node, ast.Call) or callee_name(module.evaluator, node, scope, node.lineno) not in GRADIO_CHOICE_COMPONENTS:
        return None
    choices = node.args[0] if node.args else _keyword(node, "choices")
    return choices if isinstance(choices, (ast.List, ast.Tuple, ast.Name, ast.Attribute)) else None


def run_wrapper(caller: ModuleAnalysis, call: ast.Call, scope: Scope, target: tuple, location: Location, *, depth: int,
                via: str = "", values: dict[str, Value] | None = None) -> list[Reference]:
    """The loads of one wrapper call, evaluated with the call's arguments (``values``: a class a config
    instantiates, with the config's values), reported at ``location``."""
    owner, fscope, skip_self, self_value = target
    if depth > MAX_WRAPPER_DEPTH:
        return []
    name = f"{_public_name(fscope)}()"
    via = f"{via} -> {name}" if via else name
    refs: list[Reference] = []
    for entry in list(owner.wrappers.get(fscope, ())):
        if values is not None:
            frame: Frame = ConfigFrame(values, caller.evaluator, scope, owner.evaluator, fscope)
        else:
            frame = Frame(call, caller.evaluator, scope, owner.evaluator, fscope, skip_self, self_value)
        with owner.evaluator.context({**owner.evaluator.frames, fscope: frame}):
            if entry.loader is not None:
                qual = callee_name(owner.evaluator, entry.call, entry.scope, entry.call.lineno) or ""
                got = run_loader(owner, entry.call, entry.scope, qual, entry.loader, location, set(), via=via)
                load = owner.locate(entry.call.lineno, entry.call.col_offset)
                got = _with_load_line(_at_load_line(got, load, owner.text.segment(entry.call), entry.scope, location, via), load, location)
            else:
                got = run_wrapper(owner, entry.call, entry.scope, entry.target, location, depth=depth + 1, via=via)
        # Only loads that read the wrapper's parameters belong to this call site (a constant load inside the
        # wrapper is reported where it is written).
        if frame.used or entry.loader is None:
            refs += [_relocate(r, location) for r in got]
    return refs


# A call whose first argument (or ``config...=``) is a YAML file path: it may build project classes from it.
_CONFIG_ARGUMENT = re.compile(r"""\(\s*(?:config\w*\s*=\s*)?['"][\w./-]+\.ya?ml['"]""")


def _yaml_path(value: object) -> bool:
    return isinstance(value, str) and value.endswith((".yaml", ".yml"))


def may_instantiate_config(source: str) -> bool:
    """The pre-filter's test for _config_instances: a call given a YAML config path as a literal."""
    return _CONFIG_ARGUMENT.search(source) is not None


MAX_CONFIG_TARGETS = 32
MAX_CONFIG_NODES = 5000
TARGET_KEYS = ("target", "_target_")


def _config_targets(config: Value) -> list[tuple[Value, dict[str, Value]]]:
    """The ``target``/``_target_`` entries of a config (a dotted class path) with the values the class is given:
    the ``params`` mapping beside ``target`` (latent-diffusion style), else the other keys beside ``_target_``."""
    out: list[tuple[Value, dict[str, Value]]] = []
    stack, seen = [config], 0
    while stack and seen < MAX_CONFIG_NODES and len(out) < MAX_CONFIG_TARGETS:
        v = stack.pop()
        seen += 1
        if v.kind != "container" or v.value[0] not in ("dict", "seq"):
            continue
        if v.value[0] == "seq":
            stack.extend(reversed(v.value[1]))
            continue
        items = {str(k.value): item for k, item in v.value[1] if k.kind == "const"}
        key = next((k for k in TARGET_KEYS if k in items), None)
        target = items.get(key) if key else None
        if target is not None and target.kind == "const" and isinstance(target.value, str) and "." in target.value:
            params = items.get("params") if key == "target" else v
            pairs = params.value[1] if params is not None and params.kind == "container" and params.value[0] == "dict" else ()
            values = {str(k.value): item for k, item in pairs if k.kind == "const" and item.kind == "const" and str(k.value) not in TARGET_KEYS}
            out.append((target, values))
        stack.extend(reversed([item for _, item in v.value[1]]))
    return out


def _relocate(ref: Reference, location: Location) -> Reference:
    """A wrapper's model reference is reported where the call passes the value; an unresolved entry stays at the
    load line (see _at_load_line)."""
    return ref if isinstance(ref, UnresolvedReference) else dataclasses.replace(ref, location=location)


def _at_load_line(refs: list[Reference], load: Location, text: str, scope: Scope, call: Location, via: str) -> list[Reference]:
    """An unresolved entry of a wrapper call that the load itself makes unresolvable (``torch.load(args.resume)``
    in ``main_worker(args)``: the load spells the expression, which is not just a parameter the call fills in, and
    the call passes no known value) belongs at the load line: that is what a reader must check, not the call of
    a function that happens to reach it; the reason names the call site. Any other stays where the call is."""
    if load == call:
        return refs
    params = {p for s in scope.chain() if s.kind == "function" for p in s.params}
    return [dataclasses.replace(r, location=load, reason=f"{r.reason} (via {via} at {call.path}:{call.line})")
            if isinstance(r, UnresolvedReference) and r.expression and r.expression in text
            and r.expression not in params and not r.candidates else r for r in refs]


def _with_load_line(refs: list[Reference], load: Location, call: Location) -> list[Reference]:
    """An unresolved entry that stays at the call of a function reaching the load (the value enters there) names the
    load line as an origin: a reader checking it must see what loads (``torch.load(path)`` two calls down)."""
    if load == call:
        return refs
    return [dataclasses.replace(r, origins=(*r.origins, load)) if isinstance(r, UnresolvedReference) and r.location == call
            and load not in r.origins else r for r in refs]


def _code_order(loc: Location) -> tuple[int, int]:
    """Where a location is in the code's own order (a notebook's lines are counted per cell)."""
    return (-1, loc.line) if loc.cell is None else (loc.cell, loc.cell_line or 0)


def _all_bindings(scope: Scope):
    for bindings in scope.bindings.values():
        yield bindings
        for b in bindings:
            if b.inner is not None and b.inner.kind == "class":
                yield from _all_bindings(b.inner)


LOADER_MODULES = frozenset(LOADERS_BY_MODULE)


def imports_loader_library(source: str, rel: str) -> bool:
    """Whether a module can reach a loader call: it imports a loader library (read by the fast scanner; a file
    the scanner cannot read counts as yes, so the parser decides)."""
    from vlicense.discovery import fastimports

    if not any(word in source for word in LOADER_MODULES):
        return False
    found = fastimports.scan(source, rel)
    return found is None or any(r.module in LOADER_MODULES for r in found[0])


def _parent(rel: str) -> str:
    return rel.rpartition("/")[0]


# ---------------------------------------------------------------------------------------------- index


class ProjectIndex:
    """The project's Python modules by path, parsed on demand, for cross-module lookups (records dependencies)."""

    def __init__(self, base: Path, rels: list[str], roots: set[str], scopes: dict[str, str] | None = None) -> None:
        self.base = base
        self.files = {r for r in rels if r.endswith(".py")}
        self.roots = sorted(roots, key=lambda r: (r.count("/"), r))
        self.scopes = scopes or {}
        self.modules: dict[str, ModuleAnalysis | None] = {}
        self._texts: dict[str, str | None] = {}
        self._data: dict[str, bytes] = {}
        # Modules an earlier round found to define wrappers (set by the caller between rounds).
        self.wrapper_modules: set[str] = set()
        # Modules known (from the fast import scan) to import a loader library; None: find out from the text.
        self.loader_importers: set[str] | None = None
        self._recording: list[dict[str, bool]] = []
        self._subclasses: dict[tuple[str, int], list] = {}
        # Modules parsed only after a repair (recover.Parsed), until their own result takes the repair's findings.
        self.recovered: dict[str, recover.Parsed] = {}
        # Evaluation bookkeeping shared by every module's evaluator (budget, cycles), and config files read.
        self.tracker = Tracker()
        self.configs: dict[str, object] = {}
        self._found: dict[tuple[str, str, bool], str | None] = {}
        self._splits: dict[tuple[str, str, bool], tuple] = {}
        # Every folder name and module stem in the project: a dotted name starting elsewhere is not first-party.
        self._names = {part.removesuffix(".py") for rel in self.files for part in rel.split("/")}
        self._class_bases: dict[str, list[str]] | None = None
        # Analyses no longer in ``modules`` (forgotten, notebooks) that may still be referenced: disposed at the end.
        self.retired: list[ModuleAnalysis | None] = []

    # -- dependency recording (one dict per run() in progress; nested runs also record into the outer ones)
    def start_recording(self) -> dict[str, bool]:
        rec: dict[str, bool] = {}
        self._recording.append(rec)
        return rec

    def stop_recording(self, rec: dict[str, bool]) -> dict[str, bool]:
        if self._recording and self._recording[-1] is rec:
            self._recording.pop()
        return rec

    def record(self, key: str, exists: bool) -> None:
        for rec in self._recording:
            rec[key] = exists
        # A memoized evaluation that consulted this file replays the record when it is reused by another file.
        self.tracker.note((self.record, key, exists))

    def merge_deps(self, deps: dict[str, bool]) -> None:
        for rec in self._recording:
            rec.update(deps)

    # -- modules
    def prefill(self, rel: str, data: bytes) -> None:
        """Bytes the caller already read (so a file is read once per run)."""
        self._data[rel] = data

    def source(self, rel: str) -> str:
        """The decoded source of a project file; Unreadable with the reason otherwise."""
        data = self._data.pop(rel, None)
        if data is None:
            data = read_bytes(self.base / rel, MAX_PYTHON_BYTES)
        return decode_python(data)

    def text(self, rel: str) -> str | None:
        if rel not in self._texts:
            try:
                self._texts[rel] = self.source(rel)
            except Unreadable:
                self._texts[rel] = None
        return self._texts[rel]

    def get(self, rel: str) -> ModuleAnalysis | None:
        self.record(rel, rel in self.files)
        if rel not in self.modules:
            self.modules[rel] = None
            source = self.text(rel) if rel in self.files else None
            if source is not None:
                try:
                    self.modules[rel] = self.analysis(rel, source)
                except PythonSyntaxError:
                    return None
        return self.modules[rel]

    def analysis(self, rel: str, source: str) -> ModuleAnalysis:
        """A new analysis of ``source`` (repaired when it does not parse as a whole: see recover.py); what the
        repair left out or found (IPython shell lines) waits in ``recovered`` for the file's own result."""
        parsed = recover.parse_module(source, rel)
        if parsed.shell or parsed.blanked:
            self.recovered[rel] = parsed
        return ModuleAnalysis(self, rel, parsed.source, parsed.tree, scope_label=self.scopes.get(rel, "runtime"),
                              is_setup=PurePosixPath(rel).name == "setup.py")

    def dispose(self) -> None:
        """Free every analysis of this index now (see ModuleAnalysis.dispose); the index is not used after."""
        for module in [*self.modules.values(), *self.retired]:
            if module is not None:
                module.dispose()
        self.modules.clear()
        self.retired.clear()
        self._subclasses.clear()
        self.tracker = Tracker()

    def forget(self, rels: list[str]) -> None:
        """Analyze these modules again on next use (what they found depended on wrapper knowledge now outdated)."""
        for rel in rels:
            self.retired.append(self.modules.pop(rel, None))

    def find(self, parts: list[str], importer: str, *, rooted: bool) -> str | None:
        """The file defining module ``parts``: searched next to the importer and its ancestors, then the roots.

        Recorded as one dependency (``find:`` key) that a later run re-evaluates against its own file list.
        """
        parent = _parent(importer)
        found = self.find_path("/".join(parts), parent, rooted)
        self.record(f"find:{parent}|{int(rooted)}|{'/'.join(parts)}", bool(found))
        if found:
            self.record(found, True)
        return found

    def has_name(self, name: str) -> bool:
        return name in self._names

    def defines(self, qualname: str, importer: str) -> bool:
        """Whether a project module is (a prefix of) this dotted name, as ``importer`` imports it."""
        return qualname.partition(".")[0] not in sys.stdlib_module_names and self._split(qualname, importer, False) is not None

    def find_path(self, path: str, parent: str, rooted: bool) -> str | None:
        key = (path, parent, rooted)
        found = self._found.get(key, self)
        if found is self:
            found = self._found[key] = self._find_path(path, parent, rooted)
        return found  # type: ignore[return-value]

    def _find_path(self, path: str, parent: str, rooted: bool) -> str | None:
        if path.partition("/")[0] not in self._names:
            return None  # no file or folder of the project has that name
        bases: list[str] = [""] if rooted else []
        if not rooted:
            here = parent
            while here:
                bases.append(here)
                here = here.rpartition("/")[0]
            bases += [r for r in self.roots if r not in bases]
        for base in bases:
            for candidate in (f"{path}.py", f"{path}/__init__.py"):
                rel = f"{base}/{candidate}" if base else candidate
                if rel in self.files:
                    return rel
        return None

    def star_module(self, module: ModuleAnalysis, name: str, depth: int = 0) -> str | None:
        """The project module (path) that defines ``name`` for ``module`` through its ``from x import *`` lines
        (followed through further star imports, a few levels deep); None when none does."""
        for dotted, rooted in module.facts.star_imports:
            rel = self.find(dotted.split("."), module.rel, rooted=rooted)
            target = self.get(rel) if rel is not None and rel != module.rel else None
            if target is None:
                continue
            if name in target.module.bindings:
                return rel
            if depth < MAX_STAR_DEPTH:
                found = self.star_module(target, name, depth + 1)
                if found is not None:
                    return found
        return None

    def _stars(self, rel: str) -> bool:
        """Cheap test: the module's text star-imports something (it may re-export another module's wrapper)."""
        text = self.text(rel)
        return text is not None and "import *" in text

    def may_define_wrappers(self, rel: str) -> bool:
        """Cheap test before parsing a module for wrappers: it imports a loader library, or an earlier round
        found wrappers in it (wrappers of wrappers)."""
        if rel in self.wrapper_modules:
            return True
        if self.loader_importers is not None:
            if rel in self.loader_importers:
                return True
        else:
            text = self.text(rel)
            if text is not None and imports_loader_library(text, rel):
                return True
        # Valid only while no round of this run finds wrappers in ``rel`` (checked by the caller at the end).
        self.record(f"nowrap:{rel}", False)
        return False

    def _split(self, qualname: str, importer: str, rooted: bool) -> tuple[str, list[str]] | None:
        """(file defining the longest module prefix of ``qualname``, the rest); memoized per importing folder,
        replaying the dependencies the search recorded."""
        parts = qualname.split(".")
        if parts[0] not in self._names:
            self.record(f"name:{parts[0]}", False)  # nothing in the project is called that (torch, numpy...)
            return None
        key = (qualname, _parent(importer), rooted)
        hit = self._splits.get(key)
        if hit is not None:
            for dep, exists in hit[1].items():
                self.record(dep, exists)
            return hit[0]
        recorder = self.start_recording()
        found = None
        for i in range(len(parts), 0, -1):
            rel = self.find(parts[:i], importer, rooted=rooted)
            if rel is not None:
                found = (rel, parts[i:])
                break
        self._splits[key] = (found, self.stop_recording(recorder))
        return found

    def lookup(self, qualname: str, importer: str, depth: int, *, rooted: bool = False) -> Value | None:
        """The value of a first-party dotted name (``app.settings.WEIGHTS``); None when it is not first-party."""
        split = self._split(qualname, importer, rooted)
        if split is None:
            return None
        rel, rest = split
        module = self.get(rel)
        if module is None:
            return Value("unresolved", text=qualname, reason=f"not a constant ('{qualname}' is in a module that cannot be parsed)")
        if not rest:
            return Value("dotted", qualname, text=qualname)
        v = module.evaluator.module_value(rest[0], depth + 1)
        for attr in rest[1:]:
            if v.kind == "class":
                v = v.value[0].evaluator.class_attr(v.value, attr, depth + 1)
            elif v.kind == "dotted" and not v.reason:
                found = self.lookup(f"{v.value}.{attr}", rel, depth + 1)
                v = found if found is not None else Value("dotted", f"{v.value}.{attr}", text=qualname)
            else:
                return Value("unresolved", text=qualname, reason=f"not a constant ('{qualname}' is computed at run time)")
        if v.kind == "dotted" and v.reason:
            return Value("unresolved", text=qualname, reason=f"not a constant ('{rest[0]}' is not defined in {rel})")
        return dataclasses.replace(v, text=qualname)

    def resolve_def(self, qualname: str, importer: str, depth: int = 0, *, rooted: bool = False,
                    wrappers_only: bool = True) -> tuple[ModuleAnalysis, Binding] | None:
        """The def/class binding a first-party dotted name refers to (following re-exports); with
        ``wrappers_only``, only in modules that may define wrappers (the cheap test spares parsing the rest)."""
        split = self._split(qualname, importer, rooted)
        if split is None or len(split[1]) != 1 or depth > 5:
            return None
        rel, (name,) = split
        module = self.get(rel) if not wrappers_only or self.may_define_wrappers(rel) or self._stars(rel) else None
        if module is None:
            return None
        bindings = module.module.bindings.get(name) or []
        decisive = [b for b in bindings if b.kind in ("def", "import", "relimport")]
        if not decisive:
            # ``from .utils import *`` in a package's __init__: the name is the star-imported module's.
            star = self.star_module(module, name) if not bindings else None
            if star is not None:
                return self.resolve_def(f"{_dotted(star)}.{name}", rel, depth + 1, rooted=True, wrappers_only=wrappers_only)
            return None
        b = decisive[-1]
        if b.kind == "def":
            return module, b
        if b.qualname:
            return self.resolve_def(b.qualname, rel, depth + 1, rooted=b.kind == "relimport", wrappers_only=wrappers_only)
        return None

    def class_users(self, name: str) -> list[str]:
        """Files with a class statement naming ``name`` among its bases (one regex pass over the project, once)."""
        if self._class_bases is None:
            self._class_bases = {}
            for rel in sorted(self.files):
                text = self._texts.get(rel)
                if text is None:
                    try:  # read, not kept: the whole project's text would stay in memory
                        data = self._data.get(rel)
                        text = decode_python(data if data is not None else read_bytes(self.base / rel, MAX_PYTHON_BYTES))
                    except Unreadable:
                        continue
                if "class" not in text:
                    continue
                for bases in _CLASS_BASES.findall(text):
                    for word in set(_WORD.findall(bases)):
                        users = self._class_bases.setdefault(word, [])
                        if not users or users[-1] != rel:
                            users.append(rel)
        return self._class_bases.get(name, [])

    def subclasses(self, owner: ModuleAnalysis, cls: Scope) -> list[tuple[ModuleAnalysis, Scope]]:
        """Every project class deriving from ``cls`` (a text pre-filter on the class name, then real bases)."""
        key = (owner.rel, getattr(cls.node, "lineno", 0))
        self.record("*", True)
        if key in self._subclasses:
            return self._subclasses[key]
        self._subclasses[key] = []
        out = []
        for rel in self.class_users(cls.name):
            module = self.get(rel)
            if module is None:
                continue
            for klass in module.classes:
                if klass is cls:
                    continue
                if any(base is cls for _, base in _bases(module, klass, 0)):
                    out.append((module, klass))
        self._subclasses[key] = out
        return out
