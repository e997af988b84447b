"""SARIF 2.1.0 for code scanning: one rule per policy rule id, one result per finding at file:line, stable fingerprints."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from vlicense.model import SEVERITY_RANK, AuditResult, Component, Finding, Location
from vlicense.policy import rules as registry
from vlicense.policy.context import describe

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
# partialFingerprints key: the finding fingerprint hashes (rule, component, license), never a line number, so a
# result keeps its identity (and its dismissal in the code-scanning UI) when code moves.
FINGERPRINT_KEY = "vlicenseFindingHash/v1"
_LEVEL = {"error": "error", "warning": "warning", "info": "note", "ignore": "none"}
# Files that declare dependencies: where a component with no location of its own is reported.
_MANIFEST_NAMES = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "environment.yml", "environment.yaml")


def level(severity: str) -> str:
    """SARIF level for a vlicense severity."""
    return _LEVEL.get(severity, "warning")


def _rule_object(rule_id: str) -> Any:
    for table in ("TABLE_RULES", "SEVERITY_RULES", "SIGNAL_RULES", "FIXED_RULES"):
        rule = getattr(registry, table, {}).get(rule_id)
        if rule is not None:
            return rule
    return None


def _title(rule_id: str, rule: Any) -> str:
    return getattr(rule, "title", "") or rule_id


def _doc(rule_id: str, rule: Any) -> str:
    """The rule module's docstring without its ``Rule <id>:`` prefix."""
    doc = (getattr(rule, "doc", "") or "").strip()
    head, sep, tail = doc.partition(": ")
    return tail.strip() if sep and head.startswith("Rule") else doc


def _defaults(rule: Any) -> dict[str, str]:
    """Severity per context key (a fixed rule has one severity for every context)."""
    table = getattr(rule, "defaults", None)
    if table:
        return dict(table)
    severity = getattr(rule, "severity", None)
    return {"default": severity} if severity else {}


def _default_severity(rule: Any) -> str:
    table = _defaults(rule)
    if "default" in table:
        return table["default"]
    # No fallback entry: report the strictest context's severity, so the default never understates the rule.
    ranked = sorted(table.values(), key=lambda s: -SEVERITY_RANK.get(s, -1))
    return ranked[0] if ranked else "warning"


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.replace("_", "-").split("-") if part)


def rule_descriptor(rule_id: str) -> dict[str, Any]:
    """The reportingDescriptor for one rule id (help text plain and Markdown, default level, tags)."""
    rule = _rule_object(rule_id)
    title = _title(rule_id, rule)
    doc = _doc(rule_id, rule) or title
    table = _defaults(rule)
    severities = ", ".join(f"{k}: {v}" for k, v in table.items())
    text = f"{doc}\nDefault severity by context: {severities or 'set by the policy'}.\nRun `vlicense explain {rule_id}` for details; set the severity in the policy's `rules:` section."
    rows = "\n".join(f"| `{k}` | {v} |" for k, v in table.items())
    markdown = (
        f"**{title}**\n\n{doc}\n\n"
        + (f"| context | default severity |\n| --- | --- |\n{rows}\n\n" if rows else "")
        + f"Run `vlicense explain {rule_id}` for details; a policy's `rules:` section sets the severity per context."
    )
    tags = ["model-hygiene", "correctness"] if rule_id in registry.HYGIENE_RULES else ["license", "compliance"]
    tags += list(getattr(rule, "categories", ()) or ())
    category = getattr(rule, "category", None)
    if isinstance(category, str):
        tags.append(category)
    return {
        "id": rule_id,
        "name": _pascal(rule_id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": doc},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": level(_default_severity(rule))},
        "properties": {"tags": sorted(set(tags))},
    }


def rule_ids(result: AuditResult) -> list[str]:
    """Every rule the policy engine can emit, plus any id a finding carries that the registry does not know."""
    known = set(registry.all_rule_ids())
    return sorted(known | {f.rule for f in result.findings})


def _uri(path: str) -> str:
    """A relative URI reference for a project path (spaces, '#', '%' and the like percent-encoded)."""
    return quote(path.replace("\\", "/").lstrip("/"), safe="/-._~")


def _physical(loc: Location, *, with_region: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"artifactLocation": {"uri": _uri(loc.path), "uriBaseId": SRCROOT}}
    if with_region and loc.line >= 1:
        region: dict[str, Any] = {"startLine": loc.line}
        if loc.column >= 1:
            region["startColumn"] = loc.column
        if loc.snippet:
            region["snippet"] = {"text": loc.snippet}
        out["region"] = region
    return out


def _logical(comp_id: str, comp: Component | None) -> dict[str, Any]:
    kind = "module" if comp is not None and comp.kind == "library" else "resource"
    return {"name": comp_id, "fullyQualifiedName": comp_id, "kind": kind}


def _is_manifest(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name in _MANIFEST_NAMES or (name.startswith("requirements") and name.endswith((".txt", ".in")))


def _fallback_location(comp: Component | None, components: dict[str, Component], result: AuditResult) -> Location | None:
    """Where to report a finding whose component has no location of its own.

    A transitive library: the manifest line (or import) of the direct dependency that pulls it in. Otherwise the
    project's manifest. None when the project has no manifest either (the result then points at the root).
    """
    if comp is not None:
        for path in sorted(comp.introduced_by):
            steps = [s for s in path if s not in ("<project>", "project")]
            if not steps:
                continue
            parent = components.get(f"pypi:{steps[0]}")
            if parent is not None and parent.locations:
                manifests = [loc for loc in parent.locations if _is_manifest(loc.path)]
                return (manifests or parent.locations)[0]
    manifests = sorted({loc.path for c in result.components for loc in c.locations if _is_manifest(loc.path)})
    if manifests:
        # Prefer pyproject.toml, then requirements files, in a fixed order.
        manifests.sort(key=lambda p: (p.count("/"), p.rsplit("/", 1)[-1] != "pyproject.toml", p))
        return Location(manifests[0], 0)
    return None


def _locations(f: Finding, comp: Component | None, components: dict[str, Component], result: AuditResult):
    logical = [_logical(f.component, comp)]
    locs = list(f.locations) or (list(comp.locations) if comp is not None else [])
    if locs:
        primary = {"physicalLocation": _physical(locs[0]), "logicalLocations": logical}
        related = [
            {"id": i, "physicalLocation": _physical(loc), "message": {"text": _related_text(f, i)}}
            for i, loc in enumerate(locs[1:], start=1)
        ]
        # Where the id's value is written when not at the load (a constant, a CLI default, a config key).
        origins = list(comp.origins) if comp is not None and list(f.locations) in ([], list(comp.locations)) else []
        related += [
            {"id": i, "physicalLocation": _physical(loc), "message": {"text": f"the value that names {f.component} is written here"}}
            for i, loc in enumerate(origins, start=len(related) + 1)
        ]
        return [primary], related
    fallback = _fallback_location(comp, components, result)
    if fallback is not None:
        return [{"physicalLocation": _physical(fallback, with_region=fallback.line >= 1), "logicalLocations": logical}], []
    # A project-level result: the root folder itself, no region.
    return [{"physicalLocation": {"artifactLocation": {"uri": "./", "uriBaseId": SRCROOT}}, "logicalLocations": logical}], []


def _related_text(f: Finding, index: int) -> str:
    if f.hygiene is None:
        return f"{f.component} also enters here"
    # Hygiene findings list the call that feeds the model, then the load, then the steps (or the processor load).
    if index == 1:
        return f"{f.component} is loaded here"
    return "the processor is loaded here" if f.rule == "processor-mismatch" else "preprocessing step named in the finding"


def _message(f: Finding) -> str:
    parts = [f.message.strip() or f"{f.rule} on {f.component}"]
    if f.recommendation:
        parts.append(f"Recommendation: {f.recommendation.strip()}")
    return " ".join(parts)


def _result(f: Finding, index: dict[str, int], components: dict[str, Component], result: AuditResult) -> dict[str, Any]:
    comp = components.get(f.component)
    locations, related = _locations(f, comp, components, result)
    fingerprint = f.fingerprint
    if not fingerprint:  # every engine finding has one; keep the contract for hand-made findings too
        from vlicense.policy.engine import fingerprint as make_fingerprint

        fingerprint = make_fingerprint(f.rule, f.component, f.license)
    properties: dict[str, Any] = {
        "component": f.component,
        "license": f.license,
        "category": f.category,
        "severity": f.severity,
    }
    if comp is not None:
        properties["componentKind"] = comp.kind
        if comp.version:
            properties["version"] = comp.version
    if f.chosen_branch:
        properties["chosenBranch"] = f.chosen_branch
    if f.obligation:
        properties["obligation"] = f.obligation
    if f.alternatives:
        properties["alternatives"] = [
            {"name": a.name, "license": a.license, "kind": a.kind} for a in f.alternatives
        ]
    if f.hygiene is not None:
        properties["hygiene"] = {"expected": f.hygiene.expected, "found": f.hygiene.found, "fix": f.hygiene.fix}
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": level(f.severity),
        "message": {"text": _message(f)},
        "locations": locations,
    }
    if related:
        out["relatedLocations"] = related
    out["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
    out["properties"] = properties
    return out


def _notifications(result: AuditResult) -> list[dict[str, Any]]:
    """What was not examined, as tool notifications (a code-scanning run must not look complete when it was not)."""
    out: list[dict[str, Any]] = []
    for s in sorted(result.skipped, key=lambda s: (s.path, s.reason)):
        out.append(
            {
                "level": "warning",
                "message": {"text": f"Skipped {s.path}: {s.reason}"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(s.path), "uriBaseId": SRCROOT}}}],
                "descriptor": {"id": "skipped-file"},
            }
        )
    for u in sorted(result.unresolved, key=lambda u: (u.location.path, u.location.line, u.location.column, u.expression)):
        out.append(
            {
                "level": "warning",
                "message": {"text": f"Unresolved {u.loader} model reference {u.expression}: {u.reason}"},
                # A notification has no relatedLocations: the origins (the load line, the option) follow the entry.
                "locations": [{"physicalLocation": _physical(loc)} for loc in (u.location, *u.origins)],
                "descriptor": {"id": "unresolved-reference"},
            }
        )
    for source in sorted(result.sources_offline):
        out.append({"level": "note", "message": {"text": f"Source offline: {source}"}, "descriptor": {"id": "source-offline"}})
    return out


def to_dict(result: AuditResult) -> dict[str, Any]:
    """The SARIF log as plain data."""
    ids = rule_ids(result)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    components = {c.id: c for c in result.components}
    findings = sorted(
        result.findings,
        key=lambda f: (-SEVERITY_RANK[f.severity], f.rule, f.component, f.license or "", f.fingerprint),
    )
    invocation: dict[str, Any] = {"executionSuccessful": True}
    notifications = _notifications(result)
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "vlicense",
                        "version": result.tool_version,
                        "semanticVersion": result.tool_version,
                        "rules": [rule_descriptor(rule_id) for rule_id in ids],
                    }
                },
                "automationDetails": {"id": f"vlicense/{result.policy_name}/"},
                "originalUriBaseIds": {SRCROOT: {"description": {"text": f"The audited project root ({result.root})"}}},
                "invocations": [invocation],
                "results": [_result(f, index, components, result) for f in findings],
                "columnKind": "unicodeCodePoints",
                "properties": {
                    "policy": result.policy_name,
                    "context": describe(result.context),
                    "distribution": list(result.context.distribution),
                    "commercial": result.context.commercial,
                    "verdict": result.verdict,
                    "generatedAt": result.generated_at,
                },
            }
        ],
    }


def render(result: AuditResult) -> str:
    """The SARIF log text (UTF-8, two-space indent, trailing newline)."""
    return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"
