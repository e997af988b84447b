"""Markdown compliance memo (DESIGN.md section 7): verdict first, blocking findings with terms and ways out, inventory, limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment

from vlicense.model import SEVERITY_RANK, AuditResult, Component
from vlicense.policy.context import describe
from vlicense.report import templating

TEMPLATE = "memo.md.j2"


def environment(template_dir: Path | None = None) -> Environment:
    """Jinja2 environment for the Markdown memo (bundled templates, ``template_dir`` searched first)."""
    return templating.environment("markdown", template_dir)


# Kept under their historical names: custom code and templates use them.
cell = templating.md_cell
code = templating.md_code
where = templating.where


def _paths(comp: Component | None) -> list[str]:
    """Dependency paths as 'project → a → b' (resolution may start a path with '<project>' or the project name)."""
    if comp is None:
        return []
    out = []
    for path in sorted(comp.introduced_by):
        steps = [s for s in path if s not in ("<project>", "project")]
        out.append(" → ".join(["project", *steps]))
    return out


def _source(comp: Component) -> str:
    if comp.license_source:
        return comp.license_source
    return comp.facts[0].source if comp.facts else "none"


def context(result: AuditResult) -> dict[str, Any]:
    """The values the memo template sees (also useful for custom templates)."""
    findings = sorted(result.findings, key=lambda f: (-SEVERITY_RANK[f.severity], f.rule, f.component, f.license or ""))
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity == "warning"]
    infos = [f for f in findings if f.severity == "info"]
    components = {c.id: c for c in result.components}
    blocking = []
    for f in errors:
        comp = components.get(f.component)
        blocking.append(
            {
                "finding": f,
                "component": comp,
                "locations": list(f.locations),
                # Where the id's value is written when not at the load (a constant, a CLI default, a config key).
                "origins": list(comp.origins) if comp is not None and list(f.locations) == list(comp.locations) else [],
                "paths": _paths(comp),
                "options": [a for a in f.alternatives if a.kind != "commercial-license"],
                "routes": [a for a in f.alternatives if a.kind == "commercial-license"],
            }
        )
    inventory = [
        {"c": c, "source": _source(c), "where": list(c.locations)[:2], "more": max(0, len(c.locations) - 2),
         "origin": c.origins[0] if c.origins else None}
        for c in sorted(result.components, key=lambda c: (c.kind != "model", c.id))
    ]
    return {
        "r": result,
        "root_name": Path(result.root).name or result.root,
        "context_text": describe(result.context),
        "errors": errors,
        "warnings": warnings,
        "infos": infos,
        "blocking": blocking,
        "inventory": inventory,
        "components": components,
        "unresolved": sorted(result.unresolved, key=lambda u: (u.location.path, u.location.line, u.expression)),
        "skipped": sorted(result.skipped, key=lambda s: (s.path, s.reason)),
        "files_scanned": result.stats.get("files_scanned", "not recorded"),
        "offline": sorted(result.sources_offline),
    }


def render(result: AuditResult, *, template_dir: Path | None = None) -> str:
    """The memo as Markdown."""
    text = environment(template_dir).get_template(TEMPLATE).render(**context(result))
    # Collapse runs of blank lines the template's conditionals leave behind, so the output is stable and tidy.
    # Headings and HTML blocks get a blank line on both sides so every Markdown renderer splits blocks the same way.
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        block = line.startswith(("#", "<details", "</details"))
        if block and lines and lines[-1] != "":
            lines.append("")
        if line == "" and lines and lines[-1] == "":
            continue
        lines.append(line)
        if block:
            lines.append("")
    return "\n".join(lines).strip() + "\n"
