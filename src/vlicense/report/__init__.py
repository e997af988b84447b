"""Report renderers: each takes one AuditResult and returns text; only the CLI writes files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vlicense.errors import UsageError
from vlicense.model import AuditResult
from vlicense.report import cyclonedx, html, json_report, memo, sarif, text

Renderer = Callable[[AuditResult], str]

# CLI choices derive from this table; adding a format means adding a module and one entry here.
FORMATS: dict[str, Renderer] = {
    "cyclonedx": cyclonedx.render,
    "html": html.render,
    "json": json_report.render,
    "memo": memo.render,
    "sarif": sarif.render,
    "text": text.render,
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
