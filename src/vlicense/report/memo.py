"""Markdown compliance memo (DESIGN.md section 7): verdict first, blocking findings with terms and ways out, inventory, limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment

from vlicense.model import SEVERITY_RANK, AuditResult, Component, Finding
from vlicense.policy.context import describe
from vlicense.policy.rules import rule_title
from vlicense.report import templating
from vlicense.resolution.model_license import chain_text, source_label

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
    """The deciding source, with what a snapshot value rests on; for an unknown license, which kind of unknown."""
    fact = next((f for f in comp.facts if f.source == comp.license_source and f.license == comp.license), None)
    if fact is not None and (fact.basis or fact.source == "weight-metadata"):
        return f"{fact.source} ({source_label(fact)})"
    if comp.license_source:
        return comp.license_source
    if comp.license_unknown:
        return comp.license_unknown.replace("-", " ")
    return comp.facts[0].source if comp.facts else "none"


def context(result: AuditResult) -> dict[str, Any]:
    """The values the memo template sees (also useful for custom templates)."""
    findings = sorted(result.findings, key=lambda f: (-SEVERITY_RANK[f.severity], f.rule, f.component, f.license or ""))
    errors = [f for f in findings if f.severity == "error"]
    # Model-hygiene findings have a section of their own ("Model hygiene"); the license lists leave them out.
    warnings = [f for f in findings if f.severity == "warning" and f.hygiene is None]
    infos = [f for f in findings if f.severity == "info" and f.hygiene is None]
    components = {c.id: c for c in result.components}
    blocking = []
    for f in (f for f in errors if f.hygiene is None):
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
         "origin": c.origin_at.get(c.locations[0]) if c.locations else None}
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
        # One line per model with a lineage: whose terms bind it and where each license was read.
        "lineages": [chain_text(c) for c in sorted(result.components, key=lambda c: c.id) if c.lineage],
        "components": components,
        "hygiene": hygiene_rows(findings),
        "warning_count": sum(1 for f in findings if f.severity == "warning"),
        "unresolved": sorted(result.unresolved, key=lambda u: (u.location.path, u.location.line, u.expression)),
        "skipped": sorted(result.skipped, key=lambda s: (s.path, s.reason)),
        "files_scanned": result.stats.get("files_scanned", "not recorded"),
        "offline": sorted(result.sources_offline),
    }


def hygiene_rows(findings: list[Finding]) -> list[dict[str, Any]]:
    """Model-hygiene findings with their expected and found preprocessing as plain phrases (the memo's section)."""
    rows = []
    for f in sorted((f for f in findings if f.hygiene is not None),
                    key=lambda f: (-SEVERITY_RANK[f.severity], f.locations[0].path if f.locations else "", f.rule)):
        issue = f.hygiene
        assert issue is not None
        rows.append({
            "finding": f,
            "title": rule_title(f.rule),
            "expected": _values_text(issue.expected),
            "source": str(issue.expected.get("source") or ""),
            "found": _values_text(issue.found),
            "steps": [str(w) for w in issue.found.get("where") or []],  # type: ignore[union-attr]
            "fix": issue.fix,
            "weights": [a for a in f.alternatives if a.kind == "model"],
        })
    return rows


def _values_text(values: dict[str, object]) -> str:
    """``resize 232, crop 224, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225), bilinear``."""
    parts = []
    for key in ("resize", "crop"):
        value = values.get(key)
        if isinstance(value, list):
            parts.append(f"{key} {'x'.join(str(v) for v in value)}")
        elif value is not None:
            parts.append(f"{key} {value}")
    for key in ("mean", "std"):
        value = values.get(key)
        if isinstance(value, list):
            parts.append(f"{key} (" + ", ".join(f"{v:.4g}" for v in value) + ")")
    if values.get("interpolation"):
        parts.append(str(values["interpolation"]))
    if "weights" in values:
        parts.append(f"pretrained weights, {values['weights']} by default" if values["weights"]
                     else "no pretrained weights (random initialization)")
    if values.get("evidence"):
        parts.append(f"while {values['evidence']}")
    return ", ".join(parts) or "no mean/std normalization"


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
