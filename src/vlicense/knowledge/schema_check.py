"""A small JSON Schema checker for bundled data (the keywords our schemas use), so core needs no jsonschema."""

from __future__ import annotations

import re
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}
SUPPORTED = frozenset(
    {"$schema", "$id", "$defs", "$ref", "title", "description", "type", "enum", "required", "properties",
     "additionalProperties", "items", "minItems", "minLength", "minimum", "pattern", "oneOf"}
)  # fmt: skip


def problems(instance: Any, schema: dict[str, Any]) -> list[str]:
    """Every way ``instance`` breaks ``schema``, as ``<path>: <what>`` lines (empty when it conforms)."""
    return problems_under(instance, schema, schema, "$")


def unsupported_keywords(schema: Any) -> set[str]:
    """Keywords this checker would silently ignore (a test keeps the schemas inside what it supports)."""
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in SUPPORTED:
                    found.add(key)
                if key in ("properties", "$defs") and isinstance(value, dict):
                    stack.extend(value.values())
                elif key == "enum":
                    continue
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[kind])


def _check(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str, out: list[str]) -> None:
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            out.append(f"{path}: unsupported $ref {ref}")
            return
        _check(value, root["$defs"][ref[len("#/$defs/"):]], root, path, out)
    if "oneOf" in schema:
        matching = [s for s in schema["oneOf"] if not problems_under(value, s, root, path)]
        if len(matching) != 1:
            first = problems_under(value, schema["oneOf"][0], root, path)
            detail = f" ({first[0]})" if first and not matching else ""
            out.append(f"{path}: must match exactly one of {len(schema['oneOf'])} forms{detail}")
            return
    types = schema.get("type")
    if types is not None:
        kinds = [types] if isinstance(types, str) else list(types)
        if not any(_is(value, k) for k in kinds):
            out.append(f"{path}: expected {' or '.join(kinds)}, got {type(value).__name__} {value!r:.60}")
            return
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: {value!r} is not one of {', '.join(map(repr, schema['enum']))}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            out.append(f"{path}: must not be empty")
        pattern = schema.get("pattern")
        if pattern is not None and not re.search(pattern, value):
            out.append(f"{path}: {value!r} does not match {pattern}")
    if isinstance(value, int) and not isinstance(value, bool) and value < schema.get("minimum", value):
        out.append(f"{path}: {value} is below {schema['minimum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            out.append(f"{path}: needs at least {schema['minItems']} item(s)")
        if "items" in schema:
            for i, item in enumerate(value):
                _check(item, schema["items"], root, f"{path}[{i}]", out)
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                out.append(f"{path}: missing required key {key!r}")
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                _check(item, properties[key], root, f"{path}.{key}", out)
            elif extra is False:
                out.append(f"{path}: unknown key {key!r}")
            elif isinstance(extra, dict):
                _check(item, extra, root, f"{path}.{key}", out)


def problems_under(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str) -> list[str]:
    """Like problems(), for a sub-schema of ``root`` at ``path``."""
    out: list[str] = []
    _check(value, schema, root, path, out)
    return out
