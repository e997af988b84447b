"""Rule override-unused: a policy license override names a component the audit did not find."""

from __future__ import annotations

from vlicense.policy.rules.base import FixedRule

RULE = FixedRule(id="override-unused", title="License override unused", severity="warning", doc=__doc__ or "")
