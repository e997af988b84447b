"""Evaluate components against a policy: license expression x category x context -> findings, then exceptions."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, replace

from license_expression import (
    AND,
    OR,
    ExpressionError,
    LicenseSymbol,
    LicenseWithExceptionSymbol,
)

from vlicense.model import (
    SEVERITY_RANK,
    Component,
    Finding,
    LicenseFact,
    Location,
    Verdict,
)
from vlicense.policy import exceptions as exc_mod
from vlicense.policy.alternatives import SameArch, alternatives_for
from vlicense.policy.catalog import (
    LICENSING,
    ExceptionInfo,
    LicenseInfo,
    categorize,
    exception_info,
    leaf_category,
    license_info,
)
from vlicense.policy.context import context_keys
from vlicense.policy.rules import RULE_FOR_CATEGORY, SEVERITY_RULES, Trigger
from vlicense.policy.rules import allowed as allowed_rule
from vlicense.policy.rules import denied as denied_rule
from vlicense.policy.rules import license_choice as choice_rule
from vlicense.policy.schema import Policy

_RANK = {**SEVERITY_RANK, "ignore": -1}


@dataclass
class _Hit:
    """One rule firing on one license leaf, before it becomes a Finding."""

    rule: str
    severity: str
    license: str
    category: str | None
    trigger: Trigger | None = None
    message: str = ""
    chosen_branch: str | None = None


def fingerprint(rule: str, component: str, license: str | None) -> str:
    """Stable identity of a finding across runs: no line numbers, so moving code does not change it."""
    return hashlib.sha256(f"{rule}\x00{component}\x00{license or ''}".encode()).hexdigest()[:16]


def verdict(findings: list[Finding]) -> Verdict:
    """fail if any error, warn if any warning, else pass."""
    severities = {f.severity for f in findings}
    if "error" in severities:
        return "fail"
    if "warning" in severities:
        return "warn"
    return "pass"


def evaluate(
    components: list[Component],
    policy: Policy,
    *,
    today: datetime.date,
    same_arch_alternatives: SameArch | None = None,
) -> list[Finding]:
    """Findings for every component (categories are filled in on the components), sorted severity-first."""
    overrides = {o.component: o for o in policy.overrides}
    used_overrides: set[str] = set()
    findings: list[Finding] = []
    for comp in components:
        ov = overrides.get(comp.id)
        if ov is not None:
            used_overrides.add(ov.component)
            _apply_override(comp, ov.license, f"{ov.reason} (policy override at {ov.where})")
        comp.categories = categorize(comp.license)
        findings.extend(_component_findings(comp, policy, same_arch_alternatives))
    for ov in policy.overrides:
        if ov.component not in used_overrides:
            findings.append(
                Finding(
                    rule="override-unused",
                    severity="warning",
                    component=ov.component,
                    message=f"The policy overrides the license of {ov.component} to {ov.license}, but the audit found no such component; remove or fix the override.",
                    locations=[_where_location(ov.where)],
                    fingerprint=fingerprint("override-unused", ov.component, ov.license),
                    license=ov.license,
                    recommendation="Remove the stale override, or correct its component id.",
                )
            )
    findings = _apply_exceptions(findings, policy, {c.id: c for c in components}, today)
    return sort_findings(_dedupe(findings))


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Severity descending, then rule, component, license."""
    return sorted(findings, key=lambda f: (-_RANK[f.severity], f.rule, f.component, f.license or "", f.message))


# ----------------------------------------------------------------------------------------- one component


def _apply_override(comp: Component, license: str, detail: str) -> None:
    comp.license = license
    comp.license_source = "policy-override"
    if not any(f.source == "policy-override" for f in comp.facts):
        comp.facts.insert(0, LicenseFact(source="policy-override", license=license, detail=detail))


def _subject(comp: Component) -> str:
    if comp.kind == "model":
        return f"Model {comp.id}"
    return f"Library {comp.name}" + (f" {comp.version}" if comp.version else "")


def _component_findings(comp: Component, policy: Policy, same_arch: SameArch | None) -> list[Finding]:
    subject = _subject(comp)
    pattern = policy.deny.component_pattern(comp)
    if pattern is not None:
        list_name = "deny.packages" if comp.id.startswith("pypi:") else "deny.models"
        hits = [
            _Hit("denied", "error", comp.license or "", None, message=denied_rule.message(subject, pattern, list_name))
        ]
        return [_to_finding(h, comp, same_arch) for h in hits]
    pattern = policy.allow.component_pattern(comp)
    if pattern is not None:
        list_name = "allow.packages" if comp.id.startswith("pypi:") else "allow.models"
        hits = [
            _Hit("allowed", "info", comp.license or "", None, message=allowed_rule.message(subject, pattern, list_name))
        ]
        return [_to_finding(h, comp, same_arch) for h in hits]

    keys = context_keys(policy.context)
    if comp.license is None or not comp.license.strip():
        hits = _category_hits(comp, "", None, None, "unknown", policy, keys)
    else:
        try:
            parsed = LICENSING.parse(comp.license)
        except ExpressionError:
            parsed = None
        if parsed is None:
            hits = _category_hits(comp, comp.license, None, None, "unknown", policy, keys)
        else:
            hits = _evaluate_node(parsed, comp, policy, keys)
    return [_to_finding(h, comp, same_arch) for h in hits]


def _evaluate_node(node: object, comp: Component, policy: Policy, keys: list[str]) -> list[_Hit]:
    """AND: every part must be allowed (all hits count). OR: the branch with the mildest outcome is relied on."""
    if isinstance(node, (LicenseSymbol, LicenseWithExceptionSymbol)):
        return _leaf_hits(node, comp, policy, keys)
    if isinstance(node, AND):
        return [h for arg in node.args for h in _evaluate_node(arg, comp, policy, keys)]
    if isinstance(node, OR):
        branches = [(arg, _evaluate_node(arg, comp, policy, keys)) for arg in node.args]
        # min() keeps the first branch on ties: the order the licensor wrote is the tie-break.
        chosen, hits = min(branches, key=lambda b: _cost(b[1]))
        chosen_text = _plain(chosen)
        for h in hits:
            h.chosen_branch = h.chosen_branch or chosen_text
        note = _Hit(
            "license-choice",
            "info",
            _plain(node),
            None,
            message=choice_rule.message(_subject(comp), _plain(node), chosen_text),
            chosen_branch=chosen_text,
        )
        return [note, *hits]
    return _category_hits(comp, str(node), None, None, "unknown", policy, keys)


def _plain(node: object) -> str:
    text = str(node)
    return text[1:-1] if text.startswith("(") and text.endswith(")") and text.count("(") == 1 else text


def _cost(hits: list[_Hit]) -> tuple[int, int, int]:
    ranks = [_RANK[h.severity] for h in hits if h.rule != "license-choice"]
    worst = max(ranks, default=-1)
    return (worst, ranks.count(worst), len(ranks))


def _leaf_hits(symbol: LicenseSymbol, comp: Component, policy: Policy, keys: list[str]) -> list[_Hit]:
    text = str(symbol)
    exc = None
    base = symbol
    if isinstance(symbol, LicenseWithExceptionSymbol):
        base = symbol.license_symbol
        exc = exception_info(symbol.exception_symbol.key)
    info = license_info(base.key)
    category = leaf_category(symbol)
    spellings = [text, base.key] + ([info.key] if info else [])
    denied = next((p for p in (policy.deny.license_pattern(s) for s in spellings) if p), None)
    if denied is not None:
        return [
            _Hit(
                "denied",
                "error",
                text,
                category,
                message=denied_rule.message(f"{_subject(comp)} under {text}", denied, "deny.licenses"),
            )
        ]
    if any(policy.allow.license_pattern(s) for s in spellings):
        return []
    return _category_hits(comp, text, info, exc, category, policy, keys)


def _category_hits(
    comp: Component,
    text: str,
    info: LicenseInfo | None,
    exc: ExceptionInfo | None,
    category: str,
    policy: Policy,
    keys: list[str],
) -> list[_Hit]:
    rule_id = RULE_FOR_CATEGORY[category]
    severity, decided_by = _severity(policy, rule_id, keys)
    hits: list[_Hit] = []
    if severity != "ignore":
        trigger = Trigger(comp, text, info, exc, category, severity, decided_by, policy.context)
        hits.append(_Hit(rule_id, severity, text, category, trigger))
    if info is not None and not info.reviewed:
        usev, uby = _severity(policy, "unreviewed-license", keys)
        if usev != "ignore" and _RANK[usev] > _RANK[severity]:
            trigger = Trigger(comp, text, info, exc, category, usev, uby, policy.context)
            hits.append(_Hit("unreviewed-license", usev, text, category, trigger))
    return hits


def _severity(policy: Policy, rule_id: str, keys: list[str]) -> tuple[str, str]:
    """The worst severity among the table keys that apply to the context; 'default' only when none applies."""
    table = policy.severity_table(rule_id)
    candidates = [(table[k], k) for k in keys if k in table]
    if not candidates:
        return table.get("default", "ignore"), "default"
    best = candidates[0]
    for cand in candidates[1:]:
        if _RANK[cand[0]] > _RANK[best[0]]:
            best = cand
    return best


def _to_finding(hit: _Hit, comp: Component, same_arch: SameArch | None) -> Finding:
    t = hit.trigger
    info = t.info if t else (license_info(hit.license) if hit.license and " " not in hit.license else None)
    if t is not None:
        rule = SEVERITY_RULES[hit.rule]
        label = hit.license or "with no known license"
        licensed = f"is licensed {label} ({hit.category})" if hit.license else "has no known license"
        message = f"{_subject(comp)} {licensed}. {rule.explain(t)}"
        recommendation = rule.recommend(t)
    else:
        message, recommendation = hit.message, ""
        if hit.rule == "denied":
            recommendation = f"Remove {comp.name}, or ask the policy owner to lift the deny entry."
    obligation = f"{info.clause}: {info.obligation}" if info else ""
    if not obligation and hit.category == "unknown":
        obligation = (
            "No license terms known: by default copyright reserves all rights, so no permission to use, copy or "
            "distribute has been shown."
        )
    alternatives = alternatives_for(comp, info, same_arch=same_arch) if hit.severity == "error" else []
    return Finding(
        rule=hit.rule,
        severity=hit.severity,  # type: ignore[arg-type]
        component=comp.id,
        message=message,
        locations=list(comp.locations),
        obligation=obligation,
        alternatives=alternatives,
        fingerprint=fingerprint(hit.rule, comp.id, hit.license),
        license=hit.license or None,
        category=hit.category,
        chosen_branch=hit.chosen_branch,
        recommendation=recommendation,
    )


# ------------------------------------------------------------------------------------------- exceptions


def _where_location(where: str) -> Location:
    path, _, line = where.rpartition(":")
    return Location(path=path, line=int(line)) if line.isdigit() and path else Location(path=where)


def _apply_exceptions(
    findings: list[Finding], policy: Policy, components: dict[str, Component], today: datetime.date
) -> list[Finding]:
    used: set[int] = set()
    out: list[Finding] = []
    for f in findings:
        if f.severity in ("error", "warning"):
            for i, exc in enumerate(policy.exceptions):
                if exc_mod.matches(exc, f, components.get(f.component)):
                    used.add(i)
                    if not exc_mod.is_expired(exc, today):
                        f = replace(
                            f,
                            severity="info",
                            message=f"Accepted by policy exception ({exc_mod.describe(exc)}). Original {f.severity}: {f.message}",
                        )
                    break
        out.append(f)
    for i, exc in enumerate(policy.exceptions):
        if exc_mod.is_expired(exc, today):
            out.append(
                Finding(
                    rule="exception-expired",
                    severity="error",
                    component=exc.component,
                    message=(
                        f"The policy exception for {exc.component} expired on {exc.expires.isoformat()} "
                        f"({exc_mod.describe(exc)}); "
                        + (
                            "the finding it covered is active again."
                            if i in used
                            else "it also matches no current finding."
                        )
                    ),
                    locations=[_where_location(exc.where)],
                    fingerprint=fingerprint("exception-expired", exc.component, f"expires:{exc.expires.isoformat()}"),
                    recommendation="Renew the exception with a new expiry date after review, or resolve the underlying finding and delete it.",
                )
            )
        elif i not in used:
            out.append(
                Finding(
                    rule="exception-unused",
                    severity="warning",
                    component=exc.component,
                    message=(
                        f"The policy exception for {exc.component} matched no error or warning in this audit "
                        f"({exc_mod.describe(exc)}); stale exceptions hide future problems."
                    ),
                    locations=[_where_location(exc.where)],
                    fingerprint=fingerprint("exception-unused", exc.component, f"expires:{exc.expires.isoformat()}"),
                    recommendation="Delete the exception, or fix its component id / version / path scope.",
                )
            )
    return out


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per fingerprint (the same license twice in an AND), keeping the most severe."""
    best: dict[str, Finding] = {}
    for f in findings:
        cur = best.get(f.fingerprint)
        if cur is None or _RANK[f.severity] > _RANK[cur.severity]:
            best[f.fingerprint] = f
    return list(best.values())
