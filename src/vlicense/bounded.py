"""Bounded readers for content from outside (YAML, JSON, TOML, front matter): size, depth, node, alias and time caps."""

from __future__ import annotations

import gc
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # yaml is imported where it is used: `vlicense explain` and config reading stay quick
    import yaml

# Wall-clock budget for the Python-level work on one file or answer. Work limits (sizes, counts, depth) are the
# deterministic bound; this is the backstop, so a slow machine cuts only inputs far beyond any real file.
FILE_SECONDS = 1.0
MAX_JSON_DEPTH = 100


class OverLimit(Exception):
    """Input broke a parsing limit; ``str(exc)`` names the limit ("YAML alias expansion over 10,000 nodes").

    ``line`` is the 1-based line where the limit was broken when it is known (YAML), else 0.
    """

    def __init__(self, limit: str, line: int = 0) -> None:
        super().__init__(limit)
        self.limit = limit
        self.line = line


class Budget:
    """A time budget for one input: ``check()`` raises OverLimit once ``seconds`` have passed since creation."""

    def __init__(self, what: str = "file", seconds: float = FILE_SECONDS) -> None:
        self.what = what
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise OverLimit(f"{self.what} took more than {self.seconds:g} s to read (time budget)")


def size_text(limit: int) -> str:
    """``1048576`` -> ``1 MB``; ``10000`` -> ``10,000 bytes`` (for limit messages)."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if limit >= scale and limit % scale == 0:
            return f"{limit // scale} {unit}"
    return f"{limit:,} bytes"


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a parser builds many small objects that form no cycles.

    Without this, composing a 2 MB YAML file is about four times slower (each full collection rescans every node
    built so far). The previous state is restored, so nesting and other callers are unaffected.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _over_size(data: str | bytes, max_bytes: int, what: str) -> None:
    if len(data) > max_bytes:
        raise OverLimit(f"{what} larger than {size_text(max_bytes)}")


# ------------------------------------------------------------------------------------------------- YAML


@dataclass(frozen=True)
class YamlLimits:
    """Caps for one YAML input: bytes, distinct nodes, nodes added by alias expansion, nesting depth."""

    max_bytes: int
    max_nodes: int
    max_alias_nodes: int
    max_depth: int


# Model cards: front matter of a few KB; the 12-line alias bomb expands to 9**9 nodes.
CARD_YAML = YamlLimits(max_bytes=1 << 20, max_nodes=100_000, max_alias_nodes=10_000, max_depth=64)
# Project configs (CI files and compose files use anchors and merge keys generously).
# The config walkers are iterative: libyaml's own depth cap is enough there.
CONFIG_YAML = YamlLimits(max_bytes=2 << 20, max_nodes=2_000_000, max_alias_nodes=100_000, max_depth=1000)
# Policies: the user's own file, still parsed with the same care.
POLICY_YAML = YamlLimits(max_bytes=1 << 20, max_nodes=100_000, max_alias_nodes=10_000, max_depth=64)


def safe_loader() -> Any:
    """libyaml's safe loader when available (C speed), else PyYAML's pure-Python one."""
    from vlicense.yaml_fast import SAFE_LOADER

    return SAFE_LOADER


def compose_yaml(text: str, limits: YamlLimits, *, loader: Any = None, every_document: bool = False) -> list[yaml.Node]:
    """Compose YAML (no object is constructed) and check the node graph against ``limits``.

    Returns the root node of each document (only the first unless ``every_document``; a stream with several
    documents is then a YAML error, as for ``yaml.compose``). Raises OverLimit, or yaml.YAMLError for bad syntax.
    """
    with _composed(text, limits, loader or safe_loader(), every_document) as (_, roots):
        return roots


def load_yaml(text: str, limits: YamlLimits) -> Any:
    """Compose, check, then construct one YAML document with the safe constructor (None for an empty one)."""
    import yaml

    with _composed(text, limits, safe_loader(), False) as (instance, roots):
        if not roots:
            return None
        # Checked: the expanded document is small, so construction (and any walk over it) is too.
        try:
            return instance.construct_document(roots[0])
        except (ValueError, TypeError, AttributeError, OverflowError, LookupError) as exc:
            # The safe constructor fails this way on values it cannot build (`!!timestamp x`, a 5,000-digit int,
            # `!!binary` that is not base64): a YAML error like any other, never a crash.
            problem = f"cannot build a value ({type(exc).__name__}: {str(exc)[:100]})"
            raise yaml.constructor.ConstructorError(None, None, problem, roots[0].start_mark) from None


@contextmanager
def _composed(text: str, limits: YamlLimits, loader: Any, every_document: bool) -> Iterator[tuple[Any, list[yaml.Node]]]:
    """(loader instance, checked document roots), with the collector paused; the loader is disposed after."""
    _over_size(text, limits.max_bytes, "YAML")
    instance = loader(text)
    try:
        with paused_gc():
            if every_document:
                roots = []
                while instance.check_node():
                    roots.append(instance.get_node())
            else:
                node = instance.get_single_node()
                roots = [node] if node is not None else []
            if _may_break_limits(text, limits, loader):
                budget = Budget("YAML")
                for node in roots:
                    check_yaml(node, limits, budget)
            yield instance, roots
    except RecursionError:  # the pure-Python composer recurses per level; libyaml stops at 1,000 levels itself
        raise OverLimit(f"YAML nested deeper than {limits.max_depth} levels") from None
    finally:
        instance.dispose()


# libyaml refuses to nest deeper than this itself ("exceeded maximum nesting depth").
LIBYAML_MAX_DEPTH = 1000
# An anchor property is "&" and a name where a node can start: at the start of a line, after a space or a flow
# indicator. A false match (a comment " &x") only costs the walk; "R&D", "?a=1&b=2" and "a && b" do not match.
_ANCHOR = re.compile(r"&[^\s\[\]{},&]")  # a literal first character: the regex engine scans for it quickly
_NODE_START = frozenset(" \t\r\n[{,:")


def _has_anchor(text: str) -> bool:
    return any(m.start() == 0 or text[m.start() - 1] in _NODE_START for m in _ANCHOR.finditer(text))


def _may_break_limits(text: str, limits: YamlLimits, loader: Any) -> bool:
    """False when the composed document cannot break ``limits``, so the walk over every node can be spared.

    Without an anchor (``&name`` where a node starts) there is no alias, so nothing expands and nothing refers to
    itself; then libyaml's own depth cap and the text's length bound the rest (a document has at most two nodes
    per character: ``{a,b}`` is five nodes, an empty value costing nothing). Most configs are like that.
    """
    if _has_anchor(text) or 2 * len(text) > limits.max_nodes:
        return True
    return limits.max_depth < LIBYAML_MAX_DEPTH or getattr(loader, "__name__", "") != "CSafeLoader"


def check_yaml(root: yaml.Node, limits: YamlLimits, budget: Budget | None = None) -> None:
    """Reject a composed document whose expansion would be large: distinct nodes, alias-added nodes, depth.

    Aliases make the composed graph share nodes, so composing a "billion laughs" file is cheap while anything
    that walks or builds the document expands it. One iterative post-order pass computes, per node, its size and
    height with every alias expanded (memoized, so the pass is linear in the distinct nodes); a node reached
    again while it is still open is an alias to its own ancestor (endless expansion).
    """
    import yaml

    scalar, sequence = yaml.ScalarNode, yaml.SequenceNode
    expanded: dict[int, int] = {}
    height: dict[int, int] = {}
    open_nodes: set[int] = set()
    cap = limits.max_nodes + limits.max_alias_nodes + 1  # sizes saturate here: the numbers stay small
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    steps = 0
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        steps += 1
        if budget is not None and not steps & 0xFFF:
            budget.check()
        if leaving:
            children = _yaml_children(node, sequence)
            size = 1
            deepest = 0
            for child in children:
                size += expanded[id(child)]
                deepest = max(deepest, height[id(child)])
            open_nodes.discard(key)
            expanded[key] = min(size, cap)
            height[key] = deepest + 1
            if deepest + 1 > limits.max_depth:
                raise OverLimit(f"YAML nested deeper than {limits.max_depth} levels", node.start_mark.line + 1)
            if size - len(expanded) > limits.max_alias_nodes:
                raise OverLimit(f"YAML alias expansion over {limits.max_alias_nodes:,} nodes", node.start_mark.line + 1)
            continue
        if key in expanded:
            continue
        if key in open_nodes:
            raise OverLimit("YAML alias refers to a node that contains it (endless expansion)", node.start_mark.line + 1)
        if len(expanded) + len(open_nodes) >= limits.max_nodes:
            raise OverLimit(f"YAML document over {limits.max_nodes:,} nodes", node.start_mark.line + 1)
        if isinstance(node, scalar):
            expanded[key] = height[key] = 1
            continue
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _yaml_children(node, sequence) if id(child) not in expanded)
    total = expanded.get(id(root), 0)
    if total - len(expanded) > limits.max_alias_nodes:
        raise OverLimit(f"YAML alias expansion over {limits.max_alias_nodes:,} nodes", root.start_mark.line + 1)


def _yaml_children(node: yaml.Node, sequence: type) -> list[yaml.Node]:
    if isinstance(node, sequence):
        return node.value
    return [part for pair in node.value for part in pair]


def yaml_problem(exc: Exception) -> str:
    """A YAML error in one line: the problem and the line it was found at."""
    problem = getattr(exc, "problem", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
    mark = getattr(exc, "problem_mark", None)
    return f"{problem} at line {mark.line + 1}" if mark is not None else str(problem)


# Markdown front matter as the Hub reads it (huggingface_hub.repocard.metadata_load): an optional run of
# whitespace, a line "---", the YAML, then a line "---" (end of text allowed). ``match`` anchors at the start.
_FRONT_MATTER = re.compile(r"\s*---(?:\r\n|\r|\n)(.*?)(?:\r\n|\r|\n)---[ \t]*(?:\r\n|\r|\n|$)", re.DOTALL)


def load_front_matter(text: str, limits: YamlLimits = CARD_YAML) -> dict[str, Any] | None:
    """The YAML front matter of a Markdown file (a model card) as a dict; None when there is none.

    Raises OverLimit (a limit), yaml.YAMLError (bad YAML) or ValueError (the metadata is not a mapping).
    """
    _over_size(text, limits.max_bytes, "model card")
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if match is None:
        return None
    data = load_yaml(match.group(1), limits)
    if data is None or isinstance(data, dict):
        return data
    raise ValueError("card metadata is not a mapping")


# ------------------------------------------------------------------------------------------------- JSON

_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'[]{}"')
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_FOLD_BRACKETS = bytes.maketrans(b"{}", b"[]")


def check_json_depth(data: str | bytes, max_depth: int = MAX_JSON_DEPTH, what: str = "JSON") -> None:
    """Raise OverLimit when JSON nests deeper than ``max_depth``, before any parser recurses into it.

    Cheap (a few C-speed passes over bytes): escape sequences are dropped, then everything but
    brackets and quotes; the text between quotes is string content. Each pass then removes the innermost
    bracket pairs, so the number of passes is the depth. Unbalanced input is left to the parser to report.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return
    if b"\\" in raw:
        raw = _ESCAPE.sub(b"", raw)  # every escape sequence's first two bytes: what is left of strings has no \"
    # Quotes alternate open/close, so removing any two adjacent ones drops a string without brackets (or joins two
    # strings into one region of string content): what is left between quotes is still only string content.
    skeleton = raw.translate(_FOLD_BRACKETS, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in skeleton:
        skeleton = b"".join(skeleton.split(b'"')[::2])
    depth = 0
    while skeleton:
        inner = skeleton.replace(b"[]", b"")
        if len(inner) == len(skeleton):
            return
        depth += 1
        if depth > max_depth:
            raise OverLimit(f"{what} nested deeper than {max_depth} levels")
        skeleton = inner


def load_json(data: str | bytes, *, max_bytes: int, max_depth: int = MAX_JSON_DEPTH, what: str = "JSON") -> Any:
    """``json.loads`` behind a size cap and a depth cap; raises OverLimit, or ValueError for malformed JSON."""
    _over_size(data, max_bytes, what)
    check_json_depth(data, max_depth, what)
    try:
        with paused_gc():
            return json.loads(data)
    except RecursionError:  # unbalanced input the depth check leaves to the parser
        raise OverLimit(f"{what} nested deeper than {max_depth} levels") from None


# ------------------------------------------------------------------------------------------------- TOML


def load_toml(text: str, *, max_bytes: int, what: str = "TOML") -> dict[str, Any]:
    """``tomllib.loads`` behind a size cap (tomllib is pure Python: about 4 MB/s); deep nesting is OverLimit.

    Raises tomllib.TOMLDecodeError for malformed TOML.
    """
    _over_size(text, max_bytes, what)
    import tomllib

    try:
        with paused_gc():
            return tomllib.loads(text)
    except RecursionError:
        raise OverLimit(f"{what} nested too deeply") from None


__all__ = [
    "CARD_YAML",
    "CONFIG_YAML",
    "FILE_SECONDS",
    "MAX_JSON_DEPTH",
    "POLICY_YAML",
    "Budget",
    "OverLimit",
    "YamlLimits",
    "check_json_depth",
    "check_yaml",
    "compose_yaml",
    "load_front_matter",
    "load_json",
    "load_toml",
    "paused_gc",
    "size_text",
    "yaml_problem",
]
