"""What the loader engine sees of one call (CallSite, Value) and the helpers its mapping kinds share."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal, Protocol

from vlicense.knowledge.weight_urls import looks_like_path, weight_format  # noqa: F401 (looks_like_path: re-exported)
from vlicense.model import Location, ModelReference, UnresolvedReference

Reference = ModelReference | UnresolvedReference

# A Hugging Face Hub repo id: ``name`` or ``org/name`` (letters, digits, ``-``, ``_``, ``.``).
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*(/[\w.\-]+)?$")


@dataclass(frozen=True)
class Value:
    """The static value of an argument expression.

    kind: ``missing`` (not passed), ``const`` (a literal after constant propagation), ``dotted`` (a name or
    attribute chain; ``value`` is the qualified name when it comes from an import, else the text),
    ``call`` (``value`` = callee qualified name or None), ``unresolved`` (``reason`` says why; ``candidates``
    lists the values known to be possible when the set is incomplete), ``choice`` (``value`` = the complete,
    statically known tuple of possible constants, e.g. ``BACKBONES[kind]``), and two kinds the evaluator uses
    internally and loaders only ever see as "not a string": ``container`` (a literal dict/list/tuple) and
    ``class`` (a class defined in the project). ``note`` says where a constant came from when it is only a
    default the outside world may replace (``os.getenv`` default, argparse/click default, parameter default).
    """

    kind: Literal["missing", "const", "dotted", "call", "unresolved", "choice", "container", "class"]
    value: object = None
    text: str = ""
    reason: str = ""
    candidates: tuple[str, ...] = ()
    node: ast.AST | None = field(default=None, compare=False)
    note: str = field(default="", compare=False)
    # Where a constant was written (the literal, the option default, the class attribute, the YAML key); for a
    # ``choice``, ``origins`` holds one Location (or None) per candidate, in the order of ``value``.
    origin: Location | None = field(default=None, compare=False)
    origins: tuple[Location | None, ...] = field(default=(), compare=False)
    # A default the outside world may replace (parameter, command-line, environment, settings, config file):
    # indexing a table with it may pick any entry, not only the default's.
    replaceable: bool = field(default=False, compare=False)

    @property
    def is_const(self) -> bool:
        return self.kind == "const"

    def strings(self, limit: int = 8) -> list[str]:
        """The strings this value can be: a constant string, or the strings of a choice (at most ``limit``)."""
        if self.kind == "const" and isinstance(self.value, str):
            return [self.value]
        if self.kind == "choice":
            return [v for v in self.value if isinstance(v, str)][:limit]  # type: ignore[union-attr]
        return []


MISSING = Value("missing")


class Evaluate(Protocol):
    def __call__(self, node: ast.AST) -> Value: ...


@dataclass
class CallSite:
    """One call whose callee resolved to a library name, with everything a loader needs to read it."""

    qualname: str
    node: ast.Call
    location: Location
    scope: str
    evaluate: Evaluate
    segment: Callable[[ast.AST], str]
    # Checks a relative path against the project tree (directories only), to tell local model dirs from Hub ids.
    is_project_dir: Callable[[str], bool]
    # Nested call nodes a loader has already accounted for (e.g. get_weight(...) inside weights=).
    consumed: set[int]
    # Whether a qualified callee is itself a loader call (its own reference is reported where it is made).
    is_loader_call: Callable[[str], bool] = lambda _q: False

    @property
    def short(self) -> str:
        """The callee's last component (``create_model``)."""
        return self.qualname.rsplit(".", 1)[-1]

    def arg_node(self, pos: int | None, kw: str | None) -> ast.expr | None:
        if kw is not None:
            for k in self.node.keywords:
                if k.arg == kw:
                    return k.value
        if pos is not None:
            args = self.node.args
            for i, a in enumerate(args):
                if isinstance(a, ast.Starred):
                    return None  # position unknown from here on
                if i == pos:
                    return a
        return None

    def has_star_args(self) -> bool:
        return any(isinstance(a, ast.Starred) for a in self.node.args) or any(k.arg is None for k in self.node.keywords)

    def arg(self, pos: int | None, kw: str | None) -> Value:
        """The argument at position ``pos`` or keyword ``kw``, evaluated; MISSING when not passed."""
        node = self.arg_node(pos, kw)
        if node is None:
            if self.has_star_args():
                spread = self._spread_keyword(kw) if kw is not None else None
                if spread is not None:
                    return spread
                return Value("unresolved", text=self.segment(self.node), reason="the argument may be passed through *args/**kwargs")
            return MISSING
        return self.evaluate(node)

    def _spread_keyword(self, kw: str) -> Value | None:
        """``f(**common)`` with ``common = dict(model_type="x", ...)`` or ``{"model_type": "x"}``: the key's value, read
        as ``common["model_type"]``; None when no ``**`` mapping is known to hold the key (or ``*args`` may)."""
        if any(isinstance(a, ast.Starred) for a in self.node.args):
            return None
        for k in self.node.keywords:
            if k.arg is not None:
                continue
            item = ast.Subscript(value=k.value, slice=ast.Constant(kw), ctx=ast.Load())
            ast.copy_location(item, k.value)
            ast.fix_missing_locations(item)
            value = self.evaluate(item)
            if value.kind == "const":
                return value
        return None

    def optional(self, pos: int | None, kw: str | None) -> Value:
        """Like arg(), but MISSING unless written out (for options that rarely matter, e.g. ``revision``)."""
        node = self.arg_node(pos, kw)
        if node is None:
            spread = self._spread_keyword(kw) if kw is not None and self.has_star_args() else None
            return MISSING if spread is None else spread
        return self.evaluate(node)

    def model(self, loader: str, name: str, **kw) -> ModelReference:
        kw.setdefault("api", self.qualname)
        return ModelReference(loader=loader, name=name, location=self.location, scope=self.scope, **kw)

    def unresolved(self, loader: str, value: Value, reason: str | None = None) -> UnresolvedReference:
        return UnresolvedReference(
            location=self.location,
            loader=loader,
            expression=_clip(value.text or self.segment(self.node)),
            reason=reason or value.reason or "not a constant",
            candidates=value.candidates,
            origins=(value.origin,) if value.kind == "unresolved" and value.origin is not None else (),
        )

    def from_loader_call(self, value: Value) -> bool:
        """True for ``YOLO(hf_hub_download(...))`` or ``pipeline(model=AutoModel.from_pretrained(...))``: the
        weights are the ones the inner loader call fetches, already reported at that call."""
        return value.kind == "call" and isinstance(value.value, str) and self.is_loader_call(value.value)

    def string(self, value: Value) -> str | None:
        """The value when it is a constant string, else None."""
        return value.value if value.kind == "const" and isinstance(value.value, str) else None

    def not_a_string(self, value: Value) -> str:
        """A reason for a value that should have been a constant string."""
        if value.kind == "unresolved":
            return value.reason
        if value.kind == "dotted":
            return value.reason or f"not a constant ('{value.text}' is defined in another module)"
        if value.kind == "call":
            return value.reason or "not a constant (result of a call)"
        return f"not a string ({value.text or value.value!r})"


class CallLoader(Protocol):
    """One library's calls (discovery/loaders/engine.py reads them from the loader catalog)."""

    name: str
    # Top-level modules whose calls may concern this loader (a fast pre-filter).
    modules: tuple[str, ...]
    # Words at least one of which appears in any source that calls this loader (its callee names); a module
    # that imports the library but spells none of them needs only its imports read (the cheap path).
    triggers: tuple[str, ...]

    def handles(self, qualname: str) -> bool: ...

    def analyze(self, site: CallSite) -> list[Reference]: ...


def _clip(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def normalize_path(text: str) -> str:
    """A path as a POSIX string relative to the project root when it is relative (``./models/x`` -> ``models/x``)."""
    text = text.replace("\\", "/")
    if text.startswith(("/", "~")) or re.match(r"^[A-Za-z]:/", text) or _URI.match(text):
        return text  # absolute, or an object-store URI (``s3://bucket/best.pt``) whose ``//`` a path join would eat
    parts = [p for p in PurePosixPath(text).parts if p != "."]
    return "/".join(parts) or "."


def local_or_hub(site: CallSite, loader: str, text: str, **kw) -> Reference:
    """A Hub id -> ModelReference(loader); a local path -> ModelReference("file", variant "directory" or format)."""
    stripped = text.strip()
    if looks_like_path(stripped) or (stripped and site.is_project_dir(normalize_path(stripped))):
        return file_reference(site, stripped, **{k: v for k, v in kw.items() if k in ("api", "task")})
    if not HUB_ID.match(stripped):
        return UnresolvedReference(
            location=site.location,
            loader=loader,
            expression=repr(text),
            reason="neither a Hugging Face Hub id nor a path",
        )
    return site.model(loader, stripped, **kw)


def file_reference(site: CallSite, text: str, **kw) -> ModelReference:
    """A local weight file or model directory named by the code (``kw``: api, task)."""
    path = normalize_path(text.strip())
    return site.model("file", path, variant=weight_format(path) or "directory", **kw)


def is_project_dir_factory(root: Path, rel_dir: str) -> Callable[[str], bool]:
    """A checker for "this relative path is a directory in the project" (relative to root or to the file)."""
    cache: dict[str, bool] = {}

    def check(rel: str) -> bool:
        if rel in cache:
            return cache[rel]
        found = False
        if not rel.startswith(("/", "~")) and ".." not in PurePosixPath(rel).parts:
            for base in (root, root / rel_dir) if rel_dir else (root,):
                try:
                    if (base / rel).is_dir():
                        found = True
                        break
                except OSError:
                    pass
        cache[rel] = found
        return found

    return check


def registry_owner(func: ast.AST) -> ast.expr | None:
    """The registry a subscripted callee looks its key up in: ``reg`` of ``reg[k]``, ``mod`` of ``mod.__dict__[k]``
    and of ``getattr(mod, k)``; None for any other callee."""
    if isinstance(func, ast.Subscript):
        owner = func.value
        return owner.value if isinstance(owner, ast.Attribute) and owner.attr == "__dict__" else owner
    if (isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "getattr"
            and len(func.args) >= 2 and not func.keywords):
        return func.args[0]
    return None


def registry_key(func: ast.AST) -> ast.expr | None:
    """The key of a registry callee (see registry_owner)."""
    if isinstance(func, ast.Subscript):
        return func.slice
    if isinstance(func, ast.Call) and registry_owner(func) is not None:
        return func.args[1]
    return None
