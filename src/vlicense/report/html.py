"""Self-contained HTML memo: the Markdown memo's structure and words, plus a dependency-path diagram per blocking finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vlicense.model import AuditResult
from vlicense.report import memo, templating
from vlicense.report.diagram import layout

TEMPLATE = "memo.html.j2"


def context(result: AuditResult) -> dict[str, Any]:
    """The Markdown memo's context, with a diagram layout on each blocking finding and counts for the verdict box."""
    values = memo.context(result)
    for index, item in enumerate(values["blocking"], start=1):
        comp = item["component"]
        item["diagram"] = layout(comp, values["root_name"], f"path-{index}") if comp is not None else None
    values["counts"] = {
        "libraries": sum(1 for c in result.components if c.kind == "library"),
        "models": sum(1 for c in result.components if c.kind == "model"),
        "errors": len(values["errors"]),
        "warnings": values["warning_count"],
        "infos": sum(1 for f in result.findings if f.severity == "info"),
    }
    return values


def render(result: AuditResult, *, template_dir: Path | None = None) -> str:
    """The memo as one HTML file (inline CSS and SVG, no scripts, no external requests)."""
    text = templating.environment("html", template_dir).get_template(TEMPLATE).render(**context(result))
    # Trailing spaces depend on template indentation only; strip them so the output is tidy and stable.
    return "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"
