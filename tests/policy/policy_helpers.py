"""Shared builders for policy tests: components made directly and the fixed clock."""

from __future__ import annotations

import datetime

from vlicense.model import Component, Location

TODAY = datetime.date(2026, 11, 29)


def lib(name: str, license: str | None, **kw: object) -> Component:
    return Component(
        id=f"pypi:{name}",
        kind="library",
        name=name,
        license=license,
        locations=[Location(path="app/main.py", line=3, snippet=f"import {name}")],
        **kw,  # type: ignore[arg-type]
    )


def model(cid: str, license: str | None, **kw: object) -> Component:
    loader = cid.split(":", 1)[0]
    return Component(
        id=cid,
        kind="model",
        name=cid.split(":", 1)[1],
        loader=loader,
        license=license,
        locations=[Location(path="app/detect.py", line=7, snippet=f"load({cid!r})")],
        **kw,  # type: ignore[arg-type]
    )
