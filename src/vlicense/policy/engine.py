"""Evaluate components against a policy: license expression x category x context -> findings, then exceptions."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
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
    HygieneIssue,
    LicenseFact,
    LineageLink,
    Location,
    Signal,
    Verdict,
)
from vlicense.policy import exceptions as exc_mod
from vlicense.policy.alternatives import SameArch, alternatives_for
from vlicense.knowledge.licenses import (
    LICENSING,
    ExceptionInfo,
    LicenseInfo,
    categorize,
    exception_info,
    leaf_category,
    license_info,
)
from vlicense.policy.context import context_keys, describe_scope
from vlicense.policy.hygiene import hygiene_findings
from vlicense.policy.rules import (
    RULE_FOR_CATEGORY,
    RULE_FOR_SIGNAL,
    SEVERITY_RULES,
    SIGNAL_RULES,
    SignalTrigger,
    Trigger,
)
from vlicense.policy.rules import allowed as allowed_rule
from vlicense.policy.rules import denied as denied_rule
from vlicense.policy.rules import license_choice as choice_rule
from vlicense.policy.schema import Choice, Policy
from vlicense.resolution.model_license import chain_text, inherited_links

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
    scope_note: str = ""
    # Signal rules: the signal that fired (its detail goes into the fingerprint).
    signal: Signal | None = None
    signal_trigger: SignalTrigger | None = None
    # False for findings the scope cap must not lower (deny lists, OR notes, code-execution risks).
    capped: bool = True
    # Set when the license evaluated is a base model's, inherited through the lineage (not the model's own).
    via: LineageLink | None = None


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
    hygiene: Sequence[HygieneIssue] = (),
) -> list[Finding]:
    """Findings for every component (categories are filled in on the components) and every model-hygiene issue,
    sorted severity-first."""
    overrides = {o.component: o for o in policy.overrides}
    choices = {c.component: c for c in policy.choices}
    used_overrides: set[str] = set()
    used_choices: set[str] = set()
    findings: list[Finding] = []
    for comp in components:
        ov = overrides.get(comp.id)
        if ov is not None:
            used_overrides.add(ov.component)
            _apply_override(comp, ov.license, f"{ov.reason} (policy override at {ov.where})")
        comp.categories = categorize(comp.license)
        choice = choices.get(comp.id)
        state = _ChoiceState(choice)
        hits = _component_hits(comp, policy, state) + _signal_hits(comp, policy)
        if state.used:
            used_choices.add(comp.id)
        findings.extend(_to_finding(h, comp, same_arch_alternatives) for h in _cap_for_scope(hits, comp, policy))
    for ch in policy.choices:
        if ch.component not in used_choices:
            findings.append(_choice_unused(ch, {c.id: c for c in components}.get(ch.component)))
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
    findings += hygiene_findings(hygiene, policy)
    findings = _apply_exceptions(findings, policy, {c.id: c for c in components}, today)
    return sort_findings(_dedupe(findings))


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Severity descending, then rule, component, license."""
    return sorted(findings, key=lambda f: (-_RANK[f.severity], f.rule, f.component, f.license or "", f.message))


# ----------------------------------------------------------------------------------------- one component


def _apply_override(comp: Component, license: str, detail: str) -> None:
    # An override states the component's whole license: inherited terms are not evaluated on top of it.
    comp.license = license
    comp.license_source = "policy-override"
    comp.license_unknown, comp.unknown_reason = None, ""
    if not any(f.source == "policy-override" for f in comp.facts):
        comp.facts.insert(0, LicenseFact(source="policy-override", license=license, detail=detail))


def _subject(comp: Component) -> str:
    if comp.kind == "model":
        return f"Model {comp.id}"
    return f"Library {comp.name}" + (f" {comp.version}" if comp.version else "")


@dataclass
class _ChoiceState:
    """The component's pinned OR choice (if any) and whether an OR in its license offered that branch."""

    choice: Choice | None
    used: bool = False


def _component_hits(comp: Component, policy: Policy, state: _ChoiceState) -> list[_Hit]:
    """License hits for one component: deny/allow lists first, then its license expression."""
    subject = _subject(comp)
    pattern = policy.deny.component_pattern(comp)
    if pattern is not None:
        list_name = "deny.packages" if comp.id.startswith("pypi:") else "deny.models"
        return [
            _Hit(
                "denied",
                "error",
                comp.license or "",
                None,
                message=denied_rule.message(subject, pattern, list_name),
                capped=False,
            )
        ]
    pattern = policy.allow.component_pattern(comp)
    if pattern is not None:
        list_name = "allow.packages" if comp.id.startswith("pypi:") else "allow.models"
        return [
            _Hit(
                "allowed",
                "info",
                comp.license or "",
                None,
                message=allowed_rule.message(subject, pattern, list_name),
                capped=False,
            )
        ]

    keys = context_keys(policy.context)
    if comp.license is None or not comp.license.strip():
        hits = _category_hits(comp, "", None, None, "unknown", policy, keys)
    else:
        hits = _expression_hits(comp.license, comp, policy, keys, state)
    return hits + _inherited_hits(comp, policy, keys, state)


def _expression_hits(expression: str, comp: Component, policy: Policy, keys: list[str], state: _ChoiceState) -> list[_Hit]:
    try:
        parsed = LICENSING.parse(expression)
    except ExpressionError:
        parsed = None
    if parsed is None:
        return _category_hits(comp, expression, None, None, "unknown", policy, keys)
    return _evaluate_node(parsed, comp, policy, keys, state)


def _inherited_hits(comp: Component, policy: Policy, keys: list[str], state: _ChoiceState) -> list[_Hit]:
    """A base model's terms bind every model derived from it: evaluate each ancestor's license as well.

    Not on top of a policy override (it states the whole license). Hits that repeat the model's own (same rule
    and license) fold into one finding by fingerprint.
    """
    if comp.license_source == "policy-override":
        return []
    hits = []
    for link in inherited_links(comp):
        for hit in _expression_hits(link.license or "", comp, policy, keys, state):
            hit.via = hit.via or link
            hits.append(hit)
    return hits


def _signal_hits(comp: Component, policy: Policy) -> list[_Hit]:
    """One hit per signal on the component (deny/allow lists do not silence these: they are not about the license)."""
    keys = context_keys(policy.context)
    hits = []
    for sig in comp.signals:
        rule_id = RULE_FOR_SIGNAL.get(sig.kind)
        if rule_id is None:  # a kind added to the model without a rule; the registry asserts this cannot happen
            continue
        severity, decided_by = severity_for(policy, rule_id, keys)
        if severity == "ignore":
            continue
        rule = SIGNAL_RULES[rule_id]
        trigger = SignalTrigger(comp, sig, severity, decided_by, policy.context)
        hits.append(
            _Hit(
                rule_id,
                severity,
                comp.license or "",
                rule.category,
                signal=sig,
                signal_trigger=trigger,
                capped=rule.scope_capped,
            )
        )
    return hits


def _cap_for_scope(hits: list[_Hit], comp: Component, policy: Policy) -> list[_Hit]:
    """Lower findings about a component used only outside shipped code to the policy's cap for that scope."""
    cap = policy.scope_cap(comp.scope)
    out = []
    for h in hits:
        if comp.scope and comp.scope != "runtime":
            where = f"Used only in {describe_scope(comp.scope)} (scope '{comp.scope}')"
            if cap is not None and h.capped and _RANK[h.severity] > _RANK[cap[0]]:
                if cap[0] == "ignore":
                    continue  # the policy explicitly ignores this scope (scopes.<key>: ignore)
                h.scope_note = (
                    f" {where}: the policy caps findings for this scope at {cap[0]} (scopes.{cap[1]}); "
                    f"in shipped code this would be {'an' if h.severity == 'error' else 'a'} {h.severity}."
                )
                h.severity = cap[0]
            else:
                h.scope_note = f" {where}."
        out.append(h)
    return out


def _choice_unused(ch: Choice, comp: Component | None) -> Finding:
    if comp is None:
        why = "the audit found no such component"
    else:
        why = f"its license ({comp.license or 'unknown'}) offers no such branch of an OR"
    return Finding(
        rule="choice-unused",
        severity="warning",
        component=ch.component,
        message=f"The policy pins the license choice of {ch.component} to {ch.license}, but {why}; the pin has no effect.",
        locations=[_where_location(ch.where)],
        fingerprint=fingerprint("choice-unused", ch.component, ch.license),
        license=ch.license,
        recommendation="Remove the stale pin, or correct its component id or license so it names one branch of the OR.",
    )


def _evaluate_node(node: object, comp: Component, policy: Policy, keys: list[str], state: _ChoiceState) -> list[_Hit]:
    """AND: every part must be allowed (all hits count). OR: the pinned branch, else the mildest outcome."""
    if isinstance(node, (LicenseSymbol, LicenseWithExceptionSymbol)):
        return _leaf_hits(node, comp, policy, keys)
    if isinstance(node, AND):
        return [h for arg in node.args for h in _evaluate_node(arg, comp, policy, keys, state)]
    if isinstance(node, OR):
        branches = [(arg, _evaluate_node(arg, comp, policy, keys, state)) for arg in node.args]
        pinned = _pinned_branch(branches, state)
        if pinned is not None:
            chosen, hits = pinned
            assert state.choice is not None
            why = f"the policy pins this choice ({state.choice.reason}; choices at {state.choice.where})"
        else:
            # min() keeps the first branch on ties: the order the licensor wrote is the tie-break.
            chosen, hits = min(branches, key=lambda b: _cost(b[1]))
            why = ""
        chosen_text = _plain(chosen)
        for h in hits:
            h.chosen_branch = h.chosen_branch or chosen_text
        note = _Hit(
            "license-choice",
            "info",
            _plain(node),
            None,
            message=choice_rule.message(_subject(comp), _plain(node), chosen_text, why),
            chosen_branch=chosen_text,
            capped=False,
        )
        return [note, *hits]
    return _category_hits(comp, str(node), None, None, "unknown", policy, keys)


def _pinned_branch(branches: list[tuple[object, list[_Hit]]], state: _ChoiceState) -> tuple[object, list[_Hit]] | None:
    """The branch equivalent to the component's pinned choice (``MIT`` matches ``mit``; order inside ANDs ignored)."""
    if state.choice is None:
        return None
    try:
        # License keys compare case-insensitively (SPDX says so); the plain Licensing() does not, so lower both.
        wanted = LICENSING.parse(state.choice.license.lower())
        for arg, hits in branches:
            if LICENSING.is_equivalent(LICENSING.parse(str(arg).lower()), wanted):
                state.used = True
                return arg, hits
    except ExpressionError:  # the loader validated the pin; a parse failure here means no match, not a crash
        return None
    return None


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
    # No license at all: the policy may weigh "not determined" and "declared none" differently.
    variant = comp.license_unknown if category == "unknown" and not text else None
    severity, decided_by = severity_for(policy, rule_id, keys, variant)
    hits: list[_Hit] = []
    if severity != "ignore":
        trigger = Trigger(comp, text, info, exc, category, severity, decided_by, policy.context)
        hits.append(_Hit(rule_id, severity, text, category, trigger))
    if info is not None and not info.reviewed:
        usev, uby = severity_for(policy, "unreviewed-license", keys)
        if usev != "ignore" and _RANK[usev] > _RANK[severity]:
            trigger = Trigger(comp, text, info, exc, category, usev, uby, policy.context)
            hits.append(_Hit("unreviewed-license", usev, text, category, trigger))
    return hits


def severity_for(policy: Policy, rule_id: str, keys: list[str], variant: str | None = None) -> tuple[str, str]:
    """The worst severity among the table keys that apply to the context; 'default' only when none applies."""
    return policy.severity(rule_id, keys, variant)


def _to_finding(hit: _Hit, comp: Component, same_arch: SameArch | None) -> Finding:
    if hit.signal_trigger is not None:
        return _signal_finding(hit, comp, hit.signal_trigger)
    t = hit.trigger
    info = t.info if t else (license_info(hit.license) if hit.license and " " not in hit.license else None)
    if t is not None:
        # The trigger was built before a scope cap; the words must match the severity actually reported.
        t = replace(t, severity=hit.severity)
        rule = SEVERITY_RULES[hit.rule]
        if hit.via is not None:
            message = f"{_inherited(comp, hit.via, hit.license, hit.category)} {rule.explain(t)}"
        else:
            licensed = f"is licensed {hit.license} ({hit.category})" if hit.license else _no_license(comp)
            message = f"{_subject(comp)} {licensed}. {rule.explain(t)}"
        if comp.lineage:
            message += f" Lineage: {chain_text(comp)}."
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
        message=message + hit.scope_note,
        locations=list(comp.locations),
        obligation=obligation,
        alternatives=alternatives,
        fingerprint=fingerprint(hit.rule, comp.id, hit.license),
        license=hit.license or None,
        category=hit.category,
        chosen_branch=hit.chosen_branch,
        recommendation=recommendation,
    )


def _no_license(comp: Component) -> str:
    """Which unknown, with resolution's reason: where the silence was read, or what failed and what to rerun."""
    if comp.license_unknown == "declared-none":
        return f"declares no license ({comp.unknown_reason})" if comp.unknown_reason else "declares no license"
    if comp.license_unknown == "not-determined":
        return "has a license vlicense could not determine" + (f": {comp.unknown_reason}" if comp.unknown_reason else "")
    return "has no known license"


def _inherited(comp: Component, link: LineageLink, license: str, category: str | None) -> str:
    """Whose terms these are: the finding names both models (the "Lineage:" chain that follows gives the path)."""
    own = f"declares {comp.license}" if comp.license and comp.license_source != "lineage" else "declares no license of its own"
    return (f"{_subject(comp)} {own}, but it derives from {link.id}, whose {license} ({category}) terms bind the "
            "models derived from it.")


def _signal_finding(hit: _Hit, comp: Component, t: SignalTrigger) -> Finding:
    rule = SIGNAL_RULES[hit.rule]
    t = replace(t, severity=hit.severity)
    return Finding(
        rule=hit.rule,
        severity=hit.severity,  # type: ignore[arg-type]
        component=comp.id,
        message=f"{_subject(comp)}: {rule.explain(t)}{hit.scope_note}",
        locations=list(comp.locations),
        # Signals are evidence about the component, not a license's terms: the obligation stays empty.
        obligation="",
        alternatives=[],
        # The signal's detail keeps two signals of one kind apart (two base models drifting); no line numbers.
        fingerprint=fingerprint(hit.rule, comp.id, f"{hit.license}\x00{t.signal.detail}"),
        license=hit.license or None,
        category=hit.category,
        recommendation=rule.recommend(t),
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
