"""Rule allowed: the policy's allow list names this package or model, so its license is not evaluated."""

from __future__ import annotations

from vlicense.policy.rules.base import FixedRule

RULE = FixedRule(id="allowed", title="Allowed by the policy", severity="info", doc=__doc__ or "")


def message(subject: str, pattern: str, list_name: str) -> str:
    return f"{subject} is explicitly allowed by the policy ({list_name}: {pattern}); its license was not evaluated."
