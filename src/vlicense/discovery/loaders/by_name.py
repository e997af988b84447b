"""Weights found by name, outside known loader calls.

A string that names a known weight (a weight URL of a known host, an official Ultralytics asset, a Hub id the
knowledge base has a fact for) passed to any call, assigned to a model-ish name or given as a model-ish
parameter's default is a model reference marked ``found_by="name"``. Messages are not loads: print, logging,
warnings, exceptions and ``help=``-style keywords are skipped (docstrings and comments never reach here).
A weight keyword (``weights=``, ``pretrained=True``, ``checkpoint=``) given to a callable the analysis cannot
name is listed as unresolved.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections import deque
from collections.abc import Callable, Container, Iterator

from vlicense.discovery.loaders.base import Reference
from vlicense.knowledge.weight_urls import WeightId, is_known_host, is_url, known_weight
from vlicense.model import Location, ModelReference, UnresolvedReference

# A source holding none of these words names no known weight file or weight URL (the pre-filter's cheap test,
# one scan of the text per word: Ultralytics assets end in .pt/.onnx, known hosts serve .pt/.pth files or Hub
# ``/resolve/`` URLs; the rare .bin/.ckpt download elsewhere is left to files analyzed anyway).
NAME_WORDS = (".pt", ".onnx", "/resolve/")
# Quoted strings without spaces: the only ones worth a knowledge-base look-up.
_QUOTED = re.compile(r"""'([^'\s\\]{4,300})'|"([^"\s\\]{4,300})\"""")
_CANDIDATE_SUFFIXES = (".pt", ".pth", ".onnx", ".ts")
# Calls whose arguments are messages (the callee's last name), and keywords that hold text for people.
MESSAGE_CALLS = frozenset({"print", "pprint", "warn", "debug", "info", "warning", "error", "exception", "critical",
                           "fatal", "log", "echo", "secho", "write", "format", "add_note"})  # fmt: skip
MESSAGE_KEYWORDS = frozenset({"help", "description", "epilog", "usage", "msg", "message", "doc", "title", "label",
                              "text", "prog", "placeholder", "caption"})  # fmt: skip
MESSAGE_SUFFIXES = ("Error", "Exception", "Warning")
# Keywords that hand weights to whatever is called (values that switch weights off are skipped).
WEIGHT_KEYWORDS = frozenset({"weights", "weights_path", "checkpoint", "checkpoint_path", "ckpt", "ckpt_path",
                             "pretrained", "pretrained_weights", "model_path"})  # fmt: skip
NO_WEIGHTS = (None, False, 0, "")
_WEIGHT_KEYWORD = re.compile(r"[(,]\s*(?:" + "|".join(sorted(WEIGHT_KEYWORDS)) + r")\s*=(?!=)")
# Every weight keyword contains one of these: a text without them cannot match _WEIGHT_KEYWORD (a substring test is
# much cheaper than the regex, which tries every "(" and "," of the text).
_WEIGHT_STEMS = ("weights", "checkpoint", "ckpt", "pretrained", "model_path")  # tests check they cover every keyword
# Builtins that only build data (``dict(checkpoint=dict(type="CheckpointHook"))`` in an mmengine config): the
# config reader (python_configs.py) judges their values.
DATA_BUILDERS = frozenset({"dict"})
# Calls that write or upload the weights they are given (Roboflow ``deploy``, ``push_to_hub``, ``export``).
WRITE_VERBS = ("save", "export", "deploy", "upload", "push")
# Receivers whose methods the project defines itself (``self.build(pretrained=True)``): not "cannot name".
OWN_RECEIVERS = frozenset({"self", "cls"})


# Calls that load weights even in a module importing no loader library: a project class that derives from one
# (``class Net(PyTorchModelHubMixin)`` in another module, then ``Net.from_pretrained(...)``; a LightningModule's
# ``load_from_checkpoint``).
INHERITED_LOADS = ("from_pretrained", "load_from_checkpoint")


def may_name_weights(source: str) -> bool:
    return any(word in source for word in NAME_WORDS)


def may_load_through_project_class(source: str) -> bool:
    return any(word in source for word in INHERITED_LOADS)


def passes_weight_keyword(source: str) -> bool:
    """Whether a source passes a weight keyword to some call (``build(checkpoint=args.ckpt)``): the callable may be
    one the analysis cannot name, whose weight keyword is listed as unresolved (unnamed_weight_keywords)."""
    return any(stem in source for stem in _WEIGHT_STEMS) and _WEIGHT_KEYWORD.search(source) is not None


def _candidates(source: str, *, hub_ids: bool = True) -> set[str]:
    """Quoted strings that may name a known weight: URLs of known hosts, Ultralytics-like file names, Hub ids."""
    found: set[str] = set()
    for a, b in _QUOTED.findall(source):
        text = a or b
        if is_url(text):
            if is_known_host(text):
                found.add(text)
        elif text.endswith(_CANDIDATE_SUFFIXES) or (hub_ids and text.count("/") == 1):
            found.add(text)
    return found


def names_known_weight(source: str) -> bool:
    """Whether a source names a known weight in some quoted string (the pre-filter's second, dearer test)."""
    # Hub ids are left to files analyzed anyway: checking every ``a/b`` string here would cost every file.
    return may_name_weights(source) and any(known_weight(text) is not None for text in _candidates(source, hub_ids=False))


def named_weights(tree: ast.Module, source: str, locate: Callable[[int, int], Location], scope: str,
                  loads: frozenset[int] | set[int] = frozenset()) -> list[Reference]:
    """Model references for known weights named in strings outside loader calls (``loads``: ids of the call
    nodes already analyzed as loads, whose arguments are not looked at again)."""
    known = {text: weight for text in _candidates(source) if (weight := known_weight(text)) is not None}
    if not known:
        return []
    skip = set(loads)
    refs: list[Reference] = []
    for node, how in _sites(_statements_naming(tree, source, known), skip):
        text = node.value
        weight = known.get(text) if isinstance(text, str) else None
        if weight is not None:
            refs.append(_reference(weight, text, locate(node.lineno, node.col_offset), scope, f"found by name: {how}"))
    return refs


def _statements_naming(tree: ast.Module, source: str, texts: Container[str]) -> list[ast.stmt]:
    """The module's top-level statements whose lines hold one of ``texts`` in quotes (in source order): the only
    ones the site walk needs to visit (a large module names its weights in a few statements)."""
    body = tree.body
    # A statement starts at its first decorator; a line belongs to the last statement starting at or before it.
    starts = [min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", ()))]) for s in body]
    chosen: set[int] = set()
    line, pos = 1, 0
    for match in _QUOTED.finditer(source):
        if (match.group(1) or match.group(2)) not in texts:
            continue
        line += source.count("\n", pos, match.start())
        pos = match.start()
        at = bisect.bisect_right(starts, line) - 1
        if at >= 0:
            chosen.add(at)
    return [body[i] for i in sorted(chosen)]


def _sites(roots: list[ast.stmt], skip: set[int]) -> Iterator[tuple[ast.Constant, str]]:
    """String constants where a weight name means a load: call arguments, model-ish assignments and defaults.

    Visited breadth-first from ``roots`` (the order ``ast.walk`` of the whole module gives their nodes)."""
    # Imported here: the config scanner (and its parsers) loads only when a file names a known weight.
    from vlicense.discovery.configs import is_model_key

    todo = deque(roots)
    while todo:
        node = todo.popleft()
        todo.extend(ast.iter_child_nodes(node))
        kind = type(node)
        if kind is ast.Raise and node.exc is not None:
            skip.add(id(node.exc))  # an exception's message (the walk reaches the Raise before its call)
        elif kind is ast.Call:
            callee = _callee_text(node.func)
            last = callee.rsplit(".", 1)[-1]
            if last in MESSAGE_CALLS or last.endswith(MESSAGE_SUFFIXES) or id(node) in skip or last.lower().startswith(WRITE_VERBS):
                # Nothing inside a message, an exception, a write (``torch.save(ckpt, "cfg/deploy/yolov7x.pt")`` names
                # where weights go) or a load already analyzed is looked at (walk is breadth-first).
                skip.update(id(sub) for sub in ast.walk(node) if isinstance(sub, (ast.Call, ast.BinOp)))
                continue
            for arg in node.args:
                yield from ((c, f"passed to {callee}()") for c in _strings(arg))
            for kw in node.keywords:
                if kw.arg not in MESSAGE_KEYWORDS:
                    yield from ((c, f"passed to {callee}({kw.arg}=...)" if kw.arg else f"passed to {callee}()") for c in _strings(kw.value))
        elif kind is ast.BinOp and type(node.op) is ast.Div and id(node) not in skip:
            # ``WEIGHTS_DIR / "yolov8l.pt"`` is ``Path(WEIGHTS_DIR, "yolov8l.pt")``, whose arguments count.
            yield from ((c, "joined to a path") for c in _strings(node.right))
        elif kind in (ast.Assign, ast.AnnAssign):
            targets = node.targets if kind is ast.Assign else [node.target]
            names = [n for n in map(_target_name, targets) if n and is_model_key(n)]
            if names and node.value is not None:
                yield from ((c, f"assigned to {names[0]}") for c in _strings(node.value, values=True))
        elif kind is ast.arguments:
            positional = [*node.posonlyargs, *node.args]
            pairs = list(zip(positional[len(positional) - len(node.defaults):], node.defaults))
            pairs += [(a, d) for a, d in zip(node.kwonlyargs, node.kw_defaults) if d is not None]
            for arg, default in pairs:
                if is_model_key(arg.arg):
                    yield from ((c, f"default of parameter '{arg.arg}'") for c in _strings(default))


def _strings(node: ast.AST, *, values: bool = False) -> Iterator[ast.Constant]:
    """The string itself, or the items of a literal list/tuple/set (and a dict's values when ``values``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        yield from (e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    elif values and isinstance(node, ast.Dict):
        yield from (v for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))


def _target_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _callee_text(func: ast.AST) -> str:
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    elif isinstance(func, ast.Call):
        parts.append(_callee_text(func.func) + "()")
    else:
        parts.append("<expression>")
    return ".".join(reversed(parts))


def _reference(weight: WeightId, text: str, location: Location, scope: str, api: str) -> ModelReference:
    url = text if is_url(text) else None
    return ModelReference(weight.loader, weight.name, location, weight.variant, weight.revision, api=api, scope=scope,
                          url=url if weight.loader == "file" or url else None, found_by="name")


def unnamed_weight_keywords(node: ast.Call, location: Location, segment: Callable[[ast.AST], str]) -> list[UnresolvedReference]:
    """``fn(weights=...)`` where ``fn`` cannot be named: one unresolved reference (the call, the keyword)."""
    for kw in node.keywords:
        if kw.arg not in WEIGHT_KEYWORDS:
            continue
        value = kw.value
        if isinstance(value, ast.Constant) and (value.value in NO_WEIGHTS or (isinstance(value.value, str) and known_weight(value.value))):
            continue  # nothing loads, or the name is reported by named_weights
        callee = _callee_text(node.func)
        if callee.split(".", 1)[0] in OWN_RECEIVERS or callee.startswith("super()") or callee in DATA_BUILDERS:
            return []
        last = callee.rsplit(".", 1)[-1]
        if last.lower().startswith(WRITE_VERBS):
            return []  # ``version.deploy(model_path=...)``, ``save(weights=...)``: the weights go out, not in
        if last.endswith(MESSAGE_SUFFIXES):
            return []  # ``ModelLoadError(msg, model_path=...)``: an exception names the file, as a message does
        expression = segment(node)
        return [UnresolvedReference(location, "unknown", expression if len(expression) <= 500 else expression[:499] + "…",
                                    f"{kw.arg}= passed to {callee}(), a callable the analysis cannot name")]
    return []
