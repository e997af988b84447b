"""Rule registry: every rule id vlicense can put on a finding, one module per rule."""

from __future__ import annotations

from vlicense.policy.rules import (
    allowed,
    denied,
    exception_expired,
    exception_unused,
    license_choice,
    network_copyleft,
    non_commercial,
    override_unused,
    permissive,
    proprietary,
    source_available,
    strong_copyleft,
    unknown_license,
    unreviewed_license,
    use_restricted,
    weak_copyleft,
)
from vlicense.policy.rules.base import FixedRule, SeverityRule, Trigger

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
FIXED_RULES: dict[str, FixedRule] = {
    r.id: r
    for r in (
        denied.RULE,
        allowed.RULE,
        license_choice.RULE,
        exception_expired.RULE,
        exception_unused.RULE,
        override_unused.RULE,
    )
}
# The rule that handles each license category.
RULE_FOR_CATEGORY: dict[str, str] = {c: r.id for r in SEVERITY_RULES.values() for c in r.categories}
_ALIASES = {"unknown": "unknown-license", "unreviewed": "unreviewed-license"}


def rule_alias(name: str) -> str:
    """Canonical rule id for a spelling used in policy files (``unknown`` -> ``unknown-license``)."""
    return _ALIASES.get(name, name)


def all_rule_ids() -> list[str]:
    """Every rule id, sorted."""
    return sorted([*SEVERITY_RULES, *FIXED_RULES])


__all__ = [
    "FIXED_RULES",
    "RULE_FOR_CATEGORY",
    "SEVERITY_RULES",
    "FixedRule",
    "SeverityRule",
    "Trigger",
    "all_rule_ids",
    "rule_alias",
]
