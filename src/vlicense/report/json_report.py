"""JSON report, schema_version 1 (DESIGN.md section 5): stable key order, sorted lists, validated by report.schema.json.

``schema_minor`` counts compatible additions to version 1 (1: components carry ``origins``; 2: so do unresolved entries)."""

from __future__ import annotations

import json
from typing import Any

from vlicense.model import (
    SEVERITY_RANK,
    AuditResult,
    Component,
    Finding,
    Location,
    SkippedFile,
    UnresolvedReference,
)

SCHEMA_VERSION = 1
SCHEMA_MINOR = 2


def _location(loc: Location) -> dict[str, Any]:
    out: dict[str, Any] = {"path": loc.path, "line": loc.line, "snippet": loc.snippet}
    if loc.cell is not None:  # notebooks: where inside the notebook, for people opening it in Jupyter
        out["cell"] = loc.cell
        out["cell_line"] = loc.cell_line
    return out


def _component(c: Component) -> dict[str, Any]:
    return {
        "id": c.id,
        "kind": c.kind,
        "name": c.name,
        "version": c.version,
        "loader": c.loader,
        "license": c.license,
        "license_source": c.license_source,
        "license_unknown": c.license_unknown,
        "categories": sorted(set(c.categories)),
        "direct": c.direct,
        "introduced_by": sorted([list(p) for p in c.introduced_by]),
        "locations": [_location(loc) for loc in c.locations],
        "origins": [_location(loc) for loc in c.origins],
        "facts": [
            {"source": f.source, "license": f.license, "detail": f.detail} for f in c.facts
        ],  # facts keep resolution's precedence order: the first is the strongest source
        "scope": c.scope,
        "task": c.task,
        "base_models": list(c.base_models),
        # Nearest first (breadth-first up the lineage); the policy evaluates every ancestor's terms too.
        "lineage": [
            {"id": link.id, "license": link.license, "source": link.source, "relation": link.relation,
             "path": list(link.path)}
            for link in c.lineage
        ],
        "signals": [{"kind": s.kind, "message": s.message, "detail": s.detail} for s in c.signals],
        "notes": list(c.notes),
        "found_by": c.found_by,
    }


def _finding(f: Finding) -> dict[str, Any]:
    out = {
        "rule": f.rule,
        "severity": f.severity,
        "component": f.component,
        "message": f.message,
        "locations": [_location(loc) for loc in f.locations],
        "obligation": f.obligation,
        "alternatives": [
            {"name": a.name, "license": a.license, "kind": a.kind, "note": a.note} for a in f.alternatives
        ],  # alternatives keep their ranking (most specific first)
        "fingerprint": f.fingerprint,
        "license": f.license,
        "category": f.category,
        "chosen_branch": f.chosen_branch,
        "recommendation": f.recommendation,
    }
    if f.hygiene is not None:  # model-hygiene findings only (additive: license findings keep their keys)
        out["hygiene"] = {"expected": f.hygiene.expected, "found": f.hygiene.found, "fix": f.hygiene.fix}
    return out


def _unresolved(u: UnresolvedReference) -> dict[str, Any]:
    return {
        "path": u.location.path,
        "line": u.location.line,
        "loader": u.loader,
        "expression": u.expression,
        "reason": u.reason,
        "origins": [_location(loc) for loc in u.origins],
    }


def _skipped(s: SkippedFile) -> dict[str, Any]:
    return {"path": s.path, "reason": s.reason}


def _finding_key(f: Finding) -> tuple:
    return (-SEVERITY_RANK[f.severity], f.rule, f.component, f.license or "", f.fingerprint)


def to_dict(result: AuditResult) -> dict[str, Any]:
    """The report as plain data (key order is the contract's order)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "schema_minor": SCHEMA_MINOR,
        "tool": {"name": "vlicense", "version": result.tool_version},
        "root": result.root,
        "context": {
            "policy": result.policy_name,
            "distribution": list(result.context.distribution),
            "commercial": result.context.commercial,
        },
        "verdict": result.verdict,
        "components": [_component(c) for c in sorted(result.components, key=lambda c: c.id)],
        "findings": [_finding(f) for f in sorted(result.findings, key=_finding_key)],
        "unresolved": [
            _unresolved(u)
            for u in sorted(
                result.unresolved,
                key=lambda u: (u.location.path, u.location.line, u.location.column, u.loader, u.expression),
            )
        ],
        "skipped": [_skipped(s) for s in sorted(result.skipped, key=lambda s: (s.path, s.reason))],
        "stats": {k: result.stats[k] for k in sorted(result.stats)},
    }


def render(result: AuditResult) -> str:
    """The JSON report text (UTF-8, two-space indent, trailing newline)."""
    return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"
