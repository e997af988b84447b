"""The algebra of static Values: alternatives, unions, combinations, each carrying where its constants were written."""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
from collections.abc import Callable

from vlicense.discovery.loaders.base import Value
from vlicense.model import Location

MAX_CANDIDATES = 32
# A model id, path or URL is short; a longer computed string is not one (and doubling it must not cost memory).
MAX_TEXT = 4096
TOO_LONG = f"a computed string longer than {MAX_TEXT} characters (not a model id)"
CYCLE_REASON = "not a constant (the value depends on itself)"

Alternative = tuple[object, Location | None]


def derive(v: Value, text: str, node) -> Value:
    """The same value, described by the expression that led to it (a call keeps its own node)."""
    return dataclasses.replace(v, text=text, node=v.node if v.kind == "call" else node)


def alternatives(v: Value) -> list[Alternative] | None:
    """Every possible value with its origin, or None when some are not known statically."""
    if v.kind == "const":
        return [(v.value, v.origin)]
    if v.kind == "choice":
        origins = v.origins if len(v.origins) == len(v.value) else (None,) * len(v.value)
        return list(zip(v.value, origins))
    return None


def choice(alts: list[Alternative], text: str, node, note: str = "", replaceable: bool = False) -> Value:
    """A const (one distinct value) or a choice, sorted; each value keeps the first origin seen for it."""
    seen: dict[tuple[str, str], Alternative] = {}
    for value, origin in alts:
        key = (type(value).__name__, repr(value))
        if key not in seen:
            seen[key] = (value, origin)
    ordered = [seen[k] for k in sorted(seen, key=lambda k: (k[0], str(seen[k][0])))]
    if len(ordered) == 1:
        value, origin = ordered[0]
        return Value("const", value, text=text, node=node, note=note, origin=origin, replaceable=replaceable)
    return Value("choice", tuple(v for v, _ in ordered), text=text, node=node, origins=tuple(o for _, o in ordered),
                 replaceable=replaceable)


def union(values: list[Value], text: str, node, several: str | None = None) -> Value:
    """Several possible values: a choice when each is known, else unresolved listing the known ones."""
    known: list[Alternative] = []
    unknown: list[Value] = []
    notes = [v.note for v in values if v.note]
    for v in values:
        alts = alternatives(v)
        if alts is None:
            unknown.append(v)
        else:
            known += alts
    if not unknown:
        if len({repr(k) for k, _ in known}) > MAX_CANDIDATES:
            cands = tuple(sorted({str(k) for k, _ in known})[:MAX_CANDIDATES])
            return Value("unresolved", text=text, reason=f"more than {MAX_CANDIDATES} candidates", candidates=cands, node=node)
        return choice(known, text, node, notes[0] if notes and len(values) == 1 else "", any(v.replaceable for v in values))
    if not known and all(v.kind == "container" for v in unknown) and len(unknown) <= MAX_CANDIDATES:
        # One of several literals (``TABLE[key]`` over a dict of dicts): indexing it indexes each of them.
        members = tuple(m for v in unknown for m in (v.value[1] if v.value[0] == "union" else (v,)))
        return Value("container", ("union", members), text=text, node=node)
    cands = tuple(sorted({str(k) for k, _ in known if k is not None} | {c for v in unknown for c in v.candidates}))
    if several and all(v.kind == "dotted" for v in unknown) and not known:
        distinct = {str(v.value) for v in unknown}
        if len(distinct) == 1:
            return derive(unknown[0], text, node)
        return Value("unresolved", text=text, reason=f"'{several}' is assigned more than one value", candidates=tuple(sorted(distinct)), node=node)
    inner = unknown[0]
    reason = inner.reason if inner.kind == "unresolved" else (inner.reason or "not a constant (computed at run time)")
    if several:
        reason = f"not a constant ('{several}' is computed at run time)" if not cands else f"'{several}' has values not known statically"
    return Value("unresolved", text=text, reason=reason, candidates=cands, node=node)


def combine(parts: list[Value], fn: Callable[[tuple], object], text: str, node, bad: str, fails: str) -> Value:
    """Apply ``fn`` to every combination of the parts' possible values (constants or choices).

    A combination's origin is that of its last part that has one: the file name in ``os.path.join(DIR, "x.pt")``,
    SIZE in ``f"yolov8{SIZE}.pt"`` (the literal text of an f-string has none).
    """
    options: list[list[Alternative]] = []
    for p in parts:
        alts = alternatives(p)
        if alts is None:
            reason = bad or p.reason or "not a constant"
            if p.kind == "call" and not bad:
                return Value("call", p.value, text=text, node=node)
            return Value("unresolved", text=text, reason=reason, candidates=p.candidates, node=node)
        options.append(alts)
    total = 1
    for alts in options:
        total *= len(alts)
    if total > MAX_CANDIDATES:
        return Value("unresolved", text=text, reason=f"more than {MAX_CANDIDATES} candidates", node=node)
    results: list[Alternative] = []
    for combo in itertools.product(*options):
        try:
            result = fn(tuple(v for v, _ in combo))
        except (TypeError, ValueError, KeyError, OverflowError, IndexError):
            return Value("unresolved", text=text, reason=fails or "not a constant", node=node)
        if isinstance(result, str) and len(result) > MAX_TEXT:
            return Value("unresolved", text=text, reason=TOO_LONG, node=node)
        results.append((result, next((o for _, o in reversed(combo) if o is not None), None)))
    note = next((p.note for p in parts if p.note), "")
    return choice(results, text, node, note, any(p.replaceable for p in parts))


def checked_spec(spec: str) -> str:
    """A format spec (``:>8``, ``.3f``) whose width and precision stay small: ``{x:999999999}`` would build a
    gigabyte string; ValueError for such a spec."""
    if any(len(digits) > 4 for digits in re.findall(r"\d+", spec)):
        raise ValueError("format width or precision too large")
    return spec


# A %-conversion: mapping key, flags, width, precision, length modifier, type.
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.S)


def percent_format(template: str, args: object) -> str:
    """``template % args`` when every width and precision is small and written out (``%*d`` takes it from args)."""
    for width, precision, _ in _PERCENT.findall(template):
        if "*" in (width, precision) or len(width) > 4 or len(precision) > 4:
            raise ValueError("format width or precision too large")
    return template % args


def join(a: str, b: str) -> str:
    return os.path.join(a, b).replace("\\", "/") if a else b


def join_all(values: tuple) -> str:
    if not all(isinstance(v, str) for v in values):
        raise TypeError("not a path")
    joined = values[0]
    for v in values[1:]:
        joined = join(joined, v)
    return joined
