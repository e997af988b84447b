"""Rule registry: every rule id vlicense can put on a finding, one module per rule."""

from __future__ import annotations

from collections.abc import Mapping

from vlicense.model import SIGNAL_KINDS
from vlicense.policy.rules import (
    allowed,
    choice_unused,
    denied,
    exception_expired,
    exception_unused,
    gated,
    license_choice,
    license_drift,
    missing_normalization,
    network_copyleft,
    non_commercial,
    override_unused,
    permissive,
    preprocessing_mismatch,
    processor_mismatch,
    proprietary,
    source_available,
    strong_copyleft,
    tool_stamp,
    unknown_license,
    unpinned_revision,
    untrained_backbone,
    unreviewed_license,
    unsafe_pickle,
    use_restricted,
    weak_copyleft,
)
from vlicense.policy.rules.base import (
    FixedRule,
    HygieneRule,
    SeverityRule,
    SignalRule,
    SignalTrigger,
    Trigger,
)

# License-category rules: severity from a context-keyed table.
SEVERITY_RULES: dict[str, SeverityRule] = {
    r.id: r
    for r in (
        network_copyleft.RULE,
        strong_copyleft.RULE,
        weak_copyleft.RULE,
        non_commercial.RULE,
        use_restricted.RULE,
        source_available.RULE,
        proprietary.RULE,
        unknown_license.RULE,
        unreviewed_license.RULE,
        permissive.RULE,
        permissive.PUBLIC_DOMAIN,
    )
}
# Signal rules: act on Component.signals; severity from a context-keyed table too.
SIGNAL_RULES: dict[str, SignalRule] = {
    r.id: r
    for r in (
        unsafe_pickle.RULE,
        license_drift.RULE,
        gated.RULE,
        unpinned_revision.RULE,
        tool_stamp.RULE,
    )
}
# Model hygiene rules (family `hygiene`): act on HygieneIssues (preprocessing that does not match the weights).
HYGIENE_RULES: dict[str, HygieneRule] = {
    r.id: r
    for r in (
        preprocessing_mismatch.RULE,
        missing_normalization.RULE,
        processor_mismatch.RULE,
        untrained_backbone.RULE,
    )
}
# Every rule a policy's `rules:` section may configure.
TABLE_RULES: Mapping[str, SeverityRule | SignalRule | HygieneRule] = {**SEVERITY_RULES, **SIGNAL_RULES, **HYGIENE_RULES}
FIXED_RULES: dict[str, FixedRule] = {
    r.id: r
    for r in (
        denied.RULE,
        allowed.RULE,
        license_choice.RULE,
        choice_unused.RULE,
        exception_expired.RULE,
        exception_unused.RULE,
        override_unused.RULE,
    )
}
# The rule that handles each license category.
RULE_FOR_CATEGORY: dict[str, str] = {c: r.id for r in SEVERITY_RULES.values() for c in r.categories}
# The rule that handles each signal kind.
RULE_FOR_SIGNAL: dict[str, str] = {r.signal: r.id for r in SIGNAL_RULES.values()}
_ALIASES = {"unknown": "unknown-license", "unreviewed": "unreviewed-license"}

# Every signal kind the model defines must have a rule: a signal nobody acts on would be a silent pass.
assert set(RULE_FOR_SIGNAL) == set(SIGNAL_KINDS), "every SIGNAL_KINDS entry needs a signal rule"


def rule_alias(name: str) -> str:
    """Canonical rule id for a spelling used in policy files (``unknown`` -> ``unknown-license``)."""
    return _ALIASES.get(name, name)


def all_rule_ids() -> list[str]:
    """Every rule id, sorted."""
    return sorted([*TABLE_RULES, *FIXED_RULES])


def rule_title(rule_id: str) -> str:
    """The one-line title of a rule (for SARIF rule names and report headings); the id itself if unknown."""
    rule = TABLE_RULES.get(rule_id) or FIXED_RULES.get(rule_id)
    return rule.title if rule is not None else rule_id


def rule_doc(rule_id: str) -> str:
    """The rule module's docstring without the ``Rule <id>:`` prefix (help text), or ``""``."""
    rule = TABLE_RULES.get(rule_id) or FIXED_RULES.get(rule_id)
    doc = rule.doc if rule is not None else ""
    head, sep, tail = doc.partition(": ")
    return tail.strip() if sep and head.startswith("Rule") else doc.strip()


__all__ = [
    "FIXED_RULES",
    "HYGIENE_RULES",
    "RULE_FOR_CATEGORY",
    "RULE_FOR_SIGNAL",
    "SEVERITY_RULES",
    "SIGNAL_RULES",
    "TABLE_RULES",
    "FixedRule",
    "HygieneRule",
    "SeverityRule",
    "SignalRule",
    "SignalTrigger",
    "Trigger",
    "all_rule_ids",
    "rule_alias",
    "rule_doc",
    "rule_title",
]
