"""Concrete ways out of a blocking finding: permissive models for the same task, library swaps, commercial routes."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


from vlicense.yaml_fast import load_bundled_yaml

from vlicense.model import Alternative, Component
from vlicense.knowledge.licenses import LicenseInfo

_PATH = Path(__file__).with_name("alternatives.yaml")
SameArch = Callable[[Component], "list[Alternative]"]


@dataclass(frozen=True)
class _Route:
    match: tuple[str, ...]
    licenses: tuple[str, ...]
    name: str
    url: str
    note: str


@dataclass(frozen=True)
class _Table:
    tasks: dict[str, list[Alternative]]
    aliases: dict[str, str]
    hints: list[tuple[re.Pattern[str], str]]
    routes: list[_Route]
    libraries: dict[str, list[Alternative]]


def _alt(entry: dict, kind: str) -> Alternative:
    note = entry.get("note", "")
    source = entry.get("source", "")
    return Alternative(
        name=entry["id"], license=entry["license"], note=f"{note} (source: {source})" if source else note, kind=kind
    )  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def _table() -> _Table:
    data = load_bundled_yaml(_PATH.read_text(encoding="utf-8"))
    return _Table(
        tasks={task: [_alt(e, "model") for e in entries] for task, entries in data["tasks"].items()},
        aliases=dict(data.get("task_aliases") or {}),
        hints=[(re.compile(p, re.IGNORECASE), task) for p, task in data.get("id_hints") or []],
        routes=[
            _Route(tuple(r["match"]), tuple(r["licenses"]), r["name"], r["url"], r.get("note", ""))
            for r in data.get("commercial_routes") or []
        ],
        libraries={
            name: [_alt(e, "library") for e in entries] for name, entries in (data.get("libraries") or {}).items()
        },
    )


def tasks() -> list[str]:
    """The task names alternatives are listed for."""
    return sorted(_table().tasks)


def task_for(component: Component) -> str | None:
    """The component's task: the one resolution set (aliases normalized), else a hint from its id, else None."""
    table = _table()
    if component.task:
        t = component.task.strip().lower()
        t = table.aliases.get(t, t)
        if t in table.tasks:
            return t
    for pattern, task in table.hints:
        if pattern.search(component.id):
            return task
    return None


def commercial_route(component: Component, info: LicenseInfo | None) -> Alternative | None:
    """The vendor's commercial license when one is known for this component, else the catalog's generic route."""
    key = info.key if info else None
    for route in _table().routes:
        if key in route.licenses and any(fnmatch.fnmatchcase(component.id, m) for m in route.match):
            return Alternative(
                name=route.name,
                license="commercial",
                note=f"{route.url}; {route.note}" if route.note else route.url,
                kind="commercial-license",
            )
    if info is not None and info.commercial_route:
        return Alternative(
            name=info.commercial_route.rstrip("."),
            license="commercial",
            note=f"terms of {info.name}: {info.url}",
            kind="commercial-license",
        )
    return None


_MODEL_FALLBACKS = (
    Alternative(
        name="A permissively licensed checkpoint of the same architecture",
        license="Apache-2.0 / MIT / BSD-3-Clause",
        note="filter the Hugging Face Hub by license (license:apache-2.0, license:mit) or timm tags by pretrained_cfg license, then re-run vlicense",
        kind="action",
    ),
    Alternative(
        name="Train or fine-tune from permissively licensed weights",
        license="your own",
        note="weights trained from scratch, or from a permissive base, on data you may use carry no third-party model license",
        kind="action",
    ),
)
_LIBRARY_FALLBACKS = (
    Alternative(
        name="Replace with a permissively licensed package offering the same function",
        license="MIT / BSD / Apache-2.0",
        note="check the candidate with `vlicense explain pypi:<name>` before adopting it",
        kind="action",
    ),
    Alternative(
        name="Move the functionality behind a separate program you do not distribute",
        license="unchanged",
        note="only helps for distribution-triggered copyleft (GPL), not for network copyleft or non-commercial terms",
        kind="action",
    ),
)


def alternatives_for(
    component: Component, info: LicenseInfo | None, *, same_arch: SameArch | None = None, limit: int = 4
) -> list[Alternative]:
    """At least two concrete ways out, most specific first: same architecture, same task, library swap, commercial route."""
    table = _table()
    out: list[Alternative] = []
    seen = {component.id}

    def add(alt: Alternative) -> None:
        if alt.name not in seen:
            seen.add(alt.name)
            out.append(alt)

    if same_arch is not None:
        for alt in same_arch(component)[:2]:
            add(alt)
    if component.id.startswith("pypi:"):
        for alt in table.libraries.get(component.id[len("pypi:") :], []):
            add(alt)
    task = task_for(component)
    if task is not None:
        for alt in table.tasks[task]:
            if len(out) >= limit:
                break
            add(alt)
    route = commercial_route(component, info)
    if route is not None:
        add(route)
    # Fallbacks so a blocking finding never lacks two ways out, even for components we know nothing about.
    fallbacks = _MODEL_FALLBACKS if component.kind == "model" else _LIBRARY_FALLBACKS
    for alt in fallbacks:
        if sum(1 for a in out if a.kind != "commercial-license") >= 2:
            break
        add(alt)
    return out
