"""Rule denied: the policy's deny list names this license, package or model."""

from __future__ import annotations

from vlicense.policy.rules.base import FixedRule

RULE = FixedRule(id="denied", title="Denied by the policy", severity="error", doc=__doc__ or "")


def message(subject: str, pattern: str, list_name: str) -> str:
    return f"{subject} is denied by the policy ({list_name}: {pattern})."
