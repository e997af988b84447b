"""Report renderers: each takes one AuditResult and returns text; only the CLI writes files."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from vlicense.errors import UsageError
from vlicense.model import AuditResult

Renderer = Callable[[AuditResult], str]


def _renderer(module: str) -> Renderer:
    """The ``render`` of report module ``module``, imported on first use: the templated formats pull in Jinja2
    (a tenth of a second), which a text or JSON report, the pre-commit path, does not need."""

    def render(result: AuditResult, **options: object) -> str:
        return importlib.import_module(f"vlicense.report.{module}").render(result, **options)

    return render


# CLI choices derive from this table; adding a format means adding a module and one entry here.
FORMATS: dict[str, Renderer] = {
    "cyclonedx": _renderer("cyclonedx"),
    "html": _renderer("html"),
    "json": _renderer("json_report"),
    "memo": _renderer("memo"),
    "sarif": _renderer("sarif"),
    "text": _renderer("text"),
}
# Formats drawn from Jinja2 templates: these honour --template-dir (the others are fixed machine formats).
TEMPLATED_FORMATS = frozenset({"html", "memo"})


def render(fmt: str, result: AuditResult, *, template_dir: Path | None = None) -> str:
    """Render ``result`` in format ``fmt`` (one of FORMATS); ``template_dir`` is searched before the bundled templates."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise UsageError(f"unknown report format {fmt!r}", fix=f"use one of: {', '.join(sorted(FORMATS))}") from None
    if template_dir is not None and fmt in TEMPLATED_FORMATS:
        if not Path(template_dir).is_dir():
            raise UsageError(
                f"template directory not found: {template_dir}", fix="pass a folder holding memo.md.j2 and/or memo.html.j2"
            )
        return renderer(result, template_dir=Path(template_dir))  # type: ignore[call-arg]
    return renderer(result)


__all__ = ["FORMATS", "TEMPLATED_FORMATS", "render"]
