"""Config files the code loads (Hydra ``@hydra.main``, ``OmegaConf.load``) as static Values; every constant keeps
the file, line and text of its YAML key as its origin. Files are read through the same bounded YAML reader as
config scanning (composed only, aliases shared, size-capped), and each read is recorded as a dependency."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vlicense.discovery.configs import Malformed, Scalar, yaml_documents
from vlicense.discovery.loaders.base import Value
from vlicense.discovery.sources import MAX_TEXT_BYTES, Unreadable, decode_text, read_bytes
from vlicense.model import Location

# Hydra defaults lists are followed this deep (a group config may have its own defaults) and this long.
MAX_DEFAULTS_DEPTH = 3
MAX_DEFAULTS = 32
HYDRA_NOTE = "Hydra config value; a command-line override may replace it"

Record = Callable[[str, bool], None]


@dataclass(frozen=True)
class Leaf:
    value: object
    origin: Location | None
    interpolated: bool = False


def config_value(root: Path, module_dir: str, config_path: str | None, name: str, *, hydra: bool,
                 record: Record | None = None, cache: dict | None = None) -> Value:
    """The config ``name`` (Hydra: under ``config_path`` next to the module; else a path from the project root or
    the module's folder) as a Value: a dict container, or unresolved with the reason."""
    if hydra:
        if config_path is None:
            return Value("unresolved", text=name, reason="Hydra config without a config_path (a structured config)")
        folder = _inside(posixpath.join(module_dir, config_path))
        candidates = [posixpath.join(folder, name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")] if folder is not None else []
    else:
        candidates = [c for c in (_inside(name), _inside(posixpath.join(module_dir, name))) if c is not None]
    for rel in dict.fromkeys(candidates):
        tree = _load(root, rel, record, cache)
        if tree is None:
            continue
        if isinstance(tree, str):
            return Value("unresolved", text=name, reason=tree)
        if hydra and isinstance(tree, dict):
            tree = _compose(root, posixpath.dirname(rel), tree, record, cache, 0)
        return _to_value(tree, HYDRA_NOTE if hydra else "", hydra)
    where = candidates[0] if candidates else name
    return Value("unresolved", text=name, reason=f"config file {where} is not in the project")


def _inside(path: str) -> str | None:
    """A project-relative POSIX path, or None when it leaves the project (absolute, ``..`` above the root)."""
    if path.startswith(("/", "~")) or ":" in path.split("/", 1)[0]:
        return None
    norm = posixpath.normpath(path)
    return None if norm.startswith("..") else norm.removeprefix("./")


def _load(root: Path, rel: str, record: Record | None, cache: dict | None) -> object:
    """The first YAML document of ``rel`` with Leaf leaves; None when absent; a reason string when unreadable."""
    if cache is not None and rel in cache:
        found = cache[rel]
    else:
        path = root / rel
        found = None
        if path.is_file():
            try:
                text = decode_text(read_bytes(path, MAX_TEXT_BYTES))
                docs = yaml_documents(text)
                found = _leaves(docs[0] if docs else {}, rel, text.splitlines())
            except (Unreadable, Malformed) as exc:
                found = f"config file {rel} cannot be read ({exc})"
        if cache is not None:
            cache[rel] = found
    if record is not None:
        record(f"data:{rel}", found is not None)
    return found


def _leaves(tree: object, rel: str, lines: list[str]) -> object:
    """dict/list/Scalar -> dict/list/Leaf (iterative: config trees can be deep)."""
    def leaf(s: Scalar) -> Leaf:
        snippet = lines[s.line - 1].strip()[:200] if 0 < s.line <= len(lines) else ""
        value = s.value
        if isinstance(value, tuple):  # numbers and tagged scalars: never a model id
            value = value[1] if value[0] == "number" else None
        return Leaf(value, Location(rel, s.line, s.column, snippet), isinstance(value, str) and "${" in value)

    def convert(node: object) -> object:
        if isinstance(node, Scalar):
            return leaf(node)
        if isinstance(node, dict):
            out: dict = {}
            stack.append((node, out))
            return out
        if isinstance(node, list):
            out_list: list = []
            stack.append((node, out_list))
            return out_list
        return Leaf(None, None)

    stack: list[tuple[object, object]] = []
    top = convert(tree)
    while stack:
        node, out = stack.pop()
        if isinstance(out, dict):
            for k, v in node.items():  # type: ignore[attr-defined]
                out[k] = convert(v)
        else:
            out.extend(convert(v) for v in node)  # type: ignore[attr-defined]
    return top


def _compose(root: Path, folder: str, primary: dict, record: Record | None, cache: dict | None, depth: int) -> dict:
    """Hydra's defaults list: each ``group: option`` config merged under its group, then the primary config."""
    defaults = primary.get("defaults")
    body = {k: v for k, v in primary.items() if k != "defaults"}
    if not isinstance(defaults, list) or depth >= MAX_DEFAULTS_DEPTH:
        return body
    merged: dict = {}
    self_done = False
    for item in defaults[:MAX_DEFAULTS]:
        if isinstance(item, Leaf) and item.value == "_self_":
            merged = _merge(merged, body)
            self_done = True
            continue
        if isinstance(item, Leaf) and isinstance(item.value, str):
            group, option = "", item.value
        elif isinstance(item, dict) and len(item) == 1:
            ((key, leaf),) = item.items()
            group = str(key).removeprefix("override ").removeprefix("optional ").split("@", 1)[0].strip()
            option = leaf.value if isinstance(leaf, Leaf) else None
            if not isinstance(option, str) or option in ("???", ""):
                continue
        else:
            continue
        rel = _inside(posixpath.join(folder, group, f"{option}.yaml"))
        sub = _load(root, rel, record, cache) if rel is not None else None
        if not isinstance(sub, dict):
            continue
        sub = _compose(root, folder, sub, record, cache, depth + 1)
        for part in reversed([p for p in group.split("/") if p]):
            sub = {part: sub}
        merged = _merge(merged, sub)
    return merged if self_done else _merge(merged, body)


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
    return out


def _to_value(tree: object, note: str, replaceable: bool) -> Value:
    if isinstance(tree, dict):
        pairs = tuple((Value("const", k), _to_value(v, note, replaceable)) for k, v in tree.items())
        return Value("container", ("dict", pairs))
    if isinstance(tree, list):
        return Value("container", ("seq", tuple(_to_value(v, note, replaceable) for v in tree)))
    assert isinstance(tree, Leaf)
    text = f"{tree.origin.path}:{tree.origin.line}" if tree.origin is not None else ""
    if tree.interpolated:
        return Value("unresolved", text=str(tree.value), reason=f"an OmegaConf interpolation ({tree.value}) in {text}")
    return Value("const", tree.value, text=text, origin=tree.origin, note=note if tree.value is not None else "",
                 replaceable=replaceable)
