"""Report renderers: each takes one AuditResult and returns text; only the CLI writes files."""

from __future__ import annotations

from typing import Callable

from vlicense.errors import UsageError
from vlicense.model import AuditResult
from vlicense.report import json_report, memo, text

Renderer = Callable[[AuditResult], str]

# CLI choices derive from this table; adding a format means adding a module and one entry here.
FORMATS: dict[str, Renderer] = {
    "json": json_report.render,
    "memo": memo.render,
    "text": text.render,
}


def render(fmt: str, result: AuditResult) -> str:
    """Render ``result`` in format ``fmt`` (one of FORMATS)."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise UsageError(f"unknown report format {fmt!r}", fix=f"use one of: {', '.join(sorted(FORMATS))}") from None
    return renderer(result)


__all__ = ["FORMATS", "render"]
