"""Short terminal summary: verdict line, counts, one line per error and warning, and a hint for the full memo."""

from __future__ import annotations

from vlicense.model import SEVERITY_RANK, AuditResult, Component, Finding
from vlicense.policy.context import describe
from vlicense.resolution.model_license import chain_text


def _where(f: Finding, component: Component | None = None) -> str:
    if not f.locations:
        return "-"
    loc = f.locations[0]
    where = f"{loc.path}:{loc.line}" if loc.line else loc.path
    origin = component.origin_at.get(loc) if component is not None else None
    if origin is not None and list(f.locations) == list(component.locations):
        where += f" (value at {origin.path}:{origin.line})"
    return where


def _via(component: Component | None) -> str:
    """`` (via wrapper)`` for a dependency the project does not use directly: the shortest path's middle hops."""
    if component is None or component.direct or not component.introduced_by:
        return ""
    hops = min(component.introduced_by, key=len)[1:-1]
    return f" (via {' → '.join(hops)})" if hops else ""


def _unknown(component: Component | None) -> str:
    kind = component.license_unknown if component is not None else None
    return f"unknown license ({kind.replace('-', ' ')})" if kind else "unknown license"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render(result: AuditResult) -> str:
    """The terminal summary (plain text, no colour: the CLI may add it)."""
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in ("error", "warning", "info")}
    lines = [
        f"vlicense: {result.verdict.upper()} (policy {result.policy_name}: {describe(result.context)})",
        ", ".join(
            [
                _count(len(result.components), "component"),
                _count(counts["error"], "error"),
                _count(counts["warning"], "warning"),
            ]
        )
        + f", {counts['info']} info",
    ]
    shown = sorted(
        (f for f in result.findings if f.severity in ("error", "warning")),
        key=lambda f: (-SEVERITY_RANK[f.severity], f.rule, f.component, f.license or ""),
    )
    by_id = {c.id: c for c in result.components}
    chained: set[str] = set()
    for f in shown:
        component = by_id.get(f.component)
        lic = f.license or ("model hygiene" if f.hygiene is not None else _unknown(component))
        lines.append(f"  {f.severity.upper():7} {_where(f, component)}  {f.component}{_via(component)}  {lic}  [{f.rule}]")
        if component is not None and component.lineage and component.id not in chained:
            chained.add(component.id)  # the chain once per model, under its first finding
            lines.append(f"          lineage: {chain_text(component)}")
    extra = []
    if result.unresolved:
        extra.append(f"{len(result.unresolved)} unresolved model reference{'s' if len(result.unresolved) != 1 else ''}")
    if result.skipped:
        extra.append(f"{len(result.skipped)} skipped file{'s' if len(result.skipped) != 1 else ''}")
    if result.sources_offline:
        extra.append("offline sources: " + ", ".join(sorted(result.sources_offline)))
    if extra:
        lines.append("Not examined: " + "; ".join(extra) + ".")
    if shown:
        lines.append("Run with --format memo for the constraints, license clauses and alternatives.")
    return "\n".join(lines) + "\n"
