"""Model hygiene findings: HygieneIssues x policy (severity tables, the `hygiene` switch, scope caps) -> findings."""

from __future__ import annotations

import json
from collections.abc import Sequence

from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.knowledge.licenses import categorize
from vlicense.model import SEVERITY_RANK, Alternative, Finding, HygieneIssue
from vlicense.policy.context import context_keys, describe_scope
from vlicense.policy.rules import HYGIENE_RULES, RULE_FOR_CATEGORY
from vlicense.policy.schema import Policy

_RANK = {**SEVERITY_RANK, "ignore": -1}


def hygiene_findings(issues: Sequence[HygieneIssue], policy: Policy, kb: KnowledgeBase | None = None) -> list[Finding]:
    """One finding per issue, unless the policy turns the family off (`hygiene: false`) or a rule to `ignore`."""
    if not policy.hygiene:
        return []
    from vlicense.policy.engine import fingerprint, severity_for

    keys = context_keys(policy.context)
    out = []
    for issue in issues:
        rule = HYGIENE_RULES[issue.rule]
        severity, _ = severity_for(policy, rule.id, keys)
        if severity == "ignore":
            continue
        severity, note = _scope_cap(severity, issue.scope, policy)
        if severity == "ignore":
            continue
        alternatives = _weights_alternatives(issue, policy, kb or KnowledgeBase.load()) if issue.candidates else []
        found = {k: v for k, v in issue.found.items() if k != "where"}
        out.append(Finding(
            rule=rule.id,
            severity=severity,  # type: ignore[arg-type]
            component=issue.component,
            message=issue.summary + note,
            locations=list(issue.locations),
            alternatives=alternatives,
            # Stable across edits that move code: the rule, the model, the file that feeds it and what it feeds.
            fingerprint=fingerprint(rule.id, issue.component, f"{issue.locations[0].path}\x00{json.dumps(found, sort_keys=True)}"),
            recommendation=rule.recommend(issue),
            hygiene=issue,
        ))
    return out


def _scope_cap(severity: str, scope: str, policy: Policy) -> tuple[str, str]:
    """The policy's cap for code outside shipped code (tests, notebooks, examples), as for license findings."""
    if not scope or scope == "runtime":
        return severity, ""
    where = f" Found only in {describe_scope(scope)} (scope '{scope}')"
    cap = policy.scope_cap(scope)
    if cap is not None and _RANK[severity] > _RANK[cap[0]]:
        if cap[0] == "ignore":
            return "ignore", ""
        return cap[0], f"{where}: the policy caps findings for this scope at {cap[0]} (scopes.{cap[1]})."
    return severity, f"{where}."


def _weights_alternatives(issue: HygieneIssue, policy: Policy, kb: KnowledgeBase) -> list[Alternative]:
    """The pretrained weights that exist for an untrained build, each with its license judged by this policy
    (so the fix does not trade a hygiene note for a license problem)."""
    from vlicense.policy.engine import severity_for

    keys = context_keys(policy.context)
    out = []
    for candidate in issue.candidates:
        fact = kb.model(candidate)
        license_id = fact.license if fact is not None else None
        categories = categorize(license_id)
        worst = "ignore"
        for category in categories or ["unknown"]:
            rule_id = RULE_FOR_CATEGORY.get(category, "unknown-license")
            severity, _ = severity_for(policy, rule_id, keys)
            if _RANK[severity] > _RANK[worst]:
                worst = severity
        label = ", ".join(categories) if categories else "unknown"
        if worst in ("ignore", "info"):
            verdict = f"{label}: allowed by policy {policy.name}"
        else:
            verdict = f"{label}: would be {'an' if worst == 'error' else 'a'} {worst} under policy {policy.name}"
        out.append(Alternative(name=candidate, license=license_id or "unknown", note=verdict, kind="model"))
    return out
